"""Serializers: conversation rows as Intercom's `conversation` JSON, parts, messages.

Everything a page of conversations needs (source messages, participants, tags, teammates, the
people who wrote, the tickets converted from them) is read in a fixed number of queries, whatever
the page size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencom.admins.models import Admin
from opencom.contacts.models import Contact
from opencom.conversations import bodies
from opencom.conversations.models import Conversation, ConversationContact, ConversationPart
from opencom.conversations.service import effective_state, recent_parts
from opencom.core.clock import now
from opencom.core.pagination import Page
from opencom.messages.models import Message
from opencom.tags import service as tags
from opencom.tags.schemas import tag_json
from opencom.tickets.models import Ticket

STATISTICS_TIMES = (
    "first_contact_reply_at", "first_assignment_at", "first_admin_reply_at", "first_close_at",
    "last_assignment_at", "last_contact_reply_at", "last_admin_reply_at", "last_close_at",
)


@dataclass
class Context:
    workspace_code: str
    plaintext: bool = False
    messages: dict[int, Message] = field(default_factory=dict)
    participants: dict[int, list[Contact]] = field(default_factory=dict)
    tags: dict[int, list] = field(default_factory=dict)
    teammates: dict[int, list[str]] = field(default_factory=dict)
    parts: dict[int, list[ConversationPart]] = field(default_factory=dict)
    total_parts: dict[int, int] = field(default_factory=dict)
    admins: dict[int, Admin] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    tickets: dict[int, list[Ticket]] = field(default_factory=dict)

    def body(self, value: str | None) -> str | None:
        return bodies.plain_text(value) if self.plaintext else value


def load_context(session: Session, conversations: list[Conversation], workspace_code: str, *,
                 with_parts: bool = False, plaintext: bool = False) -> Context:
    ctx = Context(workspace_code, plaintext)
    ids = [c.id for c in conversations]
    if not ids:
        return ctx
    ctx.messages = {m.id: m for m in session.scalars(select(Message).where(Message.id.in_([c.message_id for c in conversations])))}
    ctx.participants = {i: [] for i in ids}
    rows = session.execute(
        select(ConversationContact.conversation_id, Contact).join(Contact, Contact.id == ConversationContact.contact_id)
        .where(ConversationContact.conversation_id.in_(ids)).order_by(ConversationContact.position)
    )
    for conversation_id, contact in rows:
        ctx.participants[conversation_id].append(contact)
    ctx.tags = tags.tags_of(session, "conversation", ids)
    ctx.teammates = {i: [] for i in ids}
    rows = session.execute(
        select(ConversationPart.conversation_id, ConversationPart.author_id)
        .where(ConversationPart.conversation_id.in_(ids), ConversationPart.author_type == "admin").distinct()
    )
    for conversation_id, admin_id in rows:
        ctx.teammates[conversation_id].append(admin_id)
    ctx.tickets = linked_tickets(session, conversations[0].workspace_id, ids)
    if with_parts:
        for conversation in conversations:
            ctx.parts[conversation.id] = recent_parts(session, conversation.id)
            ctx.total_parts[conversation.id] = conversation.count_conversation_parts
    _load_people(session, ctx)
    return ctx


def linked_tickets(session: Session, workspace_id: int, ids: list[int]) -> dict[int, list[Ticket]]:
    """The tickets converted from each conversation, oldest first, in one query."""
    linked: dict[int, list[Ticket]] = {i: [] for i in ids}
    rows = session.scalars(
        select(Ticket).where(Ticket.workspace_id == workspace_id, Ticket.conversation_id.in_(ids)).order_by(Ticket.id)
    )
    for ticket in rows:
        linked[ticket.conversation_id].append(ticket)
    return linked


def _load_people(session: Session, ctx: Context) -> None:
    admin_ids = {m.admin_id for m in ctx.messages.values() if m.admin_id is not None}
    contact_ids = {m.author_id for m in ctx.messages.values() if m.author_type in ("user", "lead") and m.author_id}
    for parts in ctx.parts.values():
        for part in parts:
            if part.author_type == "admin" and part.author_id and part.author_id.isascii() and part.author_id.isdigit():
                admin_ids.add(int(part.author_id))
            elif part.author_type in ("user", "lead") and part.author_id:
                contact_ids.add(part.author_id)
    if admin_ids:
        ctx.admins = {a.id: a for a in session.scalars(select(Admin).where(Admin.id.in_(admin_ids)))}
    if contact_ids:
        ctx.contacts = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))}


# --- pieces ----------------------------------------------------------------------------------


def author_json(kind: str, author_id: str | None, ctx: Context) -> dict:
    if kind == "bot":
        return {"type": "bot", "id": "0", "name": "Operator", "email": f"operator+{ctx.workspace_code}@opencom.invalid"}
    if kind == "admin":
        admin = ctx.admins.get(int(author_id)) if author_id and author_id.isascii() and author_id.isdigit() else None
        body = {"type": "admin", "id": author_id, "name": admin.name if admin else None}
        if admin is not None:
            body["email"] = admin.email
        return body
    contact = ctx.contacts.get(author_id or "")
    # A contact's type is its current role; a deleted contact keeps the role it wrote with.
    body = {"type": contact.role if contact else kind, "id": author_id, "name": contact.name if contact else None}
    if contact is not None and contact.email:
        body["email"] = contact.email  # the schema's email format has no empty value: left out instead
    return body


def attachments_json(items: list | None) -> list[dict]:
    return [dict(item) for item in items or []]


def source_json(conversation: Conversation, message: Message, ctx: Context) -> dict:
    return {
        "type": conversation.source_type,
        "id": str(message.id),
        "delivered_as": conversation.delivered_as,
        "subject": message.subject or "",
        "body": ctx.body(message.body if message.redacted else bodies.to_html(message.body, allow_html=message.direction == "outbound")),
        "author": author_json(message.author_type, message.author_id, ctx),
        "attachments": attachments_json(message.attachments),
        "url": message.url,
        "redacted": message.redacted,
    }


def part_json(part: ConversationPart, ctx: Context) -> dict:
    return {
        "type": "conversation_part",
        "id": str(part.id),
        "part_type": part.part_type,
        "body": ctx.body(part.body),
        "created_at": part.created_at,
        "updated_at": part.updated_at,
        "notified_at": part.notified_at,
        "assigned_to": {"type": part.assigned_to_type, "id": part.assigned_to_id} if part.assigned_to_type else None,
        "author": author_json(part.author_type, part.author_id, ctx),
        "attachments": attachments_json(part.attachments),
        "external_id": part.external_id,
        "redacted": part.redacted,
    }


def statistics_json(conversation: Conversation) -> dict:
    """The statistics Opencom keeps; a value it has not got yet is left out, not null."""
    body: dict[str, Any] = {"type": "conversation_statistics"}
    created = conversation.created_at
    for name, column in (("time_to_assignment", "first_assignment_at"), ("time_to_admin_reply", "first_admin_reply_at"),
                         ("time_to_first_close", "first_close_at"), ("time_to_last_close", "last_close_at")):
        value = getattr(conversation, column)
        if value is not None:
            body[name] = max(0, value - created)
    for name in STATISTICS_TIMES:
        if getattr(conversation, name) is not None:
            body[name] = getattr(conversation, name)
    if conversation.last_closed_by_id is not None:
        body["last_closed_by_id"] = str(conversation.last_closed_by_id)
    body["count_reopens"] = conversation.count_reopens
    body["count_assignments"] = conversation.count_assignments
    body["count_conversation_parts"] = conversation.count_conversation_parts
    return body


def ticket_ref_json(ticket: Ticket) -> dict:
    """The ticket a conversation was converted to. The description only ever shows `ticket: null`,
    so this is a short reference: the linked object's fields plus the inbox number and state."""
    return {"type": "ticket", "id": str(ticket.id), "ticket_id": str(ticket.ticket_number),
            "category": ticket.category, "ticket_state": ticket.state}


