"""The rules for tickets: create, update (state, assignment, snooze, attributes), replies, search,
tagging, and converting a conversation into a ticket.

Every change that the inbox would show is recorded as a ticket part, authored by the admin who
made it (the token's admin unless the request names one).
"""

from __future__ import annotations

import mimetypes
import posixpath
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencom.admins.models import Admin
from opencom.admins.service import find_admin
from opencom.companies.models import Company
from opencom.contacts.models import Contact
from opencom.core.clock import now
from opencom.core.errors import ApiError, not_found, parameter_invalid, parameter_not_found
from opencom.core.pagination import Page, SortKey, cursor_paginate
from opencom.tags import service as tags
from opencom.tags.service import int_id
from opencom.teams.service import find_team
from opencom.ticket_types.models import TicketType
from opencom.ticket_types.service import attributes_of, get_ticket_type
from opencom.tickets import schemas
from opencom.tickets.attributes import check_attributes
from opencom.tickets.models import Ticket, TicketContact, TicketPart, TicketTag
from opencom.tickets.search import ticket_condition

UPDATE_STATES = ("in_progress", "waiting_on_customer", "resolved")
SORT = [SortKey(Ticket.created_at), SortKey(Ticket.id)]
NUMBER_ATTEMPTS = 5

tags.register_target("ticket", TicketTag, "ticket_id")


def ticket_not_found() -> ApiError:
    return ApiError(404, "ticket_not_found", "Ticket not found")


def assignee_not_found() -> ApiError:
    return ApiError(404, "assignee_not_found", "Assignee not found")


def admin_not_found() -> ApiError:
    return ApiError(404, "admin_not_found", "Admin not found")


@dataclass(frozen=True)
class Author:
    type: str
    id: str
    name: str | None
    email: str | None

    @classmethod
    def admin(cls, admin: Admin) -> Author:
        return cls("admin", str(admin.id), admin.name, admin.email)

    @classmethod
    def contact(cls, contact: Contact) -> Author:
        return cls("user", contact.id, contact.name, contact.email)


# --- lookups -------------------------------------------------------------------------------------


def find_ticket(session: Session, workspace_id: int, ticket_id: Any) -> Ticket | None:
    key = int_id(ticket_id)
    if key is None:
        return None
    return session.scalar(select(Ticket).where(Ticket.workspace_id == workspace_id, Ticket.id == key))


def get_ticket(session: Session, workspace_id: int, ticket_id: Any, error=ticket_not_found) -> Ticket:
    ticket = find_ticket(session, workspace_id, ticket_id)
    if ticket is None:
        raise error()
    return ticket


def _admin(session: Session, workspace_id: int, admin_id: Any) -> Admin | None:
    return find_admin(session, workspace_id, admin_id) if int_id(admin_id) is not None else None


def acting_admin(session: Session, workspace_id: int, admin_id: Any) -> Admin:
    admin = _admin(session, workspace_id, admin_id)
    if admin is None:
        raise admin_not_found()
    return admin


def _contact_where(session: Session, workspace_id: int, *conditions) -> Contact | None:
    # Users before leads, then the oldest: the contact an identifier most likely means.
    return session.scalar(
        select(Contact).where(Contact.workspace_id == workspace_id, *conditions)
        .order_by((Contact.role == "user").desc(), Contact.created_at, Contact.id).limit(1)
    )


def _normal_email(email: str) -> str:
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def find_contact_by(session: Session, workspace_id: int, key: str, value: Any) -> Contact | None:
    if isinstance(value, int) and not isinstance(value, bool) and key == "external_id":
        value = str(value)
    if not isinstance(value, str) or not value or len(value) > 255:
        return None
    column = {"id": Contact.id, "external_id": Contact.external_id, "email": Contact.email}[key]
    if key == "email":
        value = _normal_email(value)
    return _contact_where(session, workspace_id, column == value)


# --- create --------------------------------------------------------------------------------------


