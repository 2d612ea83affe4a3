"""What ticket searches can filter on: the tickets FieldTable for core.search.

Fields are those of BEHAVIOUR's Tickets "Search fields". Dates compare at second precision with
inclusive `<`/`>` (DateMode.INCLUSIVE). `title` and `description` are the default attributes;
`ticket_attribute.{id}` names any attribute of the workspace by id and is typed by its data_type.
`contact_ids` matches a ticket's contact, `teammate_ids` an admin who wrote a part of it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from opencom.core.errors import parameter_invalid
from opencom.core.search import DateMode, FieldTable, FieldType, SearchField, compile_query, json_value
from opencom.tickets.models import Ticket, TicketContact, TicketPart

S, B, D = FieldType.STRING, FieldType.BOOLEAN, FieldType.DATE
EQUALITY = frozenset({"=", "!=", "IN", "NIN"})
PREFIX = "ticket_attribute."

# data_type -> search type (a list attribute holds its item's label, a datetime Unix seconds).
ATTRIBUTE_TYPES = {
    "string": FieldType.STRING,
    "list": FieldType.STRING,
    "integer": FieldType.INTEGER,
    "decimal": FieldType.FLOAT,
    "boolean": FieldType.BOOLEAN,
    "datetime": FieldType.DATE,
}


def _membership(exists_for) -> Any:
    """A build function for "the ticket has a related row whose value is ..." fields."""

    def build(op: str, value: Any) -> ColumnElement[bool]:
        if value is None:
            matches = exists_for(None)
            return ~matches if op == "=" else matches
        values = value if isinstance(value, list) else [value]
        matches = exists_for(values)
        return matches if op in ("=", "IN") else ~matches

    return build


def _contacts(values: list[str] | None) -> ColumnElement[bool]:
    query = sa.exists().where(TicketContact.ticket_id == Ticket.id)
    return query if values is None else query.where(TicketContact.contact_id.in_(values))


def _teammates(values: list[str] | None) -> ColumnElement[bool]:
    query = sa.exists().where(TicketPart.ticket_id == Ticket.id, TicketPart.author_type == "admin")
    return query if values is None else query.where(TicketPart.author_id.in_(values))


def ticket_field_table(session: Session, workspace_id: int) -> FieldTable:
    from opencom.ticket_types.service import find_attribute

    fields = {
        "id": SearchField(S, sa.cast(Ticket.id, sa.String)),
        "title": SearchField(S, json_value(Ticket.attributes, "_default_title_", S)),
        "description": SearchField(S, json_value(Ticket.attributes, "_default_description_", S)),
        "category": SearchField(S, Ticket.category),
        "ticket_type_id": SearchField(S, sa.cast(Ticket.ticket_type_id, sa.String)),
        "contact_ids": SearchField(S, build=_membership(_contacts), operators=EQUALITY),
        "teammate_ids": SearchField(S, build=_membership(_teammates), operators=EQUALITY),
        "admin_assignee_id": SearchField(S, Ticket.admin_assignee_id),
        "team_assignee_id": SearchField(S, Ticket.team_assignee_id),
        "state": SearchField(S, Ticket.state),
        "open": SearchField(B, Ticket.open),
        "created_at": SearchField(D, Ticket.created_at),
        "updated_at": SearchField(D, Ticket.updated_at),
        "snoozed_until": SearchField(D, Ticket.snoozed_until),
    }

    def attribute_field(name: str) -> SearchField | None:
        key = name.removeprefix(PREFIX)
        if key == name:
            return None
        attribute = find_attribute(session, workspace_id, key)
        if attribute is None:
            raise parameter_invalid(f"Unknown ticket attribute id '{key}'")
        kind = ATTRIBUTE_TYPES.get(attribute.data_type)
        if kind is None:
            raise parameter_invalid(f"Ticket attributes of type {attribute.data_type} cannot be searched")
        # Only tickets of the attribute's own type hold it.
        value = json_value(Ticket.attributes, attribute.value_key, kind)
        return SearchField(kind, sa.case((Ticket.ticket_type_id == attribute.ticket_type_id, value), else_=sa.null()))

    return FieldTable(fields, date_mode=DateMode.INCLUSIVE, dynamic=attribute_field)


def ticket_condition(session: Session, workspace_id: int, query: Any, *, path: str = "query") -> ColumnElement[bool]:
    return compile_query(query, ticket_field_table(session, workspace_id), path=path)
