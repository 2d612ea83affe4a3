"""The patched Intercom description and a validator for server responses.

`load_patched_spec()` is the vendored official description (spec/intercom-2.10.yaml) with every
erratum from `opencom.testing.errata` applied. `ResponseValidator` checks a response (method,
concrete path, status, parsed JSON body) against it and raises `SpecMismatch` with the
operationId, the status, the JSON path of the failing value and the reason.

Command line:
    python -m opencom.testing.spec build OUT.yaml   # write the patched description
    python -m opencom.testing.spec doc [OUT.md]     # regenerate docs/spec-errata.md
"""

from __future__ import annotations

import functools
import os
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema.exceptions import ValidationError, best_match
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from opencom.testing.errata import build_patched_spec, pointer, render_errata_doc

SPEC_FILE = Path("spec") / "intercom-2.10.yaml"
ERRATA_DOC = Path("docs") / "spec-errata.md"
# The patched description is registered under this URI so `$ref`s resolve against it.
SPEC_URI = "urn:opencom:intercom-2.10-patched"
METHODS = ("get", "put", "post", "delete", "patch")
ERROR_SCHEMA = "/components/schemas/error"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class SpecMismatch(AssertionError):
    """A response that the patched description does not allow."""


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    definition: dict = field(repr=False, compare=False)


# ---------------------------------------------------------------------------------------------
# Loading


def repo_root() -> Path:
    """The nearest directory above this file holding spec/intercom-2.10.yaml."""
    for directory in Path(__file__).resolve().parents:
        if (directory / SPEC_FILE).is_file():
            return directory
    raise FileNotFoundError(f"no {SPEC_FILE} above {__file__}; set OPENCOM_SPEC_PATH")


def official_spec_path() -> Path:
    override = os.environ.get("OPENCOM_SPEC_PATH")
    return Path(override) if override else repo_root() / SPEC_FILE


@functools.cache
def load_official_spec() -> dict:
    """The official description as loaded (cached: do not mutate it)."""
    with official_spec_path().open("rb") as file:
        return yaml.load(file, Loader=_Loader)


@functools.cache
def load_patched_spec() -> dict:
    """The official description with every erratum applied (cached: do not mutate it)."""
    return build_patched_spec(load_official_spec())


class _NoAliasDumper(_Dumper):
    # The output is read by other tools (Schemathesis, Prism): keep it free of YAML anchors.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_patched_spec(out: Path) -> None:
    spec = load_patched_spec()
    text = yaml.dump(spec, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=100)
    Path(out).write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Path matching


def _segments(path: str) -> list[str]:
    path = urlsplit(path).path
    if len(path) > 1:
        path = path.rstrip("/")
    return path.split("/")[1:]


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _matches(template: list[str], concrete: list[str]) -> bool:
    if len(template) != len(concrete):
        return False
    return all(_is_param(t) and c != "" or t == c for t, c in zip(template, concrete))


def _specificity(template: list[str]) -> tuple[bool, ...]:
    # Sorts literal segments first, position by position: /contacts/search before /contacts/{id}.
    return tuple(_is_param(segment) for segment in template)


# ---------------------------------------------------------------------------------------------
# Validation


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value: Any) -> str:
    return _clip(repr(value))


def _reason(error: ValidationError) -> str:
    # jsonschema messages embed the whole failing instance; keep the message readable.
    message = error.message
    if len(message) > 300:
        message = f"{_short(error.instance)} fails {error.validator!r}"
    if error.context:
        message += f" ({_branch_reasons(error)})"
    return message


def _branch_reasons(error: ValidationError) -> str:
    """For an anyOf/oneOf failure, why each alternative failed (its most relevant error)."""
    by_branch: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    reasons = []
    for branch, errors in by_branch.items():
        best = best_match(errors)
        reasons.append(f"alternative {branch}: at {best.json_path}: {_clip(best.message)}")
    return "; ".join(reasons)


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


