from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class Message(Base):
    """One message as it was sent: an admin's outbound message (in-app, email, SMS), or the
    contact's first message of a conversation they started. This is also the outbox record.

    A conversation's `source` is its message. An outbound message with no conversation yet is
    waiting for the contact's reply (see opencom.messages.service).
    """

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_contact", "workspace_id", "contact_id", "created_at"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    # "outbound" (admin or bot -> contact) or "inbound" (contact -> workspace).
    direction: Mapped[str] = mapped_column(String(8))
    # Channel: "inapp", "email" or "sms".
    message_type: Mapped[str] = mapped_column(String(8))
    # Who wrote it: "admin", "bot", "user", "lead"; author_id is the admin or contact id as a string.
    author_type: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    admin_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The contact on the other end (recipient or author). No foreign key: the record outlives
    # a deleted contact, as a sent message would.
    contact_id: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_address: Mapped[str | None] = mapped_column(String(255), nullable=True)  # email or phone, when sent there
    subject: Mapped[str | None] = mapped_column(Text, nullable=True)
    body: Mapped[str] = mapped_column(Text)
    # The body's words, lower-cased and space-separated: what `source.body` searches match.
    body_words: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str | None] = mapped_column(String(16), nullable=True)
    url: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    create_conversation_without_contact_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
