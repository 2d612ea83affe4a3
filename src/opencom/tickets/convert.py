"""POST /conversations/{id}/convert: a Customer ticket made from a conversation.

The conversations domain is built separately (migration 0005); its models are imported lazily, and
the ticket keeps the conversation id as a plain column, so this domain's tables don't depend on it.
The new ticket belongs to the conversation's first participant, is shared with them, links the
conversation, and starts with the conversation's messages (its source and its comments and notes)
copied as parts.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencom.admins.models import Admin
from opencom.contacts.models import Contact
from opencom.core.errors import not_found, parameter_invalid
from opencom.tags.service import int_id
from opencom.ticket_types.service import attributes_of
from opencom.tickets import schemas
from opencom.tickets.attributes import check_attributes
from opencom.tickets.models import Ticket, TicketPart
from opencom.tickets.service import _live_type, open_ticket

COPIED_PARTS = ("comment", "note")


def convert_conversation(session: Session, workspace_id: int, conversation_id: str, actor: Admin, request: schemas.ConvertRequest) -> Ticket:
    from opencom.conversations.models import Conversation, ConversationContact

    key = int_id(conversation_id)
    conversation = None if key is None else session.scalar(
        select(Conversation).where(Conversation.workspace_id == workspace_id, Conversation.id == key).with_for_update()
    )
    if conversation is None:
        raise not_found("Resource Not Found")
    ticket_type = _live_type(session, workspace_id, request.ticket_type_id)
    if ticket_type.category != "Customer":
        raise parameter_invalid("Ticket type is not a customer ticket type", "ticket_type_id")
    if session.scalar(select(Ticket.id).where(Ticket.conversation_id == conversation.id)) is not None:
        raise parameter_invalid("This conversation has already been converted to a ticket", "id")
    attributes = attributes_of(session, [ticket_type.id])[ticket_type.id]
    values = check_attributes(request.attributes, attributes, field="attributes", creating=True)
    contact = session.scalar(
        select(Contact).join(ConversationContact, ConversationContact.contact_id == Contact.id)
        .where(ConversationContact.conversation_id == conversation.id).order_by(ConversationContact.position).limit(1)
    )
    if contact is None:
        raise parameter_invalid("The conversation has no contact to raise the ticket for", "id")
    return open_ticket(
        session, workspace_id, actor, ticket_type, contact, values,
        is_shared=True, conversation_id=conversation.id, history=_history(session, conversation),
    )


def _history(session: Session, conversation) -> list[TicketPart]:
    """The conversation's source message and its comments and notes, as new ticket parts."""
    from opencom.conversations.models import ConversationPart
    from opencom.messages.models import Message

    source = session.get(Message, conversation.message_id)
    written = [] if source is None else [(source, "comment")]
    parts = session.scalars(
        select(ConversationPart).where(ConversationPart.conversation_id == conversation.id,
                                       ConversationPart.part_type.in_(COPIED_PARTS))
        .order_by(ConversationPart.created_at, ConversationPart.id)
    )
    written += [(part, part.part_type) for part in parts]
    history = []
    for item, part_type in written:
        author = _author(session, conversation.workspace_id, item.author_type, item.author_id)
        if author is None:
            continue  # bots, and authors since deleted
        history.append(TicketPart(
            part_type=part_type, body=item.body, author_type=author[0], author_id=author[1],
            author_name=author[2], author_email=author[3] or None, attachments=item.attachments or [],
            redacted=bool(item.redacted), created_at=item.created_at, updated_at=item.created_at,
        ))
    return history


def _author(session: Session, workspace_id: int, kind: str, author_id: str | None):
    if author_id is None:
        return None
    if kind in ("user", "lead"):
        contact = session.scalar(select(Contact).where(Contact.workspace_id == workspace_id, Contact.id == author_id))
        return None if contact is None else ("user", contact.id, contact.name, contact.email)
    if kind == "admin" and int_id(author_id) is not None:
        admin = session.scalar(select(Admin).where(Admin.workspace_id == workspace_id, Admin.id == int(author_id)))
        return None if admin is None else ("admin", str(admin.id), admin.name, admin.email)
    return None
