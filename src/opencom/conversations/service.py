"""The inbox's rules: creating conversations, replies, state changes, assignment, participants,
redaction and tags.

State
- A conversation is `open`, `closed` or `snoozed`. A snooze whose `snoozed_until` has passed
  reads as open everywhere (JSON and search compute it from the clock, see `effective_state` and
  search.state_expr), and is written back as open by the next change to the conversation.
- Contact-initiated conversations start open and waiting; admin-initiated ones (from
  POST /messages) start closed and assigned to the sender, as upstream's examples show, until
  the contact replies.
- A contact reply to a closed or snoozed conversation reopens it with part type `open`, an
  assignment that reopens one is `assign_and_reopen` (BEHAVIOUR Ambiguity 14).

Every change adds a part and moves `updated_at`; the statistics columns follow the parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from opencom.admins.models import Admin
from opencom.contacts.models import Contact
from opencom.conversations import bodies
from opencom.conversations.models import Conversation, ConversationContact, ConversationPart, ConversationTag
from opencom.core.clock import now
from opencom.core.errors import ApiError, not_found, parameter_invalid, parameter_not_found
from opencom.core.pagination import Page, SortKey, cursor_paginate
from opencom.core.search import DATE_MAX, DATE_MIN
from opencom.messages.models import Message
from opencom.tags import service as tags
from opencom.tags.models import Tag
from opencom.teams.models import Team

tags.register_target("conversation", ConversationTag, "conversation_id")

# Lists and searches: newest conversations first; id breaks ties within a second.
SORT = [SortKey(Conversation.created_at, descending=True), SortKey(Conversation.id, descending=True)]
MAX_PARTS = 500
CONTACT_ROLES = ("user", "lead")


# --- errors and lookups ----------------------------------------------------------------------


def conversation_not_found(message: str = "Resource Not Found") -> ApiError:
    return not_found(message)


def user_not_found() -> ApiError:
    return not_found("User Not Found")


def find_conversation(session: Session, workspace_id: int, conversation_id: Any, *, lock: bool = False) -> Conversation | None:
    key = tags.int_id(conversation_id)
    if key is None:
        return None
    query = select(Conversation).where(Conversation.workspace_id == workspace_id, Conversation.id == key)
    return session.scalar(query.with_for_update() if lock else query)


def get_conversation(session: Session, workspace_id: int, conversation_id: Any, *, lock: bool = False,
                     message: str = "Resource Not Found") -> Conversation:
    conversation = find_conversation(session, workspace_id, conversation_id, lock=lock)
    if conversation is None:
        raise conversation_not_found(message)
    return conversation


def get_admin(session: Session, workspace_id: int, admin_id: Any, field: str = "admin_id") -> Admin:
    if admin_id is None or admin_id == "":
        raise parameter_not_found(f"{field} is required", field)
    key = tags.int_id(admin_id)
    admin = None
    if key is not None:
        admin = session.scalar(select(Admin).where(Admin.workspace_id == workspace_id, Admin.id == key))
    if admin is None:
        if isinstance(admin_id, bool) or not isinstance(admin_id, (str, int)):
            raise parameter_invalid(f"{field} must be an admin id", field)
        raise ApiError(404, "admin_not_found", "Admin not found", field)
    return admin


def find_contact(session: Session, workspace_id: int, *, id: Any = None, user_id: Any = None, email: Any = None) -> Contact | None:
    """A contact by Intercom id, else external id (`user_id`), else email (users before leads)."""
    base = select(Contact).where(Contact.workspace_id == workspace_id)
    if id is not None:
        return session.scalar(base.where(Contact.id == str(id)))
    if user_id is not None:
        return session.scalar(base.where(Contact.external_id == str(user_id)))
    if email is not None:
        order = [(Contact.role == "user").desc(), Contact.updated_at.desc(), Contact.id]
        return session.scalar(base.where(Contact.email == str(email).strip().lower()).order_by(*order).limit(1))
    return None


def identify_contact(session: Session, workspace_id: int, body: dict, keys=("intercom_user_id", "user_id", "email")) -> Contact:
    """The contact a request names by intercom_user_id | user_id | email; 404 when unknown."""
    given = {key: body.get(key) for key in keys if body.get(key) not in (None, "")}
    if not given:
        raise parameter_not_found(f"One of {', '.join(keys)} is required", keys[0])
    for key, value in given.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise parameter_invalid(f"{key} must be a string", key)
    contact = find_contact(session, workspace_id, id=given.get("intercom_user_id"), user_id=given.get("user_id"),
                           email=given.get("email") if "intercom_user_id" not in given and "user_id" not in given else None)
    if contact is None:
        raise user_not_found()
    return contact


# --- state -----------------------------------------------------------------------------------


def effective_state(conversation: Conversation, moment: int | None = None) -> str:
    moment = now() if moment is None else moment
    if conversation.state == "snoozed" and conversation.snoozed_until is not None and conversation.snoozed_until <= moment:
        return "open"
    return conversation.state


def _wake(conversation: Conversation) -> None:
    """Persist a snooze that has run out as open (it already reads as open)."""
    if conversation.state == "snoozed" and effective_state(conversation) == "open":
        conversation.state = "open"
        conversation.snoozed_until = None


def _reopen(conversation: Conversation) -> bool:
    """Open a closed or snoozed conversation; True when it was not open."""
    if conversation.state == "open":
        return False
    conversation.state = "open"
    conversation.snoozed_until = None
    conversation.count_reopens += 1
    return True


@dataclass
class Author:
    type: str  # admin, bot, user, lead
    id: str | None


def admin_author(admin: Admin) -> Author:
    return Author("admin", str(admin.id))


def contact_author(contact: Contact) -> Author:
    return Author(contact.role, contact.id)


BOT = Author("bot", None)


def add_part(
    session: Session,
    conversation: Conversation,
    part_type: str,
    author: Author,
    *,
    body: str | None = None,
    assigned_to: tuple[str, str | None] | None = None,
    attachments: list | None = None,
    created_at: int | None = None,
) -> ConversationPart:
    moment = now()
    at = moment if created_at is None else created_at
    part = ConversationPart(
        conversation_id=conversation.id, part_type=part_type, body=body, author_type=author.type,
        author_id=author.id, assigned_to_type=assigned_to[0] if assigned_to else None,
        assigned_to_id=assigned_to[1] if assigned_to else None, attachments=attachments or [],
        redacted=False, created_at=at, updated_at=at, notified_at=at,
    )
    session.add(part)
    conversation.count_conversation_parts += 1
    conversation.updated_at = max(conversation.updated_at, moment)
    session.flush()
    return part


# --- create ----------------------------------------------------------------------------------


def new_conversation(
    session: Session,
    workspace_id: int,
    message: Message,
    contact: Contact,
    *,
    source_type: str,
    delivered_as: str,
    state: str,
    admin_assignee_id: int | None = None,
) -> Conversation:
    """A conversation whose source is `message`, with `contact` as its participant."""
    at = message.created_at
    inbound = message.direction == "inbound"
    conversation = Conversation(
        workspace_id=workspace_id, message_id=message.id, source_type=source_type, delivered_as=delivered_as,
        state=state, read=False, priority="not_priority", admin_assignee_id=admin_assignee_id,
        team_assignee_id=None, waiting_since=at if inbound else None, custom_attributes={},
        created_at=at, updated_at=max(at, now()) if not inbound else at,
        first_contact_reply_at=at if inbound else None, last_contact_reply_at=at if inbound else None,
        count_reopens=0, count_assignments=0, count_conversation_parts=0,
    )
    session.add(conversation)
    session.flush()
    session.add(ConversationContact(conversation_id=conversation.id, contact_id=contact.id, position=0, added_at=at))
    session.flush()
    return conversation


def contact_from(session: Session, workspace_id: int, sender: Any) -> Contact:
    """The contact a `from {type, id}` names; a visitor named with type `contact` becomes a lead."""
    if not isinstance(sender, dict):
        raise parameter_not_found("from is required", "from")
    kind, key = sender.get("type"), sender.get("id")
    if kind not in ("user", "lead", "contact"):
        raise parameter_invalid("from.type must be user, lead or contact", "from.type")
    if isinstance(key, int) and not isinstance(key, bool):
        key = str(key)
    user_id = sender.get("user_id")
    if (not isinstance(key, str) or not key) and not (kind == "contact" and isinstance(user_id, str) and user_id):
        raise parameter_not_found("from.id is required", "from.id")
    contact = find_contact(session, workspace_id, id=key) if key else None
    if contact is None and kind == "contact":
        contact = _lead_from_visitor(session, workspace_id, key, user_id)
    if contact is None:
        raise user_not_found()
    return contact


def _lead_from_visitor(session: Session, workspace_id: int, visitor_id: str | None, user_id: Any) -> Contact | None:
    from opencom.visitors import service as visitors
    from opencom.visitors.models import Visitor
    from opencom.visitors.schemas import ConvertUser

    query = select(Visitor).where(Visitor.workspace_id == workspace_id)
    query = query.where(Visitor.id == visitor_id) if visitor_id else query.where(Visitor.user_id == str(user_id))
    visitor = session.scalar(query)
    if visitor is None:
        return None
    contact = visitors._new_contact(workspace_id, "lead", visitor)
    visitors._fill_from_visitor(session, contact, visitor, ConvertUser())
    visitors._save(session, contact)
    session.delete(visitor)
    session.flush()
    return contact


def check_time(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not DATE_MIN <= value <= DATE_MAX:
        raise parameter_invalid(f"{field} must be a Unix timestamp", field)
    return value


def create_conversation(session: Session, workspace_id: int, body: Any) -> tuple[Message, Conversation]:
    """POST /conversations: a contact writes in; the response is their message."""
    if not isinstance(body, dict):
        raise parameter_not_found("A request body is required")
    contact = contact_from(session, workspace_id, body.get("from"))
    text = bodies.check_body(body.get("body"))
    subject = body.get("subject")
    if subject is not None and not isinstance(subject, str):
        raise parameter_invalid("subject must be a string", "subject")
    attachments = bodies.url_attachments(body.get("attachment_urls"))
    at = check_time(body.get("created_at"), "created_at") or now()
    message = Message(
        workspace_id=workspace_id, direction="inbound", message_type="inapp", author_type=contact.role,
        author_id=contact.id, contact_id=contact.id, subject=subject, body=text, body_words=bodies.words(text),
        attachments=attachments, redacted=False, create_conversation_without_contact_reply=False, created_at=at,
    )
    session.add(message)
    session.flush()
    conversation = new_conversation(
        session, workspace_id, message, contact, source_type="conversation", delivered_as="customer_initiated", state="open"
    )
    contact.last_replied_at = max(contact.last_replied_at or 0, at)
    return message, conversation


# --- reply -----------------------------------------------------------------------------------


def _participant(session: Session, conversation_id: int, contact_id: str) -> bool:
    return session.scalar(
        select(func.count()).select_from(ConversationContact).where(
            ConversationContact.conversation_id == conversation_id, ConversationContact.contact_id == contact_id
        )
    ) > 0


def _attachments(body: dict) -> list[dict]:
    return bodies.url_attachments(body.get("attachment_urls")) + bodies.file_attachments(body.get("attachment_files"))


def reply(session: Session, workspace_id: int, conversation_id: str, body: Any) -> Conversation:
    if not isinstance(body, dict):
        raise parameter_not_found("A request body is required")
    kind = body.get("type")
    if kind == "admin":
        return _admin_reply(session, workspace_id, conversation_id, body)
    if kind in ("user", "contact", "lead"):
        return _contact_reply(session, workspace_id, conversation_id, body)
    if kind is None:
        raise parameter_not_found("type is required", "type")
    raise parameter_invalid("type must be admin or user", "type")


def _admin_reply(session: Session, workspace_id: int, conversation_id: str, body: dict) -> Conversation:
    kind = body.get("message_type")
    if kind not in ("comment", "note"):
        raise _message_type_error(kind, "comment or note")
    admin = get_admin(session, workspace_id, body.get("admin_id"))
    text = bodies.to_html(bodies.check_body(body.get("body")))
    attachments = _attachments(body)
    at = check_time(body.get("created_at"), "created_at")
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True)
    _wake(conversation)
    add_part(session, conversation, kind, admin_author(admin), body=text, attachments=attachments, created_at=at)
    if kind == "comment":
        moment = at or now()
        conversation.waiting_since = None
        conversation.first_admin_reply_at = conversation.first_admin_reply_at or moment
        conversation.last_admin_reply_at = moment
        conversation.read = True
    return conversation


def _contact_reply(session: Session, workspace_id: int, conversation_id: str, body: dict) -> Conversation:
    kind = body.get("message_type")
    if kind != "comment":
        raise _message_type_error(kind, "comment")
    contact = identify_contact(session, workspace_id, body)
    text = bodies.to_html(bodies.check_body(body.get("body")), allow_html=False)
    attachments = _attachments(body)
    at = check_time(body.get("created_at"), "created_at")
    if conversation_id == "last":
        conversation = _last_conversation(session, workspace_id, contact)
    else:
        conversation = get_conversation(session, workspace_id, conversation_id, lock=True)
        if not _participant(session, conversation.id, contact.id):
            raise parameter_invalid("The contact is not a participant in this conversation", _contact_key(body))
    _wake(conversation)
    reopened = _reopen(conversation)
    add_part(session, conversation, "open" if reopened else "comment", contact_author(contact),
             body=text, attachments=attachments, created_at=at)
    moment = at or now()
    conversation.waiting_since = conversation.waiting_since or moment
    conversation.read = False
    conversation.first_contact_reply_at = conversation.first_contact_reply_at or moment
    conversation.last_contact_reply_at = moment
    contact.last_replied_at = max(contact.last_replied_at or 0, moment)
    return conversation


def _contact_key(body: dict) -> str:
    return next((k for k in ("intercom_user_id", "user_id", "email") if body.get(k) not in (None, "")), "intercom_user_id")


def _message_type_error(value: Any, allowed: str) -> ApiError:
    if value is None:
        return parameter_not_found("message_type is required", "message_type")
    return parameter_invalid(f"message_type must be {allowed}", "message_type")


def _last_conversation(session: Session, workspace_id: int, contact: Contact) -> Conversation:
    """`last`: the contact's most recently updated conversation, or the conversation of the
    newest outbound message still waiting for its reply, whichever is more recent."""
    latest = session.scalar(
        select(Conversation)
        .join(ConversationContact, ConversationContact.conversation_id == Conversation.id)
        .where(Conversation.workspace_id == workspace_id, ConversationContact.contact_id == contact.id)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(1)
        .with_for_update()
    )
    from opencom.messages.service import pending_message, start_conversation

    pending = pending_message(session, workspace_id, contact.id)
    if pending is not None and (latest is None or pending.created_at >= latest.updated_at):
        return start_conversation(session, workspace_id, pending, contact)
    if latest is None:
        raise conversation_not_found()
    return latest


# --- update ----------------------------------------------------------------------------------


def check_custom_attributes(values: Any) -> dict:
    """Conversation custom attributes are free-form: string, number, boolean or null values."""
    if not isinstance(values, dict):
        raise parameter_invalid("custom_attributes must be an object", "custom_attributes")
    for name, value in values.items():
        field = f"custom_attributes.{name}"
        if not name or len(name) > 255 or "\x00" in name or '"' in name:
            raise parameter_invalid(f"Invalid custom attribute name '{name}'", field)
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise parameter_invalid(f"Custom attribute '{name}' must be a string, number, boolean or null", field)
        if isinstance(value, str) and "\x00" in value:
            raise parameter_invalid(f"Custom attribute '{name}' must not contain NUL characters", field)
    return values


def update_conversation(session: Session, workspace_id: int, conversation_id: str, body: Any, admin_id: int | None) -> Conversation:
    if not isinstance(body, dict):
        raise parameter_not_found("A request body is required")
    read = body.get("read")
    if "read" in body and not isinstance(read, bool):
        raise parameter_invalid("read must be a boolean", "read")
    title = body.get("title")
    if "title" in body and title is not None and (not isinstance(title, str) or "\x00" in title or len(title) > 255):
        raise parameter_invalid("title must be a string of at most 255 characters", "title")
    custom = check_custom_attributes(body["custom_attributes"]) if body.get("custom_attributes") is not None else None
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True)
    _wake(conversation)
    if "read" in body:
        conversation.read = read
    changed = False
    if "title" in body and title != conversation.title:
        conversation.title, changed = title, True
    if custom:
        merged = dict(conversation.custom_attributes or {})
        for name, value in custom.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        if merged != conversation.custom_attributes:
            conversation.custom_attributes, changed = merged, True
    if changed:
        add_part(session, conversation, "conversation_attribute_updated_by_admin", BOT)
    else:
        conversation.updated_at = max(conversation.updated_at, now())
    return conversation


# --- manage ----------------------------------------------------------------------------------


def manage(session: Session, workspace_id: int, conversation_id: str, body: Any) -> Conversation:
    if not isinstance(body, dict):
        raise parameter_not_found("A request body is required")
    kind = body.get("message_type")
    actions = {"close": _close, "snoozed": _snooze, "open": _open, "assignment": _assign}
    if not isinstance(kind, str) or kind not in actions:  # a list or object is not hashable
        raise _message_type_error(kind, "close, snoozed, open or assignment")
    if kind in ("close", "assignment") and body.get("type") is not None and body.get("type") not in (
        ("admin",) if kind == "close" else ("admin", "team")
    ):
        raise parameter_invalid("type must be admin" + (" or team" if kind == "assignment" else ""), "type")
    admin = get_admin(session, workspace_id, body.get("admin_id"))
    return actions[kind](session, workspace_id, conversation_id, body, admin)


def _optional_body(body: dict) -> str | None:
    text = bodies.check_body(body.get("body"), required=False)
    return bodies.to_html(text) if text else None


def _close(session: Session, workspace_id: int, conversation_id: str, body: dict, admin: Admin) -> Conversation:
    text = _optional_body(body)
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True)
    add_part(session, conversation, "close", admin_author(admin), body=text)
    moment = now()
    conversation.state, conversation.snoozed_until = "closed", None
    conversation.first_close_at = conversation.first_close_at or moment
    conversation.last_close_at, conversation.last_closed_by_id = moment, admin.id
    if text:  # a closing message is a reply to the contact
        conversation.waiting_since = None
        conversation.last_admin_reply_at = moment
        conversation.first_admin_reply_at = conversation.first_admin_reply_at or moment
    return conversation


def _snooze(session: Session, workspace_id: int, conversation_id: str, body: dict, admin: Admin) -> Conversation:
    until = body.get("snoozed_until")
    if until is None:
        raise parameter_not_found("snoozed_until is required", "snoozed_until")
    until = check_time(until, "snoozed_until")
    if until <= now():
        raise parameter_invalid("snoozed_until must be in the future", "snoozed_until")
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True)
    add_part(session, conversation, "snoozed", admin_author(admin))
    conversation.state, conversation.snoozed_until = "snoozed", until
    return conversation


def _open(session: Session, workspace_id: int, conversation_id: str, body: dict, admin: Admin) -> Conversation:
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True)
    _wake(conversation)
    _reopen(conversation)
    add_part(session, conversation, "open", admin_author(admin))
    return conversation


def _assign(session: Session, workspace_id: int, conversation_id: str, body: dict, admin: Admin) -> Conversation:
    kind = body.get("type")
    if kind is None:
        raise parameter_not_found("type is required", "type")
    assignee = body.get("assignee_id")
    if assignee is None or assignee == "":
        raise parameter_not_found("assignee_id is required", "assignee_id")
    key = 0 if str(assignee).strip() == "0" and not isinstance(assignee, bool) else _assignee(session, workspace_id, kind, assignee)
    text = _optional_body(body)
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True)
    _wake(conversation)
    reopened = _reopen(conversation) if key else False
    if kind == "admin":
        conversation.admin_assignee_id = key or None
    else:
        conversation.team_assignee_id = key or None
    assigned_to = (kind, str(key)) if key else ("nobody_admin", None)
    add_part(session, conversation, "assign_and_reopen" if reopened else "assignment", admin_author(admin),
             body=text, assigned_to=assigned_to)
    if key:
        moment = now()
        conversation.count_assignments += 1
        conversation.first_assignment_at = conversation.first_assignment_at or moment
        conversation.last_assignment_at = moment
    return conversation


def _assignee(session: Session, workspace_id: int, kind: str, value: Any) -> int:
    key = tags.int_id(value)
    model = Admin if kind == "admin" else Team
    found = None
    if key is not None:
        found = session.scalar(select(model.id).where(model.workspace_id == workspace_id, model.id == key))
    if found is None:
        raise ApiError(404, "assignee_not_found", f"Assignee not found: no {kind} with id {value}", "assignee_id")
    return found


def run_assignment_rules(session: Session, workspace_id: int, conversation_id: str) -> Conversation:
    """Opencom has no assignment rules, so no rule matches: the bot records a default
    assignment to nobody and the assignees stay as they were (upstream's example)."""
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True)
    _wake(conversation)
    add_part(session, conversation, "default_assignment", BOT, assigned_to=("nobody_admin", None))
    return conversation


