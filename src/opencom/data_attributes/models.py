from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class DataAttribute(Base):
    """A contact or company attribute: built-in ones (custom=False) are seeded per workspace."""

    __tablename__ = "data_attributes"
    __table_args__ = (UniqueConstraint("workspace_id", "model", "name"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(String(16))  # contact | company
    name: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    data_type: Mapped[str] = mapped_column(String(16))  # string integer float boolean date datetime
    options: Mapped[list | None] = mapped_column(JSON, nullable=True)
    api_writable: Mapped[bool] = mapped_column(Boolean, default=True)
    messenger_writable: Mapped[bool] = mapped_column(Boolean, default=False)
    ui_writable: Mapped[bool] = mapped_column(Boolean, default=True)
    custom: Mapped[bool] = mapped_column(Boolean, default=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    admin_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
