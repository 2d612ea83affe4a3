"""The control plane's own table: the request journal (see control/journal.py).

`workspace_id` has no foreign key on purpose: entries are written in batches by a background
thread, and a workspace deleted in between must not make the whole batch fail. The column still
makes the table a workspace table for control/tables.py (named there as TRANSIENT: a reset, an
import and a workspace delete empty it; snapshots never carry it).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Double, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class JournalEntry(Base):
    __tablename__ = "journal_entries"
    # Listing and pruning both walk one workspace's entries by id.
    __table_args__ = (Index("ix_journal_entries_workspace", "workspace_id", "id"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    # NULL for requests refused before a token named a workspace (401).
    workspace_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    request_id: Mapped[str] = mapped_column(String(36), index=True)
    method: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text)
    # NULL when no response was started (the client went away first).
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[float] = mapped_column(Double)
    # Headers as JSON text, encoded by orjson in the flusher (several times faster than the JSON type).
    request_headers: Mapped[str] = mapped_column(Text)
    # Bodies as UTF-8 text, cut at journal.BODY_LIMIT bytes; NULL when binary (see *_size).
    request_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_body_size: Mapped[int] = mapped_column(Integer)
    request_body_truncated: Mapped[bool] = mapped_column(Boolean)
    response_headers: Mapped[str] = mapped_column(Text)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_body_size: Mapped[int] = mapped_column(Integer)
    response_body_truncated: Mapped[bool] = mapped_column(Boolean)
    # Unix seconds (with fractions) from core.clock when the request arrived.
    created_at: Mapped[float] = mapped_column(Double)


class JournalMark(Base):
    """When a workspace's journal was last cleared (reset, import, delete): a flush drops buffered
    entries of requests that arrived before it, so another process's late flush can't bring them
    back. workspace_id 0 stands for every workspace (a full reset). Not workspace data: named
    GLOBAL in control/tables.py."""

    __tablename__ = "journal_marks"

    workspace_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    cleared_at: Mapped[float] = mapped_column(Double)