# --- participants ----------------------------------------------------------------------------


def participants(session: Session, conversation_id: int) -> list[Contact]:
    return list(session.scalars(
        select(Contact).join(ConversationContact, ConversationContact.contact_id == Contact.id)
        .where(ConversationContact.conversation_id == conversation_id).order_by(ConversationContact.position)
    ))


def attach_contact(session: Session, workspace_id: int, conversation_id: str, body: Any) -> list[Contact]:
    if not isinstance(body, dict):
        raise parameter_not_found("A request body is required")
    admin = get_admin(session, workspace_id, body["admin_id"]) if body.get("admin_id") not in (None, "") else None
    customer = body.get("customer")
    if not isinstance(customer, dict):
        raise parameter_not_found("customer is required", "customer")
    _check_customer_ref(customer, "customer")
    if customer.get("customer") is not None:  # the nested customer_request: checked, not used
        _check_customer_ref(customer["customer"], "customer.customer")
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True)
    contact = _customer(session, workspace_id, customer)
    if not _participant(session, conversation.id, contact.id):
        position = session.scalar(
            select(func.coalesce(func.max(ConversationContact.position), -1) + 1)
            .where(ConversationContact.conversation_id == conversation.id)
        )
        session.add(ConversationContact(conversation_id=conversation.id, contact_id=contact.id, position=position, added_at=now()))
        add_part(session, conversation, "participant_added", admin_author(admin) if admin else BOT)
    return participants(session, conversation.id)


