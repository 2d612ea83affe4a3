from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class TeammateId(Base):
    """One id space for admins and teams.

    Intercom never gives a team an admin's id, and a ticket assignment names its assignee by id
    alone, so both tables take their ids from here.
    """

    __tablename__ = "teammate_ids"

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))  # admin | team


class Admin(Base):
    __tablename__ = "admins"

    id: Mapped[int] = mapped_column(
        ForeignKey("teammate_ids.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255))
    job_title: Mapped[str | None] = mapped_column(String(255), nullable=True)
    away_mode_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    away_mode_reassign: Mapped[bool] = mapped_column(Boolean, default=False)
    has_inbox_seat: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=True)
    avatar_url: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)


class ActivityLog(Base):
    __tablename__ = "activity_logs"
    __table_args__ = (Index("ix_activity_logs_workspace_created", "workspace_id", "created_at"),)

    # seq orders entries made within the same second; id is the UUID the API shows.
    seq: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    admin_id: Mapped[int | None] = mapped_column(
        ForeignKey("admins.id", ondelete="SET NULL"), nullable=True
    )
    admin_email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    activity_type: Mapped[str] = mapped_column(String(64))
    activity_description: Mapped[str] = mapped_column(Text, default="")
    # "metadata" is reserved by SQLAlchemy's declarative base, hence the attribute name.
    details: Mapped[dict] = mapped_column("metadata", JSON, default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger)
