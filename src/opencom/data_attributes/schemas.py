"""The serializer for data attributes."""

from __future__ import annotations

from opencom.data_attributes.models import DataAttribute


def display_name(row: DataAttribute) -> str:
    # Nested standard attributes (plan.name, location.city) are named by their last part.
    return row.name if row.custom else row.full_name.rsplit(".", 1)[-1]


def data_attribute_json(row: DataAttribute) -> dict:
    body: dict = {"type": "data_attribute"}
    if row.custom:
        body["id"] = row.id  # an integer, and only custom attributes have one
    body.update(
        model=row.model, name=display_name(row), full_name=row.full_name, label=row.label,
    )
    if row.description:
        body["description"] = row.description
    body["data_type"] = row.data_type
    if row.options:
        body["options"] = list(row.options)
    body.update(
        api_writable=row.api_writable, ui_writable=row.ui_writable, messenger_writable=row.messenger_writable,
        custom=row.custom, archived=row.archived,
    )
    if row.custom:
        if row.admin_id is not None:
            body["admin_id"] = row.admin_id
        body["created_at"] = row.created_at
        body["updated_at"] = row.updated_at
    return body


def data_attribute_list_json(rows: list[DataAttribute]) -> dict:
    return {"type": "list", "data": [data_attribute_json(row) for row in rows]}
