"""Request bodies of /_opencom/webhooks, and the JSON it answers with."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictStr

from opencom.control.schemas import Body, WorkspaceId
from opencom.core.fields import no_nul
from opencom.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

Url = Annotated[StrictStr, Field(min_length=1, max_length=2048), AfterValidator(no_nul)]
Topics = Annotated[list[Annotated[StrictStr, Field(min_length=1, max_length=128), AfterValidator(no_nul)]], Field(min_length=1)]
Secret = Annotated[StrictStr, Field(min_length=1, max_length=255), AfterValidator(no_nul)]


class SubscriptionCreate(Body):
    url: Url
    topics: Topics
    secret: Secret | None = None  # generated when left out
    workspace_id: WorkspaceId | None = None  # the default workspace when left out


class SubscriptionUpdate(Body):
    url: Url | None = None
    topics: Topics | None = None
    secret: Secret | None = None
    state: Literal["active", "paused"] | None = None


def subscription_json(subscription: WebhookSubscription, counts: dict[str, int] | None = None, *, secret: bool = False) -> dict:
    """The secret is shown once, when the subscription is created (it signs every notification)."""
    body = {
        "type": "webhook_subscription",
        "id": subscription.id,
        "workspace_id": subscription.workspace_id,
        "url": subscription.url,
        "topics": list(subscription.topics or []),
        "state": subscription.state,
        "paused_at": subscription.paused_at,
        "pause_reason": subscription.pause_reason,
        "consecutive_failures": subscription.failure_streak,
        "created_at": subscription.created_at,
        "updated_at": subscription.updated_at,
    }
    if counts is not None:
        body["deliveries"] = counts
    if secret:
        body["secret"] = subscription.secret
    return body


def delivery_json(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> dict:
    return {
        "type": "webhook_delivery",
        "id": delivery.id,
        "subscription_id": delivery.subscription_id,
        "sequence": delivery.sequence,
        "notification_id": delivery.notification_id,
        "topic": delivery.topic,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "created_at": delivery.created_at,
        "first_sent_at": delivery.first_sent_at,
        "delivered_at": delivery.delivered_at,
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
        "redelivery_of": delivery.redelivery_of,
        "item": delivery.item,
        "log": [attempt_json(attempt) for attempt in attempts],
    }


def attempt_json(attempt: WebhookAttempt) -> dict:
    return {
        "attempt": attempt.attempt,
        "outcome": attempt.outcome,
        "status_code": attempt.status_code,
        "error": attempt.error,
        "latency_ms": attempt.latency_ms,
        "response_snippet": attempt.response_snippet,
        "sent_at": attempt.sent_at,
        "worker": attempt.worker,
    }
