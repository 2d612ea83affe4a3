from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base


class Segment(Base):
    """A stored search query; membership is computed from it, never stored."""

    __tablename__ = "segments"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    # "user" or "contact" (leads) or "company": what the segment holds; the API's person_type.
    person_type: Mapped[str] = mapped_column(String(16))
    query: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