def _check_customer_ref(value: Any, field: str) -> None:
    """The description's oneOf: exactly one of intercom_user_id, user_id or email, a string."""
    keys = ("intercom_user_id", "user_id", "email")
    named = [key for key in keys if isinstance(value, dict) and isinstance(value.get(key), str)]
    if len(named) != 1:
        raise parameter_invalid(f"{field} must name the contact by exactly one of {', '.join(keys)}", field)


def _customer(session: Session, workspace_id: int, customer: dict) -> Contact:
    """The contact to add; an unknown email becomes a new lead."""
    email = customer.get("email")
    if customer.get("intercom_user_id") in (None, "") and customer.get("user_id") in (None, "") and isinstance(email, str) and email:
        contact = find_contact(session, workspace_id, email=email)
        if contact is None:
            from opencom.contacts.service import create_contact

            try:
                contact = create_contact(session, workspace_id, {"role": "lead", "email": email})
            except ApiError as error:
                error.field = "customer.email"
                raise
        return contact
    try:
        return identify_contact(session, workspace_id, customer)
    except ApiError as error:
        if error.field:
            error.field = f"customer.{error.field}"
        raise


def detach_contact(session: Session, workspace_id: int, conversation_id: str, contact_id: str, body: Any) -> list[Contact]:
    if not isinstance(body, dict):
        body = {}
    admin = get_admin(session, workspace_id, body.get("admin_id"))
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True)
    contact = find_contact(session, workspace_id, id=contact_id)
    if contact is None or not _participant(session, conversation.id, contact.id):
        raise user_not_found()
    if len(participants(session, conversation.id)) <= 1:
        raise parameter_invalid("Removing the last customer is not allowed", status=422)
    session.execute(delete(ConversationContact).where(
        ConversationContact.conversation_id == conversation.id, ConversationContact.contact_id == contact.id
    ))
    add_part(session, conversation, "participant_removed", admin_author(admin))
    return participants(session, conversation.id)


