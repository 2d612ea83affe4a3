"""News (tag of the 2.10 description): newsfeeds, news items, their assignments to feeds, and the
notifications recorded when an item goes live."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class Newsfeed(Base):
    """Read-only through the API: seeded per workspace, more via `opencom newsfeed create`."""

    __tablename__ = "newsfeeds"

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class NewsItem(Base):
    __tablename__ = "news_items"

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    # No foreign key: the item keeps naming its sender even if that admin is removed later.
    sender_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(8))
    deliver_silently: Mapped[bool] = mapped_column(Boolean)
    labels: Mapped[list] = mapped_column(JSON)
    reactions: Mapped[list] = mapped_column(JSON)
    cover_image_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class NewsfeedAssignment(Base):
    """An item placed on a feed. `published_at` is NULL while the item is a draft."""

    __tablename__ = "newsfeed_assignments"
    # The live-items-of-a-feed list reads by feed, newest publication first.
    __table_args__ = (Index("ix_newsfeed_assignments_feed", "newsfeed_id", "published_at"),)

    news_item_id: Mapped[int] = mapped_column(ForeignKey("news_items.id", ondelete="CASCADE"), primary_key=True)
    newsfeed_id: Mapped[int] = mapped_column(ForeignKey("newsfeeds.id", ondelete="CASCADE"), primary_key=True)
    published_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The order the client gave the assignments in, echoed back.
    position: Mapped[int] = mapped_column(Integer)


class NewsNotification(Base):
    """A notification Intercom would send to a feed's audience when an item goes live on it.

    Recorded only (no network sends) for the control plane's outbox. The item id is a plain
    column so the record outlives a deleted item, as a sent notification would.
    """

    __tablename__ = "news_notifications"
    __table_args__ = (Index("ix_news_notifications_item", "workspace_id", "news_item_id"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    news_item_id: Mapped[int] = mapped_column(BigInteger)
    newsfeed_id: Mapped[int] = mapped_column(ForeignKey("newsfeeds.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
