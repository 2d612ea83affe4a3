"""The rules for ticket types and their attributes.

Every type starts with the two built-in attributes `_default_title_` and `_default_description_`
(order 0 and 1); attributes added later are appended after the last one. Archived types and
attributes stay readable; archived attributes are left out when tickets are created or updated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencom.core.clock import now
from opencom.core.errors import ApiError, not_found, parameter_invalid, parameter_not_found
from opencom.core.ids import new_uuid
from opencom.tags.service import int_id
from opencom.ticket_types.models import TicketType, TicketTypeAttribute
from opencom.ticket_types.schemas import DEFAULT_ICON

TITLE, DESCRIPTION = "_default_title_", "_default_description_"
DEFAULT_NAMES = (TITLE, DESCRIPTION)
MAX_LIST_ITEMS = 500


def ticket_type_not_found() -> ApiError:
    return not_found("Ticket type not found")


def attribute_not_found() -> ApiError:
    return not_found("Ticket type attribute not found")


# --- ticket types ------------------------------------------------------------------------------


def find_ticket_type(session: Session, workspace_id: int, type_id: Any) -> TicketType | None:
    key = int_id(type_id)
    if key is None:
        return None
    return session.scalar(select(TicketType).where(TicketType.workspace_id == workspace_id, TicketType.id == key))


def get_ticket_type(session: Session, workspace_id: int, type_id: Any) -> TicketType:
    ticket_type = find_ticket_type(session, workspace_id, type_id)
    if ticket_type is None:
        raise ticket_type_not_found()
    return ticket_type


def list_ticket_types(session: Session, workspace_id: int) -> list[TicketType]:
    query = select(TicketType).where(TicketType.workspace_id == workspace_id).order_by(TicketType.id)
    return list(session.scalars(query))


def create_ticket_type(session: Session, workspace_id: int, fields: dict) -> TicketType:
    moment = now()
    ticket_type = TicketType(
        workspace_id=workspace_id, name=fields["name"], description=fields.get("description", ""),
        category=fields.get("category", "Customer"), icon=fields.get("icon", DEFAULT_ICON),
        is_internal=fields.get("is_internal", False), archived=False, created_at=moment, updated_at=moment,
    )
    session.add(ticket_type)
    session.flush()
    for position, (name, multiline) in enumerate(((TITLE, False), (DESCRIPTION, True))):
        session.add(TicketTypeAttribute(
            workspace_id=workspace_id, ticket_type_id=ticket_type.id, name=name, description="",
            data_type="string", input_options={"multiline": multiline}, position=position,
            required_to_create=False, required_to_create_for_contacts=False, visible_on_create=True,
            visible_to_contacts=True, is_default=True, archived=False, created_at=moment, updated_at=moment,
        ))
    session.flush()
    return ticket_type


def update_ticket_type(session: Session, workspace_id: int, type_id: str, fields: dict) -> TicketType:
    ticket_type = get_ticket_type(session, workspace_id, type_id)
    for name, value in fields.items():
        setattr(ticket_type, name, value)
    if fields:
        ticket_type.updated_at = now()
    return ticket_type


# --- attributes --------------------------------------------------------------------------------


def attributes_of(session: Session, type_ids: Iterable[int]) -> dict[int, list[TicketTypeAttribute]]:
    """Each type's attributes, archived ones included, in their order."""
    found: dict[int, list[TicketTypeAttribute]] = {type_id: [] for type_id in type_ids}
    if found:
        query = (
            select(TicketTypeAttribute).where(TicketTypeAttribute.ticket_type_id.in_(list(found)))
            .order_by(TicketTypeAttribute.position, TicketTypeAttribute.id)
        )
        for attribute in session.scalars(query):
            found[attribute.ticket_type_id].append(attribute)
    return found


def get_attribute(session: Session, workspace_id: int, type_id: str, attribute_id: str) -> TicketTypeAttribute:
    ticket_type = get_ticket_type(session, workspace_id, type_id)
    key = int_id(attribute_id)
    attribute = None if key is None else session.scalar(
        select(TicketTypeAttribute).where(
            TicketTypeAttribute.ticket_type_id == ticket_type.id, TicketTypeAttribute.id == key
        )
    )
    if attribute is None:
        raise attribute_not_found()
    return attribute


