from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class DataEvent(Base):
    __tablename__ = "data_events"
    __table_args__ = (
        Index("ix_data_events_contact", "contact_id", "created_at"),
        # Intercom ignores a repeat of the same event; the database decides, so two concurrent
        # repeats can't both be counted.
        Index("uq_data_events_once", "contact_id", "event_name", "created_at", unique=True),
    )

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    event_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[int] = mapped_column(BigInteger)
    metadata_: Mapped[dict] = mapped_column("metadata", JSON, default=dict)


class DataEventSummary(Base):
    """Per contact and event name: how often, first and last time. Kept on every submission."""

    __tablename__ = "data_event_summaries"

    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    event_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    first: Mapped[int] = mapped_column(BigInteger)
    last: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(String(255), nullable=True)
