"""Request shapes and serializers for ticket types and their attributes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictStr, model_validator

from opencom.core.errors import ApiError
from opencom.ticket_types.models import TicketType, TicketTypeAttribute
from opencom.core.fields import no_nul as _no_nul

CATEGORIES = ("Customer", "Back-office", "Tracker")
DATA_TYPES = ("string", "list", "integer", "decimal", "boolean", "datetime", "files")
DEFAULT_ICON = "🎟️"


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


Name = Annotated[StrictStr, Field(max_length=255), AfterValidator(_no_nul), AfterValidator(_name)]
Description = Annotated[StrictStr, Field(max_length=65535), AfterValidator(_no_nul)]
Icon = Annotated[StrictStr, Field(min_length=1, max_length=64), AfterValidator(_no_nul)]
Category = Literal["Customer", "Back-office", "Tracker"]
ListItems = Annotated[StrictStr, Field(max_length=65535), AfterValidator(_no_nul)]


def reject_nulls(model: BaseModel, nullable: frozenset[str] = frozenset(), prefix: str = "") -> None:
    """A 400 naming the first field sent as an explicit null that the description does not
    declare nullable (raised as ApiError, which pydantic lets through)."""
    for name in model.model_fields_set:
        if getattr(model, name) is None and name not in nullable:
            raise ApiError(400, "parameter_invalid", f"{prefix}{name} must not be null", f"{prefix}{name}")


class _Partial(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="after")
    def _no_nulls(self):
        reject_nulls(self)  # no field of these requests is nullable in the description
        return self

    def given(self) -> dict[str, Any]:
        """Only the keys the client sent."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class CreateTicketTypeRequest(_Partial):
    name: Name
    description: Description | None = None
    category: Category | None = None
    icon: Icon | None = None
    is_internal: StrictBool | None = None


class UpdateTicketTypeRequest(_Partial):
    name: Name | None = None
    description: Description | None = None
    category: Category | None = None
    icon: Icon | None = None
    is_internal: StrictBool | None = None
    archived: StrictBool | None = None


class _AttributeFields(_Partial):
    required_to_create: StrictBool | None = None
    required_to_create_for_contacts: StrictBool | None = None
    visible_on_create: StrictBool | None = None
    visible_to_contacts: StrictBool | None = None
    multiline: StrictBool | None = None
    list_items: ListItems | None = None
    allow_multiple_values: StrictBool | None = None


class CreateAttributeRequest(_AttributeFields):
    name: Name
    description: Description
    data_type: Literal["string", "list", "integer", "decimal", "boolean", "datetime", "files"]


class UpdateAttributeRequest(_AttributeFields):
    name: Name | None = None
    description: Description | None = None
    archived: StrictBool | None = None


def attribute_json(attribute: TicketTypeAttribute, workspace_code: str) -> dict:
    return {
        "type": "ticket_type_attribute",
        "id": str(attribute.id),
        "workspace_id": workspace_code,
        "name": attribute.name,
        "description": attribute.description,
        "data_type": attribute.data_type,
        "input_options": attribute.input_options,
        "order": attribute.position,
        "required_to_create": attribute.required_to_create,
        "required_to_create_for_contacts": attribute.required_to_create_for_contacts,
        "visible_on_create": attribute.visible_on_create,
        "visible_to_contacts": attribute.visible_to_contacts,
        "default": attribute.is_default,
        "ticket_type_id": attribute.ticket_type_id,
        "archived": attribute.archived,
        "created_at": attribute.created_at,
        "updated_at": attribute.updated_at,
    }


def ticket_type_json(ticket_type: TicketType, attributes: list[TicketTypeAttribute], workspace_code: str) -> dict:
    return {
        "type": "ticket_type",
        "id": str(ticket_type.id),
        "name": ticket_type.name,
        "description": ticket_type.description,
        "icon": ticket_type.icon,
        "workspace_id": workspace_code,
        "archived": ticket_type.archived,
        "created_at": ticket_type.created_at,
        "updated_at": ticket_type.updated_at,
        "is_internal": ticket_type.is_internal,
        "ticket_type_attributes": {
            "type": "list",
            "data": [attribute_json(a, workspace_code) for a in attributes],
        },
        "category": ticket_type.category,
    }


def ticket_type_list_json(items: list[dict]) -> dict:
    return {"type": "list", "data": items}
