"""The errata to the official description, the patched copy and the response validator.

The description is loaded and patched once per module (load_patched_spec is cached too).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

from opencom.testing import errata
from opencom.testing.errata import ERRATA, KNOWN_WRONG_EXAMPLES, ErratumStale, build_patched_spec, pointer
from opencom.testing.spec import (
    ResponseValidator,
    SpecMismatch,
    load_official_spec,
    load_patched_spec,
    official_spec_path,
    repo_root,
    write_patched_spec,
)

SHARED_SPEC = Path("/work/shared/openapi/intercom-2.10.yaml")
REQUEST_ID = "f93ecfa8-d08a-4325-8694-89aeb89c8f85"
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def official() -> dict:
    return load_official_spec()


@pytest.fixture(scope="module")
def patched() -> dict:
    return load_patched_spec()


@pytest.fixture(scope="module")
def validator(patched) -> ResponseValidator:
    return ResponseValidator(patched)


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def examples(spec: dict):
    """(key, schema pointer, value) for every request and response example in the description."""
    for method, path, operation in operations(spec):
        places = [("request", operation.get("requestBody", {}), pointer("paths", path, method, "requestBody"))]
        for status, response in operation["responses"].items():
            places.append((status, response, pointer("paths", path, method, "responses", status)))
        for where, holder, base in places:
            for media_type, media in holder.get("content", {}).items():
                for name, example in media.get("examples", {}).items():
                    key = (operation["operationId"], where, name)
                    yield key, base + pointer("content", media_type, "schema"), example["value"]


def failures(validator: ResponseValidator, kind: str) -> dict:
    """Examples of `kind` ("request" or "response") that fail, with the first reason."""
    found = {}
    for key, schema_ptr, value in examples(validator.spec):
        if (key[1] == "request") != (kind == "request"):
            continue
        errors = list(validator.schema_validator(schema_ptr).iter_errors(value))
        if errors:
            found[key] = f"{errors[0].json_path}: {errors[0].message[:120]}"
    return found


# ---------------------------------------------------------------------------------------------
# The errata themselves


def test_every_erratum_applies_and_changes_something(official):
    spec = copy.deepcopy(official)
    for erratum in ERRATA:
        before = json.dumps(spec, sort_keys=True)
        erratum.apply(spec)
        assert json.dumps(spec, sort_keys=True) != before, f"erratum {erratum.id} changed nothing"
    assert spec["paths"] == build_patched_spec(official)["paths"]


def test_errata_are_well_formed():
    ids = [erratum.id for erratum in ERRATA]
    assert len(ids) == len(set(ids)), "duplicate erratum ids"
    for erratum in ERRATA:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", erratum.id), erratum.id
        assert erratum.title and "\n" not in erratum.title, erratum.id
        assert len(erratum.justification) > 80, f"{erratum.id}: justification too short"


def test_the_official_description_is_not_mutated(official, patched):
    assert "custom_attributes" not in official["components"]["schemas"]
    assert "custom_attributes" in patched["components"]["schemas"]
    assert patched["info"]["x-opencom-errata"] == errata.errata_ids()


@pytest.mark.parametrize(
    ("erratum_id", "change"),
    [
        ("custom-attributes-schema", lambda s: s["components"]["schemas"].update(custom_attributes={})),
        ("intercom-version-values", lambda s: s["components"]["schemas"]["intercom_version"]["enum"].append("2.11")),
        ("path-ids-are-strings", lambda s: s["paths"].pop("/notes/{id}")),
        ("ticket-type-list-shape", lambda s: s["components"]["schemas"]["ticket_type_list"]["properties"].pop("ticket_types")),
    ],
)
def test_a_changed_description_fails_loudly(official, erratum_id, change):
    changed = copy.deepcopy(official)
    change(changed)
    with pytest.raises(ErratumStale, match=f"erratum {erratum_id}:"):
        build_patched_spec(changed)


def test_the_errata_doc_lists_exactly_the_errata():
    doc = (repo_root() / "docs" / "spec-errata.md").read_text(encoding="utf-8")
    listed = re.findall(r"^## ([a-z0-9-]+)$", doc, flags=re.MULTILINE)
    assert listed == errata.errata_ids(), "docs/spec-errata.md is out of date"
    assert doc == errata.render_errata_doc(), "regenerate it: python -m opencom.testing.spec doc"


# ---------------------------------------------------------------------------------------------
# The patched description against its own examples


def test_every_response_example_validates(validator):
    known = {key for key in KNOWN_WRONG_EXAMPLES if key[1] != "request"}
    found = failures(validator, "response")
    assert set(found) == known, json.dumps({" / ".join(k): v for k, v in found.items()}, indent=1)


def test_every_request_example_validates_or_is_a_known_wrong_one(validator):
    known = {key for key in KNOWN_WRONG_EXAMPLES if key[1] == "request"}
    found = failures(validator, "request")
    unexpected = {" / ".join(k): v for k, v in found.items() if k not in known}
    assert not unexpected, json.dumps(unexpected, indent=1)
    assert known <= set(found), f"known-wrong examples that now validate: {known - set(found)}"


def test_every_response_body_has_a_schema(patched):
    for method, path, operation in operations(patched):
        for status, response in operation["responses"].items():
            for media_type, media in response.get("content", {}).items():
                assert "schema" in media, f"{method} {path} {status} {media_type}"


def test_every_operation_documents_the_error_statuses(patched):
    for method, path, operation in operations(patched):
        missing = set(errata.ERROR_STATUSES) - set(operation["responses"])
        assert not missing, f"{method} {path}: {missing}"


def test_every_path_parameter_is_a_string(patched):
    for method, path, operation in operations(patched):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["schema"]["type"] == "string", f"{method} {path} {parameter['name']}"


def test_published_versions_are_accepted(patched):
    assert {"2.10", "2.11", "2.14", "2.16", "Unstable"} <= set(patched["components"]["schemas"]["intercom_version"]["enum"])


# ---------------------------------------------------------------------------------------------
# The response validator


def me_example(spec: dict) -> dict:
    media = spec["paths"]["/me"]["get"]["responses"]["200"]["content"]["application/json"]
    return copy.deepcopy(media["examples"]["Successful response"]["value"])


def error_list(code: str = "not_found", request_id: str | None = REQUEST_ID) -> dict:
    return {"type": "error.list", "request_id": request_id, "errors": [{"code": code, "message": "Resource Not Found"}]}


def test_a_correct_me_body_is_accepted(validator, patched):
    validator.validate("GET", "/me", 200, me_example(patched))
    validator.validate("GET", "/me?foo=bar", 200, {**me_example(patched), "app": None})


def test_a_wrong_me_body_is_rejected_with_a_helpful_message(validator, patched):
    body = {**me_example(patched), "id": 991267785}
    with pytest.raises(SpecMismatch) as failure:
        validator.validate("GET", "/me", 200, body)
    message = str(failure.value)
    for part in ("identifyAdmin", "200", "$.id", "991267785 is not of type 'string'"):
        assert part in message, message
    assert isinstance(failure.value, AssertionError)


def test_nested_failures_name_their_json_path(validator, patched):
    body = me_example(patched)
    body["avatar"] = {"type": "avatar", "image_url": 5}
    with pytest.raises(SpecMismatch, match=r"\$\.avatar\.image_url"):
        validator.validate("GET", "/me", 200, body)


def test_literal_segments_win_over_parameters(validator):
    assert validator.find_operation("POST", "/contacts/search").operation_id == "SearchContacts"
    assert validator.find_operation("GET", "/contacts/6657ac5e6abd0166b52ae241").operation_id == "ShowContact"
    assert validator.find_operation("POST", "/conversations/redact").operation_id == "redactConversation"
    assert validator.find_operation("GET", "/companies/scroll").template == "/companies/scroll"
    assert validator.find_operation("GET", "/contacts/abc/?per_page=2").template == "/contacts/{id}"
    assert validator.find_operation("GET", "/no/such/route") is None


def test_undocumented_status_and_body_presence_fail(validator, patched):
    with pytest.raises(SpecMismatch, match="status 418 is not documented"):
        validator.validate("GET", "/me", 418, me_example(patched))
    with pytest.raises(SpecMismatch, match="empty body"):
        validator.validate("GET", "/me", 200, None)
    validator.validate("POST", "/events", 202, None)
    with pytest.raises(SpecMismatch, match="declares no body"):
        validator.validate("POST", "/events", 202, {"ok": True})


def test_error_lists_need_a_uuid_request_id(validator):
    validator.validate("GET", "/me", 401, error_list("unauthorized"))
    with pytest.raises(SpecMismatch, match=r"\$\.request_id"):
        validator.validate("GET", "/me", 401, error_list("unauthorized", request_id=None))
    with pytest.raises(SpecMismatch, match=r"\$\.request_id"):
        validator.validate("GET", "/me", 401, error_list("unauthorized", request_id="req-1"))


def test_an_unknown_route_answers_a_valid_error_list(validator):
    validator.validate("GET", "/no/such/route", 404, error_list())
    validator.validate("PATCH", "/me", 405, error_list("method_not_allowed"))


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (404, {"detail": "Not Found"}, "'type' is a required property"),
        (404, {"type": "error.list", "request_id": REQUEST_ID, "errors": [{"message": "x"}]}, r"\$\.errors\[0\]"),
        (404, None, "empty body"),
        (200, error_list(), "no operation matches"),
    ],
)
def test_a_malformed_unknown_route_answer_fails(validator, status, body, reason):
    with pytest.raises(SpecMismatch, match=reason):
        validator.validate("GET", "/no/such/route", status, body)


def test_patched_shapes_are_enforced(validator):
    with pytest.raises(SpecMismatch, match="'conversations' is a required property"):
        validator.validate("GET", "/conversations", 200, {"type": "conversation.list", "data": []})
    validator.validate("POST", "/phone_call_redirects", 400, {"error_key": "invalid_phone_number", "message": "x"})


# ---------------------------------------------------------------------------------------------
# Files


def test_the_vendored_description_is_byte_identical():
    if not SHARED_SPEC.is_file():
        pytest.skip(f"{SHARED_SPEC} is not present on this machine")
    assert official_spec_path().read_bytes() == SHARED_SPEC.read_bytes()
    licence = SHARED_SPEC.with_name("LICENSE-intercom-openapi.md")
    assert (repo_root() / "spec" / licence.name).read_bytes() == licence.read_bytes()


def test_the_spec_path_can_be_overridden(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENCOM_SPEC_PATH", str(tmp_path / "other.yaml"))
    assert official_spec_path() == tmp_path / "other.yaml"


def test_build_writes_the_patched_description(tmp_path, patched):
    out = tmp_path / "patched.yaml"
    write_patched_spec(out)
    assert yaml.load(out.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) == patched
