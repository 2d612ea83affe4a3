"""The rules for data attributes, and the check every custom_attributes write goes through."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from sqlalchemy import Text, cast, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencom.core.clock import now
from opencom.core.errors import ApiError, parameter_invalid, parameter_not_found
from opencom.data_attributes.builtins import BUILTINS
from opencom.data_attributes.models import DataAttribute
from opencom.segments.models import Segment

MODELS = ("contact", "company")
DATA_TYPES = ("string", "integer", "float", "boolean", "date", "datetime")
# Later API versions (and so the SDK) create list attributes with data_type "options".
LIST_DATA_TYPE = "options"
# What each model's segments hold (segments.person_type).
SEGMENT_PERSON_TYPES = {"contact": ("user", "contact"), "company": ("company",)}
MODEL_DATA = {"contact": "people data", "company": "company data"}

# How a stored value of each data type must look in JSON.
_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    # dates are Unix seconds
    "date": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "datetime": lambda v: isinstance(v, int) and not isinstance(v, bool),
}


def custom_definitions(session: Session, workspace_id: int, model: str) -> dict[str, DataAttribute]:
    """The workspace's custom attributes of `model` ("contact" or "company"), archived included."""
    rows = session.scalars(
        select(DataAttribute).where(
            DataAttribute.workspace_id == workspace_id, DataAttribute.model == model, DataAttribute.custom.is_(True)
        )
    )
    return {row.name: row for row in rows}


def check_custom_attributes(session: Session, workspace_id: int, model: str, values: Any) -> dict:
    """Validate a `custom_attributes` object against the workspace's definitions.

    Every key must name a defined, unarchived custom attribute of `model`, and every value must
    fit its data type (None clears it). Raises a 400 naming the field; returns the values.
    """
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise parameter_invalid("custom_attributes must be an object", "custom_attributes")
    definitions = custom_definitions(session, workspace_id, model)
    for name, value in values.items():
        field = f"custom_attributes.{name}"
        definition = definitions.get(name)
        if definition is None or definition.archived:
            raise parameter_invalid(f"Custom attribute '{name}' does not exist", field)
        if value is not None and not _CHECKS[definition.data_type](value):
            raise parameter_invalid(f"Custom attribute '{name}' must be of type {definition.data_type}", field)
    return dict(values)


# --- standard attributes ----------------------------------------------------------------------


def seed_data_attributes(session: Session, workspace_id: int) -> None:
    """The standard contact and company attributes of a new workspace, in one insert."""
    created = now()
    rows = [
        {
            "workspace_id": workspace_id, "model": model, "name": name, "full_name": full_name, "label": label,
            "description": description, "data_type": data_type, "api_writable": api_writable,
            "messenger_writable": True, "ui_writable": False, "custom": False, "archived": False,
            "created_at": created, "updated_at": created,
        }
        for model, attributes in BUILTINS.items()
        for name, full_name, label, description, data_type, api_writable in attributes
    ]
    session.execute(insert(DataAttribute), rows)


# --- listing ----------------------------------------------------------------------------------


def list_attributes(session: Session, workspace_id: int, model: str | None, include_archived: bool) -> list[DataAttribute]:
    if model not in (None, "contact", "company", "conversation"):
        raise parameter_invalid("model must be contact, company or conversation", "model")
    if model == "conversation":
        return []  # no conversation attributes are defined here
    query = select(DataAttribute).where(DataAttribute.workspace_id == workspace_id)
    if model:
        query = query.where(DataAttribute.model == model)
    if not include_archived:
        query = query.where(DataAttribute.archived.is_(False))
    return list(session.scalars(query.order_by(DataAttribute.id)))


# --- creating ---------------------------------------------------------------------------------


def _name_allowed(name: str) -> bool:
    # Alphanumerics, currency symbols, hyphens, underscores and spaces (BEHAVIOUR item 17).
    return all(c.isalnum() or c in "-_ " or unicodedata.category(c) == "Sc" for c in name)


def _required(body: dict, field: str) -> Any:
    if body.get(field) is None:
        raise parameter_not_found(f"{field} is required", field)
    return body[field]


def _optional(body: dict, field: str, kind: type, label: str) -> Any:
    """The field's value, None when absent; an explicit null is refused (no field is nullable)."""
    if field not in body:
        return None
    value = body[field]
    if not isinstance(value, kind):
        raise parameter_invalid(f"{field} must be {label}", field)
    return value


def _options(value: Any) -> list[str]:
    """Options given as strings or as {value} objects, returned as strings."""
    if not isinstance(value, list):
        raise parameter_invalid("Options isn't an array", "options")
    options = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("value")
        if not isinstance(item, str) or not item.strip():
            raise parameter_invalid("Each option must be a non-empty string or an object with a string value", "options")
        options.append(item)
    if len(options) < 2:
        raise parameter_invalid("A list attribute needs at least 2 options", "options")
    return options


def _check_unique(session: Session, workspace_id: int, model: str, name: str) -> None:
    """A name may be used once across both models' custom attributes and the model's standard ones."""
    clash = session.scalar(
        select(DataAttribute).where(
            DataAttribute.workspace_id == workspace_id,
            func.lower(DataAttribute.name) == name.lower(),
            (DataAttribute.model == model) | DataAttribute.custom.is_(True),
        ).limit(1)
    )
    if clash is not None:
        raise parameter_invalid(
            f"You already have '{name}' in your {MODEL_DATA[clash.model]}. "
            f"To save this as new {MODEL_DATA[model]}, use a different name.", "name"
        )