def _ticket_contact(session: Session, workspace_id: int, contacts: list[dict]) -> Contact:
    """The one contact `contacts` names by id, external_id or email; an unknown email makes a user."""
    if len(contacts) != 1:
        raise parameter_invalid("contacts must hold exactly one contact", "contacts")
    entry = contacts[0]
    for key in ("id", "external_id", "email"):
        if entry.get(key) is not None:
            contact = find_contact_by(session, workspace_id, key, entry[key])
            if contact is not None:
                return contact
            if key == "email" and isinstance(entry[key], str):
                from opencom.contacts.service import create_contact

                return create_contact(session, workspace_id, {"email": entry[key].strip(), "role": "user"})
            if not isinstance(entry[key], (str, int)) or isinstance(entry[key], bool):
                raise parameter_invalid(f"contacts[0].{key} must be a string", f"contacts[0].{key}")
            raise not_found("User Not Found")
    raise parameter_not_found("contacts[0] needs an id, external_id or email", "contacts[0]")


def _company(session: Session, workspace_id: int, company_id: Any) -> str | None:
    if company_id is None:
        return None
    company = session.scalar(
        select(Company).where(Company.workspace_id == workspace_id, Company.company_id == str(company_id),
                              Company.archived.is_(False))
    )
    if company is None:
        raise ApiError(404, "company_not_found", "Company Not Found")
    return company.id


def _live_type(session: Session, workspace_id: int, type_id: Any) -> TicketType:
    ticket_type = get_ticket_type(session, workspace_id, type_id)
    if ticket_type.archived:
        raise parameter_invalid("Tickets cannot be created with an archived ticket type", "ticket_type_id")
    return ticket_type


def create_ticket(session: Session, workspace_id: int, actor: Admin, request: schemas.CreateTicketRequest) -> Ticket:
    ticket_type = _live_type(session, workspace_id, request.ticket_type_id)
    attributes = attributes_of(session, [ticket_type.id])[ticket_type.id]
    values = check_attributes(request.ticket_attributes, attributes, field="ticket_attributes", creating=True)
    contact = _ticket_contact(session, workspace_id, request.contacts)
    company_id = _company(session, workspace_id, request.company_id)
    return open_ticket(
        session, workspace_id, actor, ticket_type, contact, values,
        company_id=company_id, is_shared=ticket_type.category == "Customer",
    )


def open_ticket(
    session: Session, workspace_id: int, actor: Admin, ticket_type: TicketType, contact: Contact, values: dict,
    *, company_id: str | None = None, is_shared: bool, conversation_id: int | None = None,
    history: list[TicketPart] = (),
) -> Ticket:
    """Insert a submitted ticket with its first part; `history` parts (copied from a conversation)
    come before it."""
    moment = now()
    ticket = Ticket(
        workspace_id=workspace_id, ticket_type_id=ticket_type.id, category=ticket_type.category,
        state="submitted", open=True, is_shared=is_shared, snoozed_until=None,
        admin_assignee_id="0", team_assignee_id="0", company_id=company_id,
        conversation_id=conversation_id, attributes=values, created_at=moment, updated_at=moment,
    )
    _insert_numbered(session, workspace_id, ticket)
    session.add(TicketContact(ticket_id=ticket.id, contact_id=contact.id))
    for part in history:
        part.ticket_id = ticket.id
        session.add(part)
    session.flush()
    add_part(session, ticket, Author.admin(actor), "ticket_state_updated_by_admin",
             previous_state="submitted", state="submitted")
    return ticket


def _insert_numbered(session: Session, workspace_id: int, ticket: Ticket) -> None:
    """Give the ticket the workspace's next inbox number. The unique (workspace, number) index
    decides between concurrent creates; the loser takes the next number."""
    for attempt in range(NUMBER_ATTEMPTS):
        highest = session.scalar(select(func.max(Ticket.ticket_number)).where(Ticket.workspace_id == workspace_id))
        ticket.ticket_number = (highest or 0) + 1
        try:
            with session.begin_nested():
                session.add(ticket)
                session.flush()
            return
        except IntegrityError:
            # The rolled-back savepoint expunged the ticket; the next attempt adds it again.
            if attempt == NUMBER_ATTEMPTS - 1:
                raise