class ResponseValidator:
    """Checks server responses against the patched description.

    A response must match the operation serving the concrete path (literal segments win) and the
    schema of its status; a route no operation serves must answer an error status with an
    `error.list`. Every `error.list` needs a UUID `request_id`. Validators are built on first use
    and cached per schema, i.e. per (operation, status).
    """

    def __init__(self, spec: dict | None = None) -> None:
        self.spec = spec if spec is not None else load_patched_spec()
        resource = Resource(contents=self.spec, specification=DRAFT4)
        self._registry = Registry().with_resource(SPEC_URI, resource)
        self._templates = sorted(
            ((_segments(path), path) for path in self.spec["paths"]),
            key=lambda item: _specificity(item[0]),
        )
        self._validators: dict[str, Any] = {}

    # -- lookup ----------------------------------------------------------------------------

    def find_operation(self, method: str, path: str) -> Operation | None:
        """The operation serving `method path`; literal segments win over `{param}` ones."""
        method, concrete = method.lower(), _segments(path)
        for template, raw in self._templates:
            definition = self.spec["paths"][raw].get(method)
            if definition is not None and _matches(template, concrete):
                return Operation(definition["operationId"], method, raw, definition)
        return None

    def schema_validator(self, ptr: str) -> Any:
        """An OAS 3.0 validator for the schema at JSON pointer `ptr` of the patched description."""
        validator = self._validators.get(ptr)
        if validator is None:
            schema = {"$ref": f"{SPEC_URI}#{ptr}"}
            validator = OAS30Validator(
                schema, registry=self._registry, format_checker=oas30_format_checker
            )
            self._validators[ptr] = validator
        return validator

    # -- validation ------------------------------------------------------------------------

    def validate(self, method: str, path: str, status: int, body: Any) -> None:
        """Raise SpecMismatch unless `body` is what the description allows for this response."""
        status = int(status)
        operation = self.find_operation(method, path)
        if operation is None:
            self._validate_unknown_route(method, path, status, body)
            return
        where = f"{method.upper()} {path} -> {status} ({operation.operation_id})"
        key, response = self._response(operation, status)
        if response is None:
            documented = ", ".join(operation.definition["responses"])
            raise SpecMismatch(f"{where}: status {status} is not documented (documented: {documented})")
        content = response.get("content")
        if not content:
            if body is not None:
                raise SpecMismatch(f"{where}: the description declares no body, got {_short(body)}")
            return
        if body is None:
            raise SpecMismatch(f"{where}: empty body, but the description declares {', '.join(content)}")
        media_type = "application/json" if "application/json" in content else next(iter(content))
        if "schema" in content[media_type]:
            ptr = pointer("paths", operation.template, operation.method, "responses", key)
            ptr += pointer("content", media_type, "schema")
            self._check(where, self.schema_validator(ptr), body)
        self._check_error_list(where, status, body)

    def _response(self, operation: Operation, status: int) -> tuple[str, dict | None]:
        responses = operation.definition["responses"]
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return key, responses[key]
        return str(status), None

    def _validate_unknown_route(self, method: str, path: str, status: int, body: Any) -> None:
        where = f"{method.upper()} {path} -> {status} (no operation)"
        if status < 400:
            raise SpecMismatch(f"{where}: no operation matches, yet the status is {status}")
        if body is None:
            raise SpecMismatch(f"{where}: an unknown route must answer an error.list, got an empty body")
        self._check(where, self.schema_validator(ERROR_SCHEMA), body)
        self._check_error_list(where, status, body)

    def _check(self, where: str, validator: Any, body: Any) -> None:
        errors = list(validator.iter_errors(body))
        if not errors:
            return
        error = best_match(errors)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SpecMismatch(f"{where}: at {error.json_path}: {_reason(error)}{more}")

    def _check_error_list(self, where: str, status: int, body: Any) -> None:
        if not (isinstance(body, dict) and body.get("type") == "error.list"):
            return
        if status < 400:
            raise SpecMismatch(f"{where}: an error.list with success status {status}")
        if not _is_uuid(body.get("request_id")):
            request_id = _short(body.get("request_id"))
            raise SpecMismatch(f"{where}: at $.request_id: {request_id} is not a UUID string")


@functools.cache
def default_validator() -> ResponseValidator:
    """A shared validator over the cached patched description."""
    return ResponseValidator()


# ---------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "build":
        write_patched_spec(Path(argv[1]))
        return 0
    if argv and argv[0] == "doc" and len(argv) <= 2:
        out = Path(argv[1]) if len(argv) == 2 else repo_root() / ERRATA_DOC
        out.write_text(render_errata_doc(), encoding="utf-8")
        return 0
    print(__doc__.split("Command line:")[1].rstrip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
