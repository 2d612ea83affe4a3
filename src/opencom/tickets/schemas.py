"""Request shapes for tickets, and the serializers that turn ticket rows into Intercom's JSON."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr, ValidationError, model_validator

from opencom.core.errors import ApiError
from opencom.core.handlers import validation_item
from opencom.core.search import DATE_MAX, DATE_MIN
from opencom.ticket_types.schemas import reject_nulls
from opencom.tickets.models import Ticket, TicketPart
from opencom.core.fields import no_nul as _no_nul, not_bool as _not_bool

STATE_LABELS = {
    "submitted": "Submitted",
    "in_progress": "In progress",
    "waiting_on_customer": "Waiting on customer",
    "resolved": "Resolved",
}
MAX_ATTACHMENTS = 10


def _int_to_str(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


# Intercom-assigned ids are strings, but the examples send numbers too.
Id = Annotated[StrictStr, BeforeValidator(_int_to_str), Field(max_length=64)]
Text = Annotated[StrictStr, Field(max_length=65535), AfterValidator(_no_nul)]
Timestamp = Annotated[int, BeforeValidator(_not_bool), Field(ge=DATE_MIN, le=DATE_MAX)]
Url = Annotated[StrictStr, Field(min_length=1, max_length=2048), AfterValidator(_no_nul)]


def parse(model: type[BaseModel], data: Any) -> Any:
    """Validate `data` with `model`, turning the first pydantic error into the API's 400."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        # Located as FastAPI locates body fields, so a field named "body" keeps its name.
        item = validation_item({**first, "loc": ("body", *first.get("loc", ()))})
        raise ApiError(400, item["code"], item["message"], item.get("field")) from None


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # Fields the description marks nullable; null is refused for every other one.
    nullable: ClassVar[frozenset[str]] = frozenset()
    prefix: ClassVar[str] = ""  # where a nested object sits in the body, for error fields

    @model_validator(mode="after")
    def _no_nulls(self):
        reject_nulls(self, self.nullable, self.prefix)
        return self

    def given(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class CreateTicketRequest(_Request):
    ticket_type_id: Id
    contacts: list[dict[str, Any]]
    company_id: Annotated[StrictStr, BeforeValidator(_int_to_str), Field(max_length=255), AfterValidator(_no_nul)] | None = None
    ticket_attributes: dict[str, Any] | None = None


class Assignment(_Request):
    prefix: ClassVar[str] = "assignment."
    admin_id: Id | None = None
    assignee_id: Id | None = None


class UpdateTicketRequest(_Request):
    ticket_attributes: dict[str, Any] | None = None
    state: StrictStr | None = None
    open: StrictBool | None = None
    is_shared: StrictBool | None = None
    snoozed_until: Timestamp | None = None
    assignment: Assignment | None = None
    # What SDK 5 sends (a later API version): the acting admin and the assignee at the top level,
    # and the state as `ticket_state_id`.
    admin_id: Id | None = None
    assignee_id: Id | None = None
    ticket_state_id: StrictStr | None = None


class ContactReply(_Request):
    message_type: Literal["comment"]
    type: Literal["user"]
    body: Text
    intercom_user_id: StrictStr | None = None
    user_id: Id | None = None
    email: StrictStr | None = None
    attachment_urls: Annotated[list[Url], Field(max_length=MAX_ATTACHMENTS)] | None = None


class ReplyOption(_Request):
    text: Annotated[StrictStr, Field(min_length=1, max_length=255), AfterValidator(_no_nul)]
    uuid: Annotated[StrictStr, Field(min_length=1, max_length=64), AfterValidator(_no_nul)]


class AdminReply(_Request):
    message_type: Literal["comment", "note", "quick_reply"]
    type: Literal["admin"]
    admin_id: Id
    body: Text | None = None
    reply_options: Annotated[list[ReplyOption], Field(min_length=1, max_length=20)] | None = None
    attachment_urls: Annotated[list[Url], Field(max_length=MAX_ATTACHMENTS)] | None = None
    cross_post: StrictBool | None = None


class TagRequest(_Request):
    id: Id
    admin_id: Id


class UntagRequest(_Request):
    admin_id: Id


class ConvertRequest(_Request):
    ticket_type_id: Id
    attributes: dict[str, Any] | None = None


class SearchPagination(_Request):
    prefix: ClassVar[str] = "pagination."
    nullable: ClassVar[frozenset[str]] = frozenset({"starting_after"})
    per_page: Any = None  # checked by check_per_page, which names the field
    starting_after: StrictStr | None = None


class SearchRequest(_Request):
    nullable: ClassVar[frozenset[str]] = frozenset({"pagination"})
    query: Any = Field()
    pagination: SearchPagination | None = None


# --- responses -----------------------------------------------------------------------------------


def part_json(part: TicketPart) -> dict:
    body: dict = {"type": "ticket_part", "id": str(part.id), "part_type": part.part_type, "body": part.body}
    if part.state is not None:
        body["previous_ticket_state"] = part.previous_state
        body["ticket_state"] = part.state
    body["created_at"] = part.created_at
    body["updated_at"] = part.updated_at
    if part.part_type == "assignment":
        body["assigned_to"] = {"type": part.assigned_type, "id": part.assigned_id}
    author: dict = {"id": part.author_id, "type": part.author_type, "name": part.author_name}
    if part.author_email:
        author["email"] = part.author_email  # format: email, so left out rather than ""
    body["author"] = author
    body["attachments"] = part.attachments or []
    body["redacted"] = part.redacted
    return body


def reply_json(part: TicketPart) -> dict:
    return {
        "type": "ticket_part", "id": str(part.id), "part_type": part.part_type, "body": part.body,
        "created_at": part.created_at, "updated_at": part.updated_at,
        "author": part_json(part)["author"], "attachments": part.attachments or [], "redacted": part.redacted,
    }


def ticket_json(
    ticket: Ticket, *, ticket_type: dict, attributes: dict, contacts: list[tuple[str, str | None]],
    parts: list[TicketPart], parts_total: int,
) -> dict:
    linked = [{"type": "conversation", "id": str(ticket.conversation_id), "category": None}] if ticket.conversation_id else []
    return {
        "type": "ticket",
        "id": str(ticket.id),
        "ticket_id": str(ticket.ticket_number),
        "ticket_attributes": attributes,
        "ticket_state": ticket.state,
        "ticket_state_internal_label": STATE_LABELS[ticket.state],
        "ticket_state_external_label": STATE_LABELS[ticket.state],
        "ticket_type": ticket_type,
        "contacts": {
            "type": "contact.list",
            "contacts": [{"type": "contact", "id": cid, "external_id": external_id} for cid, external_id in contacts],
        },
        "admin_assignee_id": ticket.admin_assignee_id,
        "team_assignee_id": ticket.team_assignee_id,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "ticket_parts": {
            "type": "ticket_part.list",
            "ticket_parts": [part_json(p) for p in parts],
            "total_count": parts_total,
        },
        "open": ticket.open,
        **({"snoozed_until": ticket.snoozed_until} if ticket.snoozed_until is not None else {}),
        "linked_objects": {"type": "list", "data": linked, "total_count": len(linked), "has_more": False},
        "category": ticket.category,
        "is_shared": ticket.is_shared,
    }
