"""Tables of the cross-cutting machinery (not of any one domain)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base


class RateLimitWindow(Base):
    """Calls counted per token and 10-second window, shared by every process on the database."""

    __tablename__ = "rate_limit_windows"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ScrollCursor(Base):
    """An open scroll (companies scroll): one per workspace and resource."""

    __tablename__ = "scroll_cursors"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    param: Mapped[str] = mapped_column(String(36), unique=True)
    # The sort key of the last row handed out, as a JSON list.
    last_key: Mapped[list | None] = mapped_column(JSON, nullable=True)
    expires_at: Mapped[int] = mapped_column(BigInteger)