def create_attribute(session: Session, workspace_id: int, admin_id: int | None, body: dict) -> DataAttribute:
    name, model, data_type = (_required(body, f) for f in ("name", "model", "data_type"))
    if model not in MODELS:
        raise parameter_invalid("model must be contact or company", "model")
    if data_type not in (*DATA_TYPES, LIST_DATA_TYPE):
        raise parameter_invalid("Data Type isn't an option", "data_type")
    if not isinstance(name, str) or not name.strip() or len(name) > 190 or not _name_allowed(name):
        raise parameter_invalid(
            "Your name for this attribute must only contain alphanumeric characters, currency symbols, and hyphens", "name"
        )
    name = name.strip()
    description = _optional(body, "description", str, "a string") or ""
    messenger_writable = _optional(body, "messenger_writable", bool, "a boolean")
    options = None
    if "options" in body or data_type == LIST_DATA_TYPE:
        if data_type not in ("string", LIST_DATA_TYPE):
            raise parameter_invalid("options can only be given for string attributes", "options")
        options = _options(body.get("options"))
    _check_unique(session, workspace_id, model, name)
    created = now()
    row = DataAttribute(
        workspace_id=workspace_id, model=model, name=name, full_name=f"custom_attributes.{name}", label=name,
        description=description, data_type="string" if data_type == LIST_DATA_TYPE else data_type, options=options,
        api_writable=True, ui_writable=False,
        # Intercom's create example answers messenger_writable true when it was not sent.
        messenger_writable=True if messenger_writable is None else messenger_writable,
        custom=True, archived=False, admin_id=str(admin_id) if admin_id is not None else None,
        created_at=created, updated_at=created,
    )
    try:
        with session.begin_nested():  # a concurrent create of the same name loses here
            session.add(row)
    except IntegrityError:
        raise parameter_invalid(f"You already have '{name}' in your {MODEL_DATA[model]}.", "name") from None
    # Searches on the attribute read an expression index (one per name, shared by workspaces).
    from opencom.contacts.indexes import ensure_attribute_index  # contacts.search imports this module

    ensure_attribute_index(session, model, name, row.data_type)
    return row


# --- updating ---------------------------------------------------------------------------------


def get_custom_attribute(session: Session, workspace_id: int, attribute_id: str) -> DataAttribute:
    """Only custom attributes can be addressed: standard ones have no id in the API."""
    row = None
    if attribute_id.isascii() and attribute_id.isdigit() and len(attribute_id) < 19:
        row = session.scalar(
            select(DataAttribute).where(
                DataAttribute.workspace_id == workspace_id, DataAttribute.id == int(attribute_id),
                DataAttribute.custom.is_(True),
            )
        )
    if row is None:
        raise ApiError(404, "field_not_found", "We couldn't find that data attribute to update")
    return row


def _mentions_field(query: Any, field: str) -> bool:
    if isinstance(query, dict):
        return query.get("field") == field or _mentions_field(query.get("value"), field)
    if isinstance(query, list):
        return any(_mentions_field(item, field) for item in query)
    return False


def has_dependents(session: Session, row: DataAttribute) -> bool:
    """Whether a segment of the attribute's model filters on it."""
    field = f"custom_attributes.{row.name}"
    # The stored JSON text holds the field name as json.dumps writes it; narrow in SQL, then
    # confirm on the few candidates (a name may also appear as a value).
    fragment = json.dumps(field)[1:-1]
    queries = session.scalars(
        select(Segment.query).where(
            Segment.workspace_id == row.workspace_id,
            Segment.person_type.in_(SEGMENT_PERSON_TYPES[row.model]),
            cast(Segment.query, Text).contains(fragment, autoescape=True),
        )
    )
    return any(_mentions_field(query, field) for query in queries)


def update_attribute(session: Session, workspace_id: int, attribute_id: str, body: dict) -> DataAttribute:
    row = get_custom_attribute(session, workspace_id, attribute_id)
    archived = _optional(body, "archived", bool, "a boolean")
    description = _optional(body, "description", str, "a string")
    messenger_writable = _optional(body, "messenger_writable", bool, "a boolean")
    if "options" in body:
        if row.data_type != "string":
            raise parameter_invalid("options can only be given for string attributes", "options")
        row.options = _options(body["options"])
    if description is not None:
        row.description = description
    if messenger_writable is not None:
        row.messenger_writable = messenger_writable
    if archived is not None:
        if archived and not row.archived and has_dependents(session, row):
            raise ApiError(422, "data_invalid", "The Data Attribute you are trying to archive has a dependant object")
        row.archived = archived
    row.updated_at = now()
    return row


def acceptable_custom_values(session: Session, workspace_id: int, model: str, values: dict) -> dict:
    """The entries of `values` that check_custom_attributes would accept (used when merging data)."""
    definitions = custom_definitions(session, workspace_id, model)
    return {
        name: value
        for name, value in (values or {}).items()
        if name in definitions and not definitions[name].archived
        and (value is None or _CHECKS[definitions[name].data_type](value))
    }