# --- redact ----------------------------------------------------------------------------------


def redact(session: Session, workspace_id: int, body: Any) -> Conversation:
    if not isinstance(body, dict):
        raise parameter_not_found("A request body is required")
    kind = body.get("type")
    if kind not in ("conversation_part", "source"):
        if kind is None:
            raise parameter_not_found("type is required", "type")
        raise parameter_invalid("type must be conversation_part or source", "type")
    key = "conversation_part_id" if kind == "conversation_part" else "source_id"
    for field in ("conversation_id", key):
        if body.get(field) in (None, ""):
            raise parameter_not_found(f"{field} is required", field)
        if isinstance(body[field], bool) or not isinstance(body[field], (str, int)):
            raise parameter_invalid(f"{field} must be a string", field)
    missing = ApiError(404, "conversation_part_or_message_not_found", "Conversation part or message not found")
    conversation = find_conversation(session, workspace_id, body["conversation_id"], lock=True)
    if conversation is None:
        raise missing
    moment = now()
    if kind == "source":
        if tags.int_id(body[key]) != conversation.message_id:
            raise missing
        message = session.get(Message, conversation.message_id)
        if message.direction != "inbound":
            raise _not_redactable("Only a source message written by a contact can be redacted")
        message.body, message.body_words, message.attachments, message.redacted = bodies.REDACTED_BODY, "", [], True
    else:
        part = session.scalar(select(ConversationPart).where(
            ConversationPart.conversation_id == conversation.id, ConversationPart.id == tags.int_id(body[key])
        )) if tags.int_id(body[key]) is not None else None
        if part is None:
            raise missing
        if part.body is None:
            raise _not_redactable("This conversation part has no body to redact")
        part.body, part.attachments, part.redacted, part.updated_at = bodies.REDACTED_BODY, [], True, moment
    conversation.updated_at = max(conversation.updated_at, moment)
    return conversation


