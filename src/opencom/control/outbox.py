"""The outbox: everything Intercom would have delivered to someone, read from the stored records.

Opencom sends nothing; the domains already keep what they would have sent, so the outbox is one
SQL query (a UNION ALL of three selects) over them, with no table of its own:

- `messages` with direction "outbound": POST /messages in-app and email messages from an admin
  (with or without a conversation yet), and the SMS a phone-switch call sends (from the bot,
  to the E.164 number). Contact-initiated messages are inbound and are not in the outbox.
- `conversation_parts` written by an admin with a body, except notes: replies (comment), and
  the optional message of a close or an assignment. Intercom delivers them to every participant,
  so there is one item per contact that had joined (conversation_contacts.added_at, to the
  second) when the part was written; a contact removed since is no longer listed (the records
  don't keep former participants). The channel is the conversation's:
  email for an email conversation, in_app otherwise (a phone-switch conversation continues in
  the Messenger). Bot parts (the phone-switch link) are the SMS again, not a second delivery.
- `ticket_parts` of an admin reply (comment, quick reply) on a ticket shared with the customer
  (`is_shared`): in_app, one item per ticket contact (tickets don't record when a contact joined).
- `news_notifications`: an item going live on a newsfeed, not silently; addressed to the feed.

An item's id names its record ("message_12", "conversation_part_34_<contact id>", "ticket_part_3_<contact id>",
"news_notification_5"). Items come oldest first: by created_at, then messages before replies
before news within one second (a reply never precedes its conversation's message), then by id.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, String, Text, case, cast, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from opencom.contacts.models import Contact
from opencom.conversations.models import Conversation, ConversationContact, ConversationPart
from opencom.messages.models import Message
from opencom.news.models import NewsItem, NewsNotification
from opencom.tickets.models import Ticket, TicketContact, TicketPart

TICKET_REPLIES = ("comment", "quick_reply")  # a note is internal


def _text(value: str):
    # A typed literal: PostgreSQL can't infer the type of a bare parameter inside a UNION.
    return literal_column(f"'{value}'", String)


def _none():
    return cast(null(), Text)


def _messages():
    m = Message
    channel = case((m.message_type == "inapp", _text("in_app")), else_=m.message_type)
    return select(
        _text("message").label("kind"), literal_column("0", Integer).label("rank"), m.id.label("record_id"), m.workspace_id.label("workspace_id"),
        channel.label("channel"), _text("contact").label("to_type"), cast(m.contact_id, Text).label("to_id"),
        case((m.message_type == "email", m.to_address), else_=_none()).label("to_email"),
        case((m.message_type == "sms", m.to_address), else_=_none()).label("to_phone"),
        cast(m.author_type, Text).label("from_type"), cast(m.author_id, Text).label("from_id"),
        cast(m.subject, Text).label("subject"), cast(m.body, Text).label("body"), m.created_at.label("created_at"),
        _text("message").label("source_type"), m.id.label("source_id"),
    ).where(m.direction == "outbound")


def _replies():
    p, c, cc = ConversationPart, Conversation, ConversationContact
    email = c.source_type == "email"
    return (
        select(
            _text("conversation_part").label("kind"), literal_column("1", Integer).label("rank"), p.id.label("record_id"), c.workspace_id.label("workspace_id"),
            case((email, _text("email")), else_=_text("in_app")).label("channel"), _text("contact").label("to_type"),
            cast(cc.contact_id, Text).label("to_id"), case((email, Contact.email), else_=_none()).label("to_email"),
            _none().label("to_phone"), _text("admin").label("from_type"), cast(p.author_id, Text).label("from_id"),
            _none().label("subject"), cast(p.body, Text).label("body"), p.created_at.label("created_at"),
            _text("conversation").label("source_type"), c.id.label("source_id"),
        )
        .join(c, c.id == p.conversation_id)
        # Who was a participant when the part was written (a same-second join counts as before).
        .join(cc, (cc.conversation_id == c.id) & (cc.added_at <= p.created_at))
        .outerjoin(Contact, Contact.id == cc.contact_id)
        .where(p.author_type == "admin", p.body.is_not(None), p.part_type != "note")
    )


def _ticket_replies():
    p, t, tc = TicketPart, Ticket, TicketContact
    return (
        select(
            _text("ticket_part").label("kind"), literal_column("1", Integer).label("rank"), p.id.label("record_id"),
            t.workspace_id.label("workspace_id"), _text("in_app").label("channel"), _text("contact").label("to_type"),
            cast(tc.contact_id, Text).label("to_id"), _none().label("to_email"), _none().label("to_phone"),
            _text("admin").label("from_type"), cast(p.author_id, Text).label("from_id"), _none().label("subject"),
            cast(p.body, Text).label("body"), p.created_at.label("created_at"),
            _text("ticket").label("source_type"), t.id.label("source_id"),
        )
        .join(t, t.id == p.ticket_id)
        .join(tc, tc.ticket_id == t.id)
        .where(p.author_type == "admin", p.part_type.in_(TICKET_REPLIES), t.is_shared.is_(True))
    )


def _news():
    n, item = NewsNotification, NewsItem
    return (
        select(
            _text("news_notification").label("kind"), literal_column("2", Integer).label("rank"), n.id.label("record_id"), n.workspace_id.label("workspace_id"),
            _text("news").label("channel"), _text("newsfeed").label("to_type"), cast(n.newsfeed_id, Text).label("to_id"),
            _none().label("to_email"), _none().label("to_phone"), _text("admin").label("from_type"),
            cast(item.sender_id, Text).label("from_id"), cast(item.title, Text).label("subject"),
            cast(item.body, Text).label("body"), n.created_at.label("created_at"),
            _text("news_item").label("source_type"), n.news_item_id.label("source_id"),
        )
        # The notification outlives a deleted item (then without subject, body or sender).
        .outerjoin(item, item.id == n.news_item_id)
    )


@dataclass
class Filters:
    workspace_id: int | None = None
    channel: str | None = None
    to: str | None = None  # a contact id, an email address, a phone number or a newsfeed id
    since: int | None = None
    until: int | None = None


def list_items(session: Session, filters: Filters, *, limit: int) -> tuple[list[dict], int]:
    items = union_all(_messages(), _replies(), _ticket_replies(), _news()).subquery("outbox")
    c = items.c
    query = select(items)
    if filters.workspace_id is not None:
        query = query.where(c.workspace_id == filters.workspace_id)
    if filters.channel is not None:
        query = query.where(c.channel == filters.channel)
    if filters.to:
        query = query.where((c.to_id == filters.to) | (c.to_email == filters.to) | (c.to_phone == filters.to))
    if filters.since is not None:
        query = query.where(c.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(c.created_at <= filters.until)
    total = session.scalar(select(literal_column("count(*)")).select_from(query.subquery()))
    rows = session.execute(query.order_by(c.created_at, c.rank, c.record_id, c.to_id).limit(limit)).mappings()
    return [item_json(row) for row in rows], total


def item_json(row) -> dict:
    item_id = f"{row['kind']}_{row['record_id']}"
    if row["kind"] in ("conversation_part", "ticket_part"):
        item_id += f"_{row['to_id']}"
    to = {"type": row["to_type"], "id": row["to_id"]}
    if row["to_email"] is not None:
        to["email"] = row["to_email"]
    if row["to_phone"] is not None:
        to["phone"] = row["to_phone"]
    sender = {"type": row["from_type"]}
    if row["from_id"] is not None:
        sender["id"] = row["from_id"]
    return {
        "type": "outbox_item",
        "id": item_id,
        "channel": row["channel"],
        "workspace_id": row["workspace_id"],
        "to": to,
        "from": sender,
        "subject": row["subject"],
        "body": row["body"],
        "created_at": row["created_at"],
        "source": {"type": row["source_type"], "id": str(row["source_id"])},
    }
