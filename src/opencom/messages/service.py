"""Outbound messages (POST /messages): stored, and turned into conversations.

An admin's in-app or email message is stored in `messages` (the outbox record). Upstream has no
conversation until the contact replies, unless `create_conversation_without_contact_reply` is
true. Here a message without a conversation is *pending*: the contact's reply to it is
POST /conversations/last/reply naming the contact, which starts the conversation from the
message (closed and assigned to the sender, then reopened by the reply, as upstream's examples
show) when that message is newer than the contact's latest conversation.
Afterwards the conversation is found by searching `source.id` = the message id.

Bodies with `from.type` user/lead/contact are contact-initiated (BEHAVIOUR Ambiguity 11) and are
handled as POST /conversations.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from opencom.admins.models import Admin
from opencom.contacts.models import Contact
from opencom.conversations import bodies
from opencom.conversations import service as conversations
from opencom.conversations.models import Conversation
from opencom.core.clock import now
from opencom.core.errors import parameter_invalid, parameter_not_found
from opencom.messages.models import Message

IN_APP = ("in_app", "inapp", "conversation")
TEMPLATES = ("plain", "personal")


def create_message(session: Session, workspace_id: int, body: Any) -> tuple[Message, Conversation | None, Admin | None]:
    if not isinstance(body, dict):
        raise parameter_not_found("A request body is required")
    sender = body.get("from")
    if isinstance(sender, dict) and sender.get("type") in ("user", "lead", "contact"):
        message, conversation = conversations.create_conversation(session, workspace_id, body)
        return message, conversation, None
    return _admin_message(session, workspace_id, body)


def _admin_message(session: Session, workspace_id: int, body: dict) -> tuple[Message, Conversation | None, Admin]:
    channel = _channel(body.get("message_type"))
    sender = body.get("from")
    if not isinstance(sender, dict):
        raise parameter_not_found("from is required", "from")
    if sender.get("type") != "admin":
        raise parameter_invalid("from.type must be admin, user, lead or contact", "from.type")
    admin = conversations.get_admin(session, workspace_id, sender.get("id"), field="from.id")
    contact = _recipient(session, workspace_id, body.get("to"))
    subject, template = body.get("subject"), body.get("template")
    if subject is not None and not isinstance(subject, str):
        raise parameter_invalid("subject must be a string", "subject")
    if channel == "email" and not (subject or "").strip():
        raise parameter_not_found("No subject supplied for email message", "subject", status=422)
    text = bodies.check_body(body.get("body"))
    if channel == "email":
        if template is None:
            raise parameter_not_found("template is required for email messages", "template")
        if template not in TEMPLATES:
            raise parameter_invalid("template must be plain or personal", "template")
        if not contact.email:
            raise parameter_invalid("The recipient has no email address", "to.id")
    elif template is not None and not isinstance(template, str):
        raise parameter_invalid("template must be a string", "template")
    without_reply = body.get("create_conversation_without_contact_reply", False)
    if without_reply is None:
        without_reply = False
    if not isinstance(without_reply, bool):
        raise parameter_invalid("create_conversation_without_contact_reply must be a boolean", "create_conversation_without_contact_reply")
    at = conversations.check_time(body.get("created_at"), "created_at") or now()
    message = Message(
        workspace_id=workspace_id, direction="outbound", message_type=channel, author_type="admin",
        author_id=str(admin.id), admin_id=admin.id, contact_id=contact.id,
        to_address=contact.email if channel == "email" else None, subject=subject, body=text,
        body_words=bodies.words(text), template=template if channel == "email" else None, attachments=[],
        redacted=False, create_conversation_without_contact_reply=without_reply, created_at=at,
    )
    session.add(message)
    session.flush()
    contact.last_contacted_at = max(contact.last_contacted_at or 0, at)
    conversation = start_conversation(session, workspace_id, message, contact) if without_reply else None
    return message, conversation, admin


def _channel(value: Any) -> str:
    if value is None:
        raise parameter_not_found("message_type is required", "message_type")
    if value in IN_APP:
        return "inapp"
    if value == "email":
        return "email"
    raise parameter_invalid("message_type must be in_app or email", "message_type")


def _recipient(session: Session, workspace_id: int, to: Any) -> Contact:
    if not isinstance(to, dict):
        raise parameter_not_found("to is required", "to")
    if to.get("type") not in ("user", "lead", "contact"):
        raise parameter_invalid("to.type must be user or lead", "to.type")
    key, user_id = to.get("id"), to.get("user_id")
    if key in (None, "") and user_id in (None, ""):
        raise parameter_not_found("to.id is required", "to.id")
    for name, value in (("id", key), ("user_id", user_id)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
            raise parameter_invalid(f"to.{name} must be a string", f"to.{name}")
    contact = conversations.find_contact(session, workspace_id, id=key, user_id=None if key not in (None, "") else user_id)
    if contact is None:
        raise conversations.user_not_found()
    return contact


def start_conversation(session: Session, workspace_id: int, message: Message, contact: Contact) -> Conversation:
    """The conversation of an outbound message: closed, assigned to the sender."""
    return conversations.new_conversation(
        session, workspace_id, message, contact,
        source_type="email" if message.message_type == "email" else "conversation",
        delivered_as="admin_initiated", state="closed", admin_assignee_id=message.admin_id,
    )


def pending_message(session: Session, workspace_id: int, contact_id: str) -> Message | None:
    """The newest outbound admin message to the contact that has no conversation yet."""
    started = exists().where(Conversation.message_id == Message.id)
    return session.scalar(
        select(Message)
        .where(Message.workspace_id == workspace_id, Message.contact_id == contact_id,
               Message.direction == "outbound", Message.author_type == "admin", ~started)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )


def conversation_of(session: Session, message: Message) -> Conversation | None:
    return session.scalar(select(Conversation).where(Conversation.message_id == message.id))

