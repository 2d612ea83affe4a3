from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # ticket_number is the inbox number the API shows as `ticket_id`.
        UniqueConstraint("workspace_id", "ticket_number"),
        Index("ix_tickets_list", "workspace_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    ticket_number: Mapped[int] = mapped_column(BigInteger)
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32))
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    is_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    snoozed_until: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Digit strings as the API shows them, "0" when unassigned (so searches compare strings).
    admin_assignee_id: Mapped[str] = mapped_column(String(32), default="0")
    team_assignee_id: Mapped[str] = mapped_column(String(32), default="0")
    company_id: Mapped[str | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), nullable=True)
    # The conversation this ticket was converted from: a plain column, no foreign key, so that
    # this domain's tables don't depend on the conversations migration.
    conversation_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    # Values by TicketTypeAttribute.value_key.
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class TicketContact(Base):
    __tablename__ = "ticket_contacts"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True)


class TicketPart(Base):
    """A part of a ticket's history. Author name and email are copied when the part is written."""

    __tablename__ = "ticket_parts"
    __table_args__ = (Index("ix_ticket_parts_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    part_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    previous_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    author_type: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    author_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    author_email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    assigned_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    assigned_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    reply_options: Mapped[list | None] = mapped_column(JSON, nullable=True)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class TicketTag(Base):
    __tablename__ = "ticket_tags"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)
    applied_at: Mapped[int] = mapped_column(BigInteger)
    applied_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
