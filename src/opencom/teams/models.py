from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base


class Team(Base):
    __tablename__ = "teams"

    # From the id space admins share (opencom.admins.models.TeammateId).
    id: Mapped[int] = mapped_column(
        ForeignKey("teammate_ids.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[int] = mapped_column(BigInteger)


class TeamMembership(Base):
    """An admin in a team; `priority` is "primary", "secondary" or None (no priority level)."""

    __tablename__ = "team_memberships"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    admin_id: Mapped[int] = mapped_column(
        ForeignKey("admins.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    priority: Mapped[str | None] = mapped_column(String(16), nullable=True)
