"""The rules for data attributes, and the check every custom_attributes write goes through."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencom.core.errors import parameter_invalid
from opencom.data_attributes.models import DataAttribute

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