def find_attribute(session: Session, workspace_id: int, attribute_id: Any) -> TicketTypeAttribute | None:
    key = int_id(attribute_id)
    if key is None:
        return None
    return session.scalar(select(TicketTypeAttribute).where(
        TicketTypeAttribute.workspace_id == workspace_id, TicketTypeAttribute.id == key
    ))


def list_options(items: str, previous: list[dict] | None = None) -> list[dict]:
    """The options of a list attribute from a comma-separated string; an option whose label was
    already there keeps its id (tickets hold labels, searches may name ids)."""
    labels = [label.strip() for label in items.split(",") if label.strip()]
    if not labels:
        raise parameter_invalid("list_items must name at least one item", "list_items")
    if len(labels) > MAX_LIST_ITEMS:
        raise parameter_invalid(f"list_items can hold at most {MAX_LIST_ITEMS} items", "list_items")
    if len({label.lower() for label in labels}) != len(labels):
        raise parameter_invalid("list_items must not repeat an item", "list_items")
    known = {option["label"]: option["id"] for option in previous or []}
    return [{"id": known.get(label) or new_uuid(), "label": label, "archived": False} for label in labels]


def _input_options(data_type: str, fields: dict, current: dict | None) -> dict | None:
    """`input_options` for the type: multiline (string), list_options (list), allow_multiple_values
    (files). An option sent for another data type is a 400 naming it."""
    for option, owner in (("multiline", "string"), ("list_items", "list"), ("allow_multiple_values", "files")):
        if option in fields and data_type != owner:
            raise parameter_invalid(f"{option} only applies to {owner} attributes", option)
    options = dict(current or {})
    if data_type == "string":
        options["multiline"] = fields.get("multiline", options.get("multiline", False))
    elif data_type == "list":
        if "list_items" in fields:
            options["list_options"] = list_options(fields["list_items"], options.get("list_options"))
        elif "list_options" not in options:
            raise parameter_not_found("list_items is required for list attributes", "list_items")
    elif data_type == "files":
        options["allow_multiple_values"] = fields.get("allow_multiple_values", options.get("allow_multiple_values", False))
    else:
        return None
    return options


FLAGS = ("required_to_create", "required_to_create_for_contacts", "visible_on_create", "visible_to_contacts")
FLAG_DEFAULTS = {"required_to_create": False, "required_to_create_for_contacts": False,
                 "visible_on_create": True, "visible_to_contacts": True}


def create_attribute(session: Session, workspace_id: int, type_id: str, fields: dict) -> TicketTypeAttribute:
    ticket_type = get_ticket_type(session, workspace_id, type_id)
    last = session.scalar(
        select(func.max(TicketTypeAttribute.position)).where(TicketTypeAttribute.ticket_type_id == ticket_type.id)
    )
    moment = now()
    attribute = TicketTypeAttribute(
        workspace_id=workspace_id, ticket_type_id=ticket_type.id, name=fields["name"],
        description=fields["description"], data_type=fields["data_type"],
        input_options=_input_options(fields["data_type"], fields, None),
        position=(last if last is not None else -1) + 1, is_default=False, archived=False,
        created_at=moment, updated_at=moment,
        **{flag: fields.get(flag, FLAG_DEFAULTS[flag]) for flag in FLAGS},
    )
    _save(session, attribute)
    return attribute


def update_attribute(session: Session, workspace_id: int, type_id: str, attribute_id: str, fields: dict) -> TicketTypeAttribute:
    attribute = get_attribute(session, workspace_id, type_id, attribute_id)
    if attribute.is_default and fields.get("name", attribute.name) != attribute.name:
        raise parameter_invalid("The default attributes cannot be renamed", "name")
    options = _input_options(attribute.data_type, fields, attribute.input_options)

    def change() -> None:
        for name in ("name", "description", "archived", *FLAGS):
            if name in fields:
                setattr(attribute, name, fields[name])
        if options != attribute.input_options:
            attribute.input_options = options
        if fields:
            attribute.updated_at = now()

    _save(session, attribute, change)
    return attribute


def _save(session: Session, attribute: TicketTypeAttribute, change=lambda: None) -> None:
    """Apply `change` and flush in a SAVEPOINT: the unique (ticket_type_id, name) index decides
    on duplicate names, so two concurrent requests can't both win."""
    name = attribute.name
    try:
        with session.begin_nested():
            change()
            name = attribute.name
            session.add(attribute)
            session.flush()
    except IntegrityError:
        raise parameter_invalid(f"An attribute named '{name}' already exists on this ticket type", "name") from None