def _not_redactable(message: str) -> ApiError:
    return ApiError(400, "conversation_part_not_redactable", message)


# --- tags ------------------------------------------------------------------------------------


def _tag_or_404(session: Session, workspace_id: int, tag_id: Any) -> Tag:
    tag = tags.find_tag(session, workspace_id, tag_id)
    if tag is None:
        raise ApiError(404, "tag_not_found", "Tag not found")
    return tag


def _tag_body(body: Any, *, with_id: bool) -> dict:
    if not isinstance(body, dict):
        raise parameter_not_found("A request body is required")
    if with_id:
        if body.get("id") in (None, ""):
            raise parameter_not_found("id is required", "id")
        if isinstance(body["id"], bool) or not isinstance(body["id"], (str, int)):
            raise parameter_invalid("id must be a string", "id")
    return body


def tag_conversation(session: Session, workspace_id: int, conversation_id: str, body: Any):
    body = _tag_body(body, with_id=True)
    admin = get_admin(session, workspace_id, body.get("admin_id"))
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True, message="Conversation not found")
    tag = _tag_or_404(session, workspace_id, body["id"])
    if tags.tagging(session, "conversation", conversation.id, tag) is None:
        tags.apply_tag(session, "conversation", [conversation.id], tag, admin.id)
        conversation.updated_at = max(conversation.updated_at, now())
    return tag, tags.tagging(session, "conversation", conversation.id, tag)


