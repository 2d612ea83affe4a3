"""The inbox's tables: conversations, their parts, participants and tags.

A conversation's source message lives in `messages` (opencom.messages.models). Tickets read these
tables to convert a conversation (POST /conversations/{id}/convert, opencom.tickets).
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_list", "workspace_id", "created_at", "id"),
        Index("ix_conversations_updated", "workspace_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    # source.type and source.delivered_as
    source_type: Mapped[str] = mapped_column(String(16))
    delivered_as: Mapped[str] = mapped_column(String(24))
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    # "open", "closed" or "snoozed" as last written; a snooze whose snoozed_until has passed
    # reads as open (see service.effective_state) and is written back as open on the next change.
    state: Mapped[str] = mapped_column(String(8))
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[str] = mapped_column(String(16), default="not_priority")
    admin_assignee_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    team_assignee_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    snoozed_until: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    waiting_since: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    custom_attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    # statistics
    first_contact_reply_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_contact_reply_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    first_admin_reply_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_admin_reply_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    first_assignment_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_assignment_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    first_close_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_close_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_closed_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    count_reopens: Mapped[int] = mapped_column(Integer, default=0)
    count_assignments: Mapped[int] = mapped_column(Integer, default=0)
    count_conversation_parts: Mapped[int] = mapped_column(Integer, default=0)


class ConversationPart(Base):
    __tablename__ = "conversation_parts"
    __table_args__ = (Index("ix_conversation_parts_order", "conversation_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    part_type: Mapped[str] = mapped_column(String(48))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    # "admin", "bot", "user", "lead" (the contact's role when it wrote), "team"
    author_type: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    assigned_to_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    assigned_to_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    notified_at: Mapped[int] = mapped_column(BigInteger)


class ConversationContact(Base):
    """A participant; `position` keeps the order in which contacts joined."""

    __tablename__ = "conversation_contacts"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[int] = mapped_column(BigInteger)


class ConversationTag(Base):
    __tablename__ = "conversation_tags"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)
    applied_at: Mapped[int] = mapped_column(BigInteger)
    applied_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
