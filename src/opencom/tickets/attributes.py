"""Checking ticket attribute values against a ticket type's attributes.

Request keys are `_default_title_` / `_default_description_` or an attribute's name; values are
stored by TicketTypeAttribute.value_key. Values must fit the attribute's data_type; a list
attribute takes one of its items, by id (as upstream) or by label, and stores the label.
"""

from __future__ import annotations

import math
import posixpath
from typing import Any

from opencom.core.errors import parameter_invalid, parameter_not_found
from opencom.core.search import DATE_MAX, DATE_MIN, INT64_MAX, INT64_MIN
from opencom.ticket_types.models import TicketTypeAttribute

MAX_TEXT = 65535
MAX_FILES = 10


def check_attributes(
    values: Any, attributes: list[TicketTypeAttribute], *, field: str, creating: bool
) -> dict[str, Any]:
    """The checked values by value_key. Only unarchived attributes can be set; on create every
    `required_to_create` attribute needs a value."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise parameter_invalid(f"{field} must be an object", field)
    live = {a.name: a for a in attributes if not a.archived}
    checked: dict[str, Any] = {}
    for name, value in values.items():
        attribute = live.get(name)
        path = f"{field}.{name}"
        if attribute is None:
            raise parameter_invalid(f"There is no ticket type attribute named '{name}'", path)
        checked[attribute.value_key] = check_value(attribute, value, path)
    if creating:
        for attribute in live.values():
            if attribute.required_to_create and checked.get(attribute.value_key) in (None, "", []):
                path = f"{field}.{attribute.name}"
                raise parameter_not_found(f"{path} is required", path)
    return checked


def check_value(attribute: TicketTypeAttribute, value: Any, path: str) -> Any:
    if value is None:
        return None  # clears the value
    check = _CHECKS[attribute.data_type]
    return check(attribute, value, path)


def _fail(attribute: TicketTypeAttribute, path: str, detail: str = "") -> None:
    raise parameter_invalid(f"{path} must be a {attribute.data_type} value{detail}", path)


def _string(attribute, value, path):
    if not isinstance(value, str) or "\x00" in value or len(value) > MAX_TEXT:
        _fail(attribute, path)
    return value


def _list(attribute, value, path):
    options = (attribute.input_options or {}).get("list_options", [])
    if isinstance(value, str):
        for option in options:
            if value in (option["id"], option["label"]):
                return option["label"]
    labels = ", ".join(o["label"] for o in options)
    raise parameter_invalid(f"{path} must be one of the list items: {labels}", path)


def _integer(attribute, value, path):
    if isinstance(value, bool) or not isinstance(value, int) or not INT64_MIN <= value <= INT64_MAX:
        _fail(attribute, path)
    return value


def _decimal(attribute, value, path):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(attribute, path)
    return value


def _boolean(attribute, value, path):
    if not isinstance(value, bool):
        _fail(attribute, path)
    return value


def _datetime(attribute, value, path):
    if isinstance(value, bool) or not isinstance(value, int) or not DATE_MIN <= value <= DATE_MAX:
        _fail(attribute, path, " (Unix seconds)")
    return value


def _files(attribute, value, path):
    """A list of file URLs or {url, name, content_type} objects; stored as file_attribute objects."""
    items = value if isinstance(value, list) else [value]
    limit = MAX_FILES if (attribute.input_options or {}).get("allow_multiple_values") else 1
    if len(items) > limit:
        raise parameter_invalid(f"{path} takes at most {limit} file(s)", path)
    return [_file(attribute, item, f"{path}[{i}]") for i, item in enumerate(items)]


def _file(attribute, item, path) -> dict:
    url = item.get("url") if isinstance(item, dict) else item
    if not isinstance(url, str) or not url or "\x00" in url or len(url) > 2048:
        raise parameter_invalid(f"{path} must be a file URL or an object with a url", path)
    name = item.get("name") if isinstance(item, dict) else None
    content_type = item.get("content_type") if isinstance(item, dict) else None
    if not isinstance(name, str) or not name:
        name = posixpath.basename(url.split("?", 1)[0]) or url
    body = {"type": "upload", "name": name[:255], "url": url}
    if isinstance(content_type, str) and content_type:
        body["content_type"] = content_type[:255]
    return body


_CHECKS = {
    "string": _string, "list": _list, "integer": _integer, "decimal": _decimal,
    "boolean": _boolean, "datetime": _datetime, "files": _files,
}


def display(stored: dict, attributes: list[TicketTypeAttribute]) -> dict:
    """A ticket's `ticket_attributes`: every unarchived attribute of its type (null when unset),
    and archived ones that still hold a value."""
    shown: dict[str, Any] = {}
    for attribute in attributes:
        value = (stored or {}).get(attribute.value_key)
        if not attribute.archived or value is not None:
            shown[attribute.name] = value
    return shown
