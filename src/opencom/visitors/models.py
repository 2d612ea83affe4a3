from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base

_str = String(255)


class Visitor(Base):
    """An anonymous website visitor (made by the Messenger upstream; by the CLI here)."""

    __tablename__ = "visitors"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(_str, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    name: Mapped[str | None] = mapped_column(_str, nullable=True)
    pseudonym: Mapped[str | None] = mapped_column(_str, nullable=True)
    avatar: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    owner_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    session_count: Mapped[int] = mapped_column(BigInteger, default=0)
    unsubscribed_from_emails: Mapped[bool] = mapped_column(Boolean, default=False)
    marked_email_as_spam: Mapped[bool] = mapped_column(Boolean, default=False)
    has_hard_bounced: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_track: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    remote_created_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    signed_up_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_request_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    location: Mapped[dict] = mapped_column(JSON, default=dict)
    referrer: Mapped[str | None] = mapped_column(Text, nullable=True)
    utm_campaign: Mapped[str | None] = mapped_column(_str, nullable=True)
    utm_content: Mapped[str | None] = mapped_column(_str, nullable=True)
    utm_medium: Mapped[str | None] = mapped_column(_str, nullable=True)
    utm_source: Mapped[str | None] = mapped_column(_str, nullable=True)
    utm_term: Mapped[str | None] = mapped_column(_str, nullable=True)
    custom_attributes: Mapped[dict] = mapped_column(JSON, default=dict)