def add_part(
    session: Session, ticket: Ticket, author: Author, part_type: str, *, body: str | None = None,
    previous_state: str | None = None, state: str | None = None, assigned: tuple[str, str | None] | None = None,
    attachments: list | None = None, reply_options: list | None = None,
) -> TicketPart:
    moment = now()
    part = TicketPart(
        ticket_id=ticket.id, part_type=part_type, body=body, previous_state=previous_state, state=state,
        author_type=author.type, author_id=author.id, author_name=author.name, author_email=author.email or None,
        assigned_type=assigned[0] if assigned else None, assigned_id=assigned[1] if assigned else None,
        attachments=attachments or [], reply_options=reply_options, redacted=False,
        created_at=moment, updated_at=moment,
    )
    session.add(part)
    session.flush()
    return part


# --- update --------------------------------------------------------------------------------------


def update_ticket(session: Session, workspace_id: int, ticket_id: str, actor: Admin, request: schemas.UpdateTicketRequest) -> Ticket:
    ticket = get_ticket(session, workspace_id, ticket_id)
    assignment = _assignment(request)
    if assignment is not None and assignment.get("admin_id") is not None:
        actor = _admin(session, workspace_id, assignment["admin_id"]) or _raise(assignee_not_found)
    author = Author.admin(actor)
    state = _new_state(request)
    changed = False
    if request.ticket_attributes is not None:
        changed |= _update_attributes(session, ticket, request.ticket_attributes, author)
    if state is not None and state != ticket.state:
        add_part(session, ticket, author, "ticket_state_updated_by_admin", previous_state=ticket.state, state=state)
        ticket.state = state
        changed = True
    if assignment is not None and assignment.get("assignee_id") is not None:
        changed |= _assign(session, workspace_id, ticket, assignment["assignee_id"], author)
    if request.snoozed_until is not None:
        changed |= _snooze(session, ticket, request.snoozed_until, author)
    if request.open is not None and request.open != ticket.open:
        add_part(session, ticket, author, "open" if request.open else "close")
        ticket.open = request.open
        if not request.open:
            ticket.snoozed_until = None  # closing also unsnoozes
        changed = True
    if request.is_shared is not None and request.is_shared != ticket.is_shared:
        ticket.is_shared = request.is_shared
        changed = True
    if changed:
        ticket.updated_at = now()
    return ticket


def _raise(error):
    raise error()


def _assignment(request: schemas.UpdateTicketRequest) -> dict | None:
    if request.assignment is not None:
        return request.assignment.given()
    if request.admin_id is not None or request.assignee_id is not None:
        return {"admin_id": request.admin_id, "assignee_id": request.assignee_id}
    return None


def _new_state(request: schemas.UpdateTicketRequest) -> str | None:
    field, state = ("state", request.state) if request.state is not None else ("ticket_state_id", request.ticket_state_id)
    if state is None:
        return None
    if state == "submitted":
        raise parameter_invalid("A ticket cannot be moved back to submitted", field)
    if state not in UPDATE_STATES:
        raise parameter_invalid(f"{field} must be one of {', '.join(UPDATE_STATES)}", field)
    return state


def _update_attributes(session: Session, ticket: Ticket, values: dict, author: Author) -> bool:
    attributes = attributes_of(session, [ticket.ticket_type_id])[ticket.ticket_type_id]
    checked = check_attributes(values, attributes, field="ticket_attributes", creating=False)
    stored = dict(ticket.attributes or {})
    changed = False
    for key, value in checked.items():
        if stored.get(key) != value:
            stored[key] = value
            add_part(session, ticket, author, "ticket_attribute_updated_by_admin")
            changed = True
    ticket.attributes = stored  # a new dict, so the JSON column is seen as changed
    return changed


def _assign(session: Session, workspace_id: int, ticket: Ticket, assignee_id: Any, author: Author) -> bool:
    """Assign to an admin or a team (admins are looked up first); "0" unassigns both."""
    if str(assignee_id) == "0":
        if ticket.admin_assignee_id == "0" and ticket.team_assignee_id == "0":
            return False
        ticket.admin_assignee_id = ticket.team_assignee_id = "0"
        add_part(session, ticket, author, "assignment", assigned=("nobody_admin", None))
        return True
    admin = _admin(session, workspace_id, assignee_id)
    team = None if admin is not None or int_id(assignee_id) is None else find_team(session, workspace_id, assignee_id)
    if admin is None and team is None:
        raise assignee_not_found()
    if admin is not None:
        ticket.admin_assignee_id = str(admin.id)
        add_part(session, ticket, author, "assignment", assigned=("admin", str(admin.id)))
    else:
        ticket.team_assignee_id = str(team.id)
        add_part(session, ticket, author, "assignment", assigned=("team", str(team.id)))
    return True


