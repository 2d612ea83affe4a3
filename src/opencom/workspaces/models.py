from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Double, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    id_code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    region: Mapped[str] = mapped_column(String(8), default="US")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    identity_verification: Mapped[bool] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # The workspace's own clock on top of the process clock (core.clock.ClockState): stopped at
    # clock_frozen_at, or moved by clock_offset seconds. NULL and 0: it follows the process clock.
    clock_frozen_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    clock_offset: Mapped[float] = mapped_column(Double, default=0.0, server_default="0")


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored; the plain token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The admin the token acts as (what GET /me returns).
    admin_id: Mapped[int | None] = mapped_column(
        ForeignKey("admins.id", ondelete="SET NULL"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[int] = mapped_column(BigInteger)