def conversation_json(conversation: Conversation, ctx: Context, *, with_parts: bool = False) -> dict:
    state = effective_state(conversation, now())
    message = ctx.messages[conversation.message_id]
    teammates = sorted(ctx.teammates.get(conversation.id, []), key=lambda v: (len(v), v))
    tickets = ctx.tickets.get(conversation.id, [])
    body: dict[str, Any] = {
        "type": "conversation",
        "id": str(conversation.id),
        "title": conversation.title,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "waiting_since": conversation.waiting_since,
        "snoozed_until": conversation.snoozed_until if state == "snoozed" else None,
        "source": source_json(conversation, message, ctx),
        "contacts": {
            "type": "contact.list",
            "contacts": [{"type": "contact", "id": c.id, "external_id": c.external_id}
                         for c in ctx.participants.get(conversation.id, [])],
        },
        "first_contact_reply": (
            {"created_at": conversation.first_contact_reply_at, "type": conversation.source_type, "url": None}
            if conversation.first_contact_reply_at is not None else None
        ),
        "admin_assignee_id": conversation.admin_assignee_id,
        "team_assignee_id": conversation.team_assignee_id,
        "open": state != "closed",
        "state": state,
        "read": conversation.read,
        "tags": {"type": "tag.list", "tags": [tag_json(tag, link) for tag, link in ctx.tags.get(conversation.id, [])]},
        "priority": conversation.priority,
        "sla_applied": None,
        "statistics": statistics_json(conversation),
        "conversation_rating": None,
        "teammates": {"type": "admin.list", "teammates": [{"type": "admin", "id": t} for t in teammates]} if teammates else None,
        "custom_attributes": dict(conversation.custom_attributes or {}),
        "topics": {},
        "ticket": ticket_ref_json(tickets[0]) if tickets else None,
        "linked_objects": {
            "type": "list",
            "data": [{"type": "ticket", "id": str(t.id), "category": t.category} for t in tickets],
            "total_count": len(tickets),
            "has_more": False,
        },
    }
    if with_parts:
        parts = ctx.parts.get(conversation.id, [])
        body["conversation_parts"] = {
            "type": "conversation_part.list",
            "conversation_parts": [part_json(p, ctx) for p in parts],
            "total_count": ctx.total_parts.get(conversation.id, len(parts)),
        }
    return body


def one_conversation_json(session: Session, conversation: Conversation, workspace_code: str, *, plaintext: bool = False) -> dict:
    session.flush()
    ctx = load_context(session, [conversation], workspace_code, with_parts=True, plaintext=plaintext)
    return conversation_json(conversation, ctx, with_parts=True)


def conversation_list_json(session: Session, page: Page, workspace_code: str) -> dict:
    ctx = load_context(session, page.rows, workspace_code)
    return {
        "type": "conversation.list",
        "pages": page.cursor_pages(),
        "total_count": page.total_count,
        "conversations": [conversation_json(c, ctx) for c in page.rows],
    }


def customers_json(contacts: list[Contact]) -> dict:
    return {"customers": [{"type": c.role, "id": c.id} for c in contacts]}


def user_message_json(message: Message, conversation: Conversation) -> dict:
    body = {
        "type": "user_message",
        "id": str(message.id),
        "created_at": message.created_at,
        "body": message.body,
        "message_type": "inapp",
        "conversation_id": str(conversation.id),
    }
    if message.subject:
        body["subject"] = message.subject
    return body