def _snooze(session: Session, ticket: Ticket, until: int, author: Author) -> bool:
    ticket.snoozed_until = until
    ticket.open = True  # a snoozed ticket is open, and reopens when the snooze ends
    add_part(session, ticket, author, "snoozed")
    return True


# --- reply ---------------------------------------------------------------------------------------


def _attachments(urls: list[str] | None) -> list[dict]:
    found = []
    for url in urls or []:
        name = posixpath.basename(url.split("?", 1)[0]) or url
        item = {"type": "upload", "name": name[:255], "url": url}
        content_type = mimetypes.guess_type(name)[0]
        if content_type:
            item["content_type"] = content_type
        found.append(item)
    return found


def reply(session: Session, workspace_id: int, ticket_id: str, body: Any) -> TicketPart:
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "The request body must be a JSON object.")
    ticket = get_ticket(session, workspace_id, ticket_id, error=not_found)
    kind = body.get("type")
    if kind == "user":
        return _contact_reply(session, workspace_id, ticket, schemas.parse(schemas.ContactReply, body))
    if kind == "admin":
        return _admin_reply(session, workspace_id, ticket, schemas.parse(schemas.AdminReply, body))
    if kind is None:
        raise parameter_not_found("type is required", "type")
    raise parameter_invalid("type must be 'user' or 'admin'", "type")


def _contact_reply(session: Session, workspace_id: int, ticket: Ticket, request: schemas.ContactReply) -> TicketPart:
    for field, key in (("intercom_user_id", "id"), ("user_id", "external_id"), ("email", "email")):
        value = getattr(request, field)
        if value is not None:
            contact = find_contact_by(session, workspace_id, key, value)
            if contact is None:
                raise not_found("User Not Found")
            break
    else:
        raise parameter_not_found("One of intercom_user_id, user_id or email is required", "intercom_user_id")
    ticket.updated_at = now()
    return add_part(session, ticket, Author.contact(contact), "comment", body=request.body,
                    attachments=_attachments(request.attachment_urls))


def _admin_reply(session: Session, workspace_id: int, ticket: Ticket, request: schemas.AdminReply) -> TicketPart:
    admin = acting_admin(session, workspace_id, request.admin_id)
    options = None
    if request.message_type == "quick_reply":
        if not request.reply_options:
            raise parameter_not_found("reply_options is required for quick_reply", "reply_options")
        options = [option.given() for option in request.reply_options]
    elif not request.body:
        raise parameter_not_found(f"body is required for {request.message_type}", "body")
    ticket.updated_at = now()
    return add_part(session, ticket, Author.admin(admin), request.message_type, body=request.body,
                    attachments=_attachments(request.attachment_urls), reply_options=options)


# --- search --------------------------------------------------------------------------------------


def search_tickets(session: Session, workspace_id: int, query: Any, *, per_page: int, starting_after: str | None) -> Page:
    condition = ticket_condition(session, workspace_id, query)
    try:
        return cursor_paginate(
            session, select(Ticket).where(Ticket.workspace_id == workspace_id, condition), SORT,
            per_page=per_page, starting_after=starting_after,
        )
    except ApiError as error:
        if error.field == "starting_after":
            error.field = "pagination.starting_after"
        raise


# --- tags ----------------------------------------------------------------------------------------


def tag_not_found() -> ApiError:
    return ApiError(404, "tag_not_found", "Tag not found")


def tag_ticket(session: Session, workspace_id: int, ticket_id: str, request: schemas.TagRequest):
    ticket = get_ticket(session, workspace_id, ticket_id)
    admin = acting_admin(session, workspace_id, request.admin_id)
    tag = tags.find_tag(session, workspace_id, request.id) or _raise(tag_not_found)
    tags.apply_tag(session, "ticket", [ticket.id], tag, admin.id)
    return tag, tags.tagging(session, "ticket", ticket.id, tag)