def untag_conversation(session: Session, workspace_id: int, conversation_id: str, tag_id: str, body: Any):
    body = _tag_body(body if body is not None else {}, with_id=False)
    get_admin(session, workspace_id, body.get("admin_id"))
    conversation = get_conversation(session, workspace_id, conversation_id, lock=True, message="Conversation not found")
    tag = _tag_or_404(session, workspace_id, tag_id)
    link = tags.tagging(session, "conversation", conversation.id, tag)
    if link is None:
        raise ApiError(404, "tag_not_found", "Tag not found on this conversation")
    tags.remove_tag(session, "conversation", [conversation.id], tag)
    conversation.updated_at = max(conversation.updated_at, now())
    return tag, link


# --- list and search -------------------------------------------------------------------------


def _in_workspace(workspace_id: int):
    return select(Conversation).where(Conversation.workspace_id == workspace_id)


def list_conversations(session: Session, workspace_id: int, *, per_page: int, starting_after: str | None) -> Page:
    return cursor_paginate(session, _in_workspace(workspace_id), SORT, per_page=per_page, starting_after=starting_after)


def search_conversations(session: Session, workspace_id: int, query: Any, *, per_page: int, starting_after: str | None) -> Page:
    from opencom.conversations.search import conversation_condition

    condition = conversation_condition(query, now())
    base = _in_workspace(workspace_id).join(Message, Message.id == Conversation.message_id).where(condition)
    try:
        return cursor_paginate(session, base, SORT, per_page=per_page, starting_after=starting_after)
    except ApiError as error:
        if error.field == "starting_after":
            error.field = "pagination.starting_after"
        raise


