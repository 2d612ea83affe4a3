"""Help centers and their collections (sections are collections with a parent)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class HelpCenter(Base):
    __tablename__ = "help_centers"
    # The identifier is the help center's URL slug: unique within its workspace.
    __table_args__ = (UniqueConstraint("workspace_id", "identifier"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    identifier: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(255))
    website_turned_on: Mapped[bool] = mapped_column(Boolean, default=False)
    custom_domain: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The one a collection created without help_center_id goes to.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class Collection(Base):
    __tablename__ = "help_center_collections"
    __table_args__ = (
        Index("ix_help_center_collections_list", "workspace_id", "updated_at", "id"),
        Index("ix_help_center_collections_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    help_center_id: Mapped[int] = mapped_column(ForeignKey("help_centers.id", ondelete="CASCADE"), index=True)
    # Deferred: a snapshot inserts rows in id order, and a collection may have been moved under a
    # later one; the reference only has to hold when the transaction commits.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_center_collections.id", ondelete="CASCADE", deferrable=True, initially="DEFERRED"),
        nullable=True,
    )
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Locale -> {name, description} for every locale but the default one (the top-level fields).
    translated_content: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
