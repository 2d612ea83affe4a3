"""Content data exports: one row per export job, holding its gzipped CSV once built."""

from __future__ import annotations

import base64

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from opencom.core.db import Base, IdInteger
from opencom.core.jobs import Job  # noqa: F401  (the jobs table, which job_id points at)

PENDING, COMPLETED, NO_DATA, FAILED, CANCELED = "pending", "completed", "no_data", "failed", "canceled"


class Base64Blob(TypeDecorator):
    """Bytes in the database; a base64 string in Python.

    The control plane's snapshots dump every workspace row as JSON, which has no bytes: as text
    the file survives export -> import byte for byte. Assigning bytes works too.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, str):
            return base64.b64decode(value)
        return value

    def process_result_value(self, value, dialect):
        return None if value is None else base64.b64encode(value).decode("ascii")


class DataExport(Base):
    __tablename__ = "data_exports"
    __table_args__ = (
        UniqueConstraint("workspace_id", "job_identifier"),
        # At most one active export per workspace, even when two creates race.
        Index("uq_data_exports_active", "workspace_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    job_identifier: Mapped[str] = mapped_column(String(16))
    # pending | completed | no_data | failed | canceled. The API's `in_progress` is not stored:
    # it is a pending export whose job a worker holds right now.
    status: Mapped[str] = mapped_column(String(16))
    # The request, and the messages' created_at range it covers: [range_start, range_end).
    created_at_after: Mapped[int] = mapped_column(BigInteger)
    created_at_before: Mapped[int] = mapped_column(BigInteger)
    range_start: Mapped[int] = mapped_column(BigInteger)
    range_end: Mapped[int] = mapped_column(BigInteger)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True)
    row_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    file: Mapped[str | None] = mapped_column(Base64Blob, nullable=True, deferred=True)
    completed_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