def recent_parts(session: Session, conversation_id: int) -> list[ConversationPart]:
    """The 500 most recent parts, oldest first."""
    newest = session.scalars(
        select(ConversationPart).where(ConversationPart.conversation_id == conversation_id)
        .order_by(ConversationPart.created_at.desc(), ConversationPart.id.desc()).limit(MAX_PARTS)
    )
    return list(reversed(list(newest)))


# --- contact merge ---------------------------------------------------------------------------


def move_contact_conversations(session: Session, from_id: str, into_id: str) -> None:
    """Merge hook: `into_id` takes `from_id`'s place in its conversations, parts and messages."""
    link = ConversationContact.__table__
    owned = link.alias("owned")
    session.execute(
        update(link)
        .where(link.c.contact_id == from_id,
               link.c.conversation_id.not_in(select(owned.c.conversation_id).where(owned.c.contact_id == into_id)))
        .values(contact_id=into_id)
    )
    session.execute(delete(link).where(link.c.contact_id == from_id))
    contact_authored = ConversationPart.author_type.in_(CONTACT_ROLES)
    session.execute(update(ConversationPart).where(contact_authored, ConversationPart.author_id == from_id).values(author_id=into_id))
    session.execute(update(Message).where(Message.contact_id == from_id).values(contact_id=into_id))
    session.execute(
        update(Message).where(Message.author_type.in_(CONTACT_ROLES), Message.author_id == from_id).values(author_id=into_id)
    )
    session.flush()

