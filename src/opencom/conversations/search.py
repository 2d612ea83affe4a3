"""What conversation searches can filter on: the conversations FieldTable for core.search.

The query runs over `Conversation` joined to its source `Message`. Fields are those of BEHAVIOUR
section 5's table. Dates compare at second precision with inclusive `<`/`>` (DateMode.INCLUSIVE).

- `state`, `open` and `snoozed_until` read a snooze that has run out as open, like the JSON.
- `source.body` matches word by word: `= "support"` finds "I need support" and `= "need support"`
  finds nothing; `~ ^ $` work on the body's words joined by single spaces.
- Fields Opencom never fills (conversation ratings, AI agent data, median reply time) are
  accepted and hold null, so `=` finds nothing and `!=` finds everything.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from opencom.admins.models import Admin
from opencom.contacts.models import Contact
from opencom.conversations.models import Conversation, ConversationContact, ConversationPart, ConversationTag
from opencom.core.search import DateMode, FieldTable, FieldType, SearchField, compile_query
from opencom.messages.models import Message

S, I, B, D = FieldType.STRING, FieldType.INTEGER, FieldType.BOOLEAN, FieldType.DATE
_WORD = re.compile(r"\w+")


def state_expr(moment: int) -> ColumnElement:
    woken = sa.and_(Conversation.state == "snoozed", Conversation.snoozed_until <= moment)
    return sa.case((woken, sa.literal("open")), else_=Conversation.state)


def snoozed_until_expr(moment: int) -> ColumnElement:
    return sa.case((state_expr(moment) == "snoozed", Conversation.snoozed_until), else_=sa.null())


def _text(column) -> ColumnElement:
    return sa.cast(column, sa.String)


def _exists_filter(owner_column, key_column, convert=str):
    """`=`/IN: some linked row has the value; `!=`/NIN: none has; `= null`: no linked row at all."""

    def build(op: str, value: Any) -> ColumnElement[bool]:
        linked = sa.exists().where(owner_column == Conversation.id)
        if value is None:
            return ~linked if op == "=" else linked
        values = value if isinstance(value, list) else [value]
        matches = linked.where(key_column.in_([convert(v) for v in values]))
        return matches if op in ("=", "IN") else ~matches

    return build


def _tag_ids(value: Any) -> int:
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else -1  # no tag has id -1


def _teammate_filter(op: str, value: Any) -> ColumnElement[bool]:
    # A teammate is an admin who wrote a part.
    linked = sa.exists().where(ConversationPart.conversation_id == Conversation.id, ConversationPart.author_type == "admin")
    if value is None:
        return ~linked if op == "=" else linked
    values = [str(v) for v in (value if isinstance(value, list) else [value])]
    matches = linked.where(ConversationPart.author_id.in_(values))
    return matches if op in ("=", "IN") else ~matches


def _padded_words() -> ColumnElement:
    return sa.literal(" ") + Message.body_words + sa.literal(" ")


def _body_filter(op: str, value: Any) -> ColumnElement[bool]:
    if value is None:
        return Message.body.is_(None) if op == "=" else Message.body.is_not(None)
    if op in ("=", "!=", "IN", "NIN"):
        clauses = [_word_match(v) for v in (value if isinstance(value, list) else [value])]
        match = sa.or_(*clauses)
        return match if op in ("=", "IN") else sa.not_(match)
    text = " ".join(_WORD.findall(str(value).lower()))
    column = Message.body_words
    if op == "~":
        return column.contains(text, autoescape=True)
    if op == "!~":
        return sa.not_(column.contains(text, autoescape=True))
    if op == "^":
        return column.startswith(text, autoescape=True)
    return column.endswith(text, autoescape=True)


def _word_match(value: Any) -> ColumnElement[bool]:
    found = _WORD.findall(str(value).lower())
    if len(found) != 1:
        return sa.false()  # a phrase is not a word: nothing matches
    return _padded_words().contains(f" {found[0]} ", autoescape=True)


def _author_name() -> ColumnElement:
    admin = sa.select(Admin.name).where(Admin.id == Message.admin_id).scalar_subquery()
    contact = sa.select(Contact.name).where(Contact.id == Message.contact_id).scalar_subquery()
    return sa.case((Message.author_type == "admin", admin), (Message.author_type == "bot", sa.literal("Operator")), else_=contact)


def _author_email() -> ColumnElement:
    admin = sa.select(Admin.email).where(Admin.id == Message.admin_id).scalar_subquery()
    contact = sa.select(Contact.email).where(Contact.id == Message.contact_id).scalar_subquery()
    return sa.case((Message.author_type == "admin", admin), (Message.author_type == "bot", sa.null()), else_=contact)


def _since_created(column) -> ColumnElement:
    return column - Conversation.created_at


def _null(kind: FieldType) -> ColumnElement:
    sql_type = {S: sa.String(), I: sa.BigInteger(), B: sa.Boolean(), D: sa.BigInteger()}[kind]
    return sa.cast(sa.null(), sql_type)


_NEVER_FILLED = {
    "conversation_rating.remark": S, "conversation_rating.contact_id": S, "conversation_rating.admin_d": S,
    "conversation_rating.admin_id": S, "ai_agent.resolution_state": S, "ai_agent.last_answer_type": S,
    "ai_agent.rating_remark": S, "ai_agent.source_type": S, "ai_agent.source_title": S,
    "statistics.median_time_to_reply": I, "conversation_rating.score": I, "ai_agent.rating": I,
    "ai_agent_participated": B, "statistics.last_assignment_admin_reply_at": D,
    "conversation_rating.requested_at": D, "conversation_rating.replied_at": D,
}


def conversation_field_table(moment: int) -> FieldTable:
    state = state_expr(moment)
    columns: dict[str, tuple[FieldType, Any]] = {
        "id": (S, _text(Conversation.id)),
        "source.type": (S, Conversation.source_type),
        "source.id": (S, _text(Conversation.message_id)),
        "source.delivered_as": (S, Conversation.delivered_as),
        "source.subject": (S, Message.subject),
        "source.author.id": (S, Message.author_id),
        "source.author.type": (S, Message.author_type),
        "source.author.name": (S, _author_name()),
        "source.author.email": (S, _author_email()),
        "source.url": (S, Message.url),
        "channel_initiated": (S, Conversation.source_type),
        "state": (S, state),
        "priority": (S, Conversation.priority),
        "statistics.last_closed_by_id": (S, _text(Conversation.last_closed_by_id)),
        "admin_assignee_id": (I, Conversation.admin_assignee_id),
        "team_assignee_id": (I, Conversation.team_assignee_id),
        "statistics.time_to_assignment": (I, _since_created(Conversation.first_assignment_at)),
        "statistics.time_to_admin_reply": (I, _since_created(Conversation.first_admin_reply_at)),
        "statistics.time_to_first_close": (I, _since_created(Conversation.first_close_at)),
        "statistics.time_to_last_close": (I, _since_created(Conversation.last_close_at)),
        "statistics.count_reopens": (I, Conversation.count_reopens),
        "statistics.count_assignments": (I, Conversation.count_assignments),
        "statistics.count_conversation_parts": (I, Conversation.count_conversation_parts),
        "open": (B, state != "closed"),
        "read": (B, Conversation.read),
        "created_at": (D, Conversation.created_at),
        "updated_at": (D, Conversation.updated_at),
        "waiting_since": (D, Conversation.waiting_since),
        "snoozed_until": (D, snoozed_until_expr(moment)),
        "statistics.first_contact_reply_at": (D, Conversation.first_contact_reply_at),
        "statistics.first_assignment_at": (D, Conversation.first_assignment_at),
        "statistics.first_admin_reply_at": (D, Conversation.first_admin_reply_at),
        "statistics.first_close_at": (D, Conversation.first_close_at),
        "statistics.last_assignment_at": (D, Conversation.last_assignment_at),
        "statistics.last_contact_reply_at": (D, Conversation.last_contact_reply_at),
        "statistics.last_admin_reply_at": (D, Conversation.last_admin_reply_at),
        "statistics.last_close_at": (D, Conversation.last_close_at),
    }
    fields = {name: SearchField(kind, column) for name, (kind, column) in columns.items()}
    fields.update({name: SearchField(kind, _null(kind)) for name, kind in _NEVER_FILLED.items()})
    fields["source.body"] = SearchField(S, build=_body_filter)
    fields["contact_ids"] = SearchField(
        S, build=_exists_filter(ConversationContact.conversation_id, ConversationContact.contact_id),
        operators=frozenset({"=", "!=", "IN", "NIN"}),
    )
    fields["teammate_ids"] = SearchField(S, build=_teammate_filter, operators=frozenset({"=", "!=", "IN", "NIN"}))
    fields["tag_ids"] = SearchField(
        S, build=_exists_filter(ConversationTag.conversation_id, ConversationTag.tag_id, _tag_ids),
        operators=frozenset({"=", "!=", "IN", "NIN"}),
    )
    return FieldTable(fields, date_mode=DateMode.INCLUSIVE)


def conversation_condition(query: Any, moment: int) -> ColumnElement[bool]:
    return compile_query(query, conversation_field_table(moment))
