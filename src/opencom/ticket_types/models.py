from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class TicketType(Base):
    __tablename__ = "ticket_types"
    __table_args__ = (Index("ix_ticket_types_workspace", "workspace_id", "id"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(16))
    icon: Mapped[str] = mapped_column(String(64))
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class TicketTypeAttribute(Base):
    """One field of a ticket type. The two built-in ones (`default`) are named `_default_title_`
    and `_default_description_`; tickets store values under those names for the built-ins and
    under the attribute's id for the others, so a rename never loses a value."""

    __tablename__ = "ticket_type_attributes"
    __table_args__ = (UniqueConstraint("ticket_type_id", "name"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    data_type: Mapped[str] = mapped_column(String(16))
    input_options: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    required_to_create: Mapped[bool] = mapped_column(Boolean, default=False)
    required_to_create_for_contacts: Mapped[bool] = mapped_column(Boolean, default=False)
    visible_on_create: Mapped[bool] = mapped_column(Boolean, default=True)
    visible_to_contacts: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)

    @property
    def value_key(self) -> str:
        """The key a ticket's `attributes` JSON holds this attribute's value under."""
        return self.name if self.is_default else str(self.id)