def untag_ticket(session: Session, workspace_id: int, ticket_id: str, tag_id: str, request: schemas.UntagRequest):
    ticket = get_ticket(session, workspace_id, ticket_id)
    acting_admin(session, workspace_id, request.admin_id)
    tag = tags.find_tag(session, workspace_id, tag_id) or _raise(tag_not_found)
    link = tags.tagging(session, "ticket", ticket.id, tag)
    if link is None:
        raise tag_not_found()  # not on this ticket
    tags.remove_tag(session, "ticket", [ticket.id], tag)
    return tag, link


# --- serialising ---------------------------------------------------------------------------------


def tickets_json(session: Session, tickets: list[Ticket], workspace_code: str) -> list[dict]:
    """Full ticket objects for a page of tickets, read with a fixed number of queries."""
    from opencom.ticket_types.schemas import ticket_type_json
    from opencom.tickets.attributes import display

    if not tickets:
        return []
    ids = [t.id for t in tickets]
    type_ids = {t.ticket_type_id for t in tickets}
    types = {t.id: t for t in session.scalars(select(TicketType).where(TicketType.id.in_(type_ids)))}
    attributes = attributes_of(session, type_ids)
    types_json = {tid: ticket_type_json(types[tid], attributes[tid], workspace_code) for tid in type_ids}
    contacts = _contacts_of(session, ids)
    parts, totals = _parts_of(session, ids)
    return [
        schemas.ticket_json(
            t, ticket_type=types_json[t.ticket_type_id],
            attributes=display(t.attributes, attributes[t.ticket_type_id]),
            contacts=contacts[t.id], parts=parts[t.id], parts_total=totals.get(t.id, 0),
        )
        for t in tickets
    ]


def _contacts_of(session: Session, ticket_ids: list[int]) -> dict[int, list[tuple[str, str | None]]]:
    found: dict[int, list] = {tid: [] for tid in ticket_ids}
    rows = session.execute(
        select(TicketContact.ticket_id, Contact.id, Contact.external_id)
        .join(Contact, Contact.id == TicketContact.contact_id)
        .where(TicketContact.ticket_id.in_(ticket_ids)).order_by(Contact.id)
    )
    for ticket_id, contact_id, external_id in rows:
        found[ticket_id].append((contact_id, external_id))
    return found


MAX_PARTS = 500


def _parts_of(session: Session, ticket_ids: list[int]) -> tuple[dict[int, list[TicketPart]], dict[int, int]]:
    """The latest MAX_PARTS parts of each ticket, oldest first, and each ticket's part count."""
    rank = func.row_number().over(partition_by=TicketPart.ticket_id, order_by=TicketPart.id.desc()).label("rank")
    ranked = select(TicketPart.id, rank).where(TicketPart.ticket_id.in_(ticket_ids)).subquery()
    query = (
        select(TicketPart).join(ranked, ranked.c.id == TicketPart.id)
        .where(ranked.c.rank <= MAX_PARTS).order_by(TicketPart.ticket_id, TicketPart.id)
    )
    parts: dict[int, list[TicketPart]] = {tid: [] for tid in ticket_ids}
    for part in session.scalars(query):
        parts[part.ticket_id].append(part)
    totals = dict(session.execute(
        select(TicketPart.ticket_id, func.count()).where(TicketPart.ticket_id.in_(ticket_ids)).group_by(TicketPart.ticket_id)
    ).all())
    return parts, totals


def ticket_json(session: Session, ticket: Ticket, workspace_code: str) -> dict:
    return tickets_json(session, [ticket], workspace_code)[0]


def ticket_list_json(session: Session, page: Page, workspace_code: str) -> dict:
    return {
        "type": "ticket.list",
        "pages": page.cursor_pages(),
        "total_count": page.total_count,
        "tickets": tickets_json(session, page.rows, workspace_code),
    }


# --- contact merges ------------------------------------------------------------------------------


def move_contact_tickets(session: Session, from_id: str, into_id: str) -> None:
    """Give contact `from_id`'s tickets to `into_id` (the hook contacts' merge should call, from
    opencom.contacts.service.move_contact_references); a ticket that has both keeps one row."""
    table = TicketContact.__table__
    other = table.alias("owned")
    owned = select(other.c.ticket_id).where(other.c.contact_id == into_id)
    session.execute(
        sa.update(table).where(table.c.contact_id == from_id, table.c.ticket_id.not_in(owned)).values(contact_id=into_id)
    )
