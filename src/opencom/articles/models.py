"""Articles. Full-text search runs on an index the migration builds per database (see search.py)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_list", "workspace_id", "updated_at", "id"),
        Index("ix_articles_parent_id", "parent_id"),
        Index("ix_articles_help_center_id", "help_center_id"),
    )

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_center_collections.id", ondelete="SET NULL"), nullable=True
    )
    # The parent collection's help center, kept here so search can filter on it without a join;
    # None for an article that stands alone.
    help_center_id: Mapped[int | None] = mapped_column(ForeignKey("help_centers.id", ondelete="SET NULL"), nullable=True)
    # The default locale's content.
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # `body` without its markup: what full-text search indexes and highlights.
    body_text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    # Locale -> {title, description, body, author_id, state, created_at, updated_at} for every
    # locale but the default one.
    translated_content: Mapped[dict] = mapped_column(JSON, default=dict)
    # The other locales' title / description / body text, one line per locale in locale order,
    # so full-text search (see search.py) finds an article in any of its languages.
    translated_titles: Mapped[str] = mapped_column(Text, default="", server_default="")
    translated_descriptions: Mapped[str] = mapped_column(Text, default="", server_default="")
    translated_body_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
