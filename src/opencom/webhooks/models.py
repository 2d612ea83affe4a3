"""Webhook subscriptions, the outbox of deliveries, and the log of every attempt.

A subscription is the delivery unit: at most one worker (any process) holds its lease at a time
and sends its oldest pending delivery, so its events leave in sequence order. The subscription
row carries the lease (locked_by, locked_until, lease_epoch: the fence) and `next_due_ms`, when
a worker should next look at it (NULL: nothing pending), so idle polling is one indexed read.

Scheduling times are milliseconds of core.clock (`*_ms`); the times the payload shows are
seconds, like every `*_at` of the API.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger

ACTIVE, PAUSED = "active", "paused"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_due", "state", "next_due_ms"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    topics: Mapped[list] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    paused_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    pause_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    failure_streak: Mapped[int] = mapped_column(Integer, default=0)  # consecutive failed attempts
    throttle_streak: Mapped[int] = mapped_column(Integer, default=0)  # consecutive 429s
    last_sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    next_due_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locked_until_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    lease_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class WebhookDelivery(Base):
    """One notification for one subscription: the outbox row, written with the change."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "sequence"),
        Index("ix_webhook_deliveries_pending", "subscription_id", "state", "sequence"),
    )

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(BigInteger)
    notification_id: Mapped[str] = mapped_column(String(64), index=True)  # notif_<uuid>; a redelivery keeps it
    topic: Mapped[str] = mapped_column(String(128))
    app_id: Mapped[str] = mapped_column(String(40))
    item: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_ms: Mapped[int] = mapped_column(BigInteger)
    first_sent_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    delivered_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    redelivery_of: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class WebhookAttempt(Base):
    """The delivery log: one row per HTTP attempt, whatever came of it."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # delivered, retry, throttled, failed
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    latency_ms: Mapped[int] = mapped_column(Integer)
    response_snippet: Mapped[str | None] = mapped_column(Text, nullable=True)
    worker: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[int] = mapped_column(BigInteger)
