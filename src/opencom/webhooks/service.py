"""Webhook subscriptions and their delivery log: the rules behind the control plane and the CLI."""

from __future__ import annotations

import importlib
import re
import secrets
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from opencom.core.clock import clock
from opencom.core.errors import ApiError, not_found, parameter_invalid
from opencom.webhooks.models import (
    ACTIVE, DELIVERED, FAILED, PAUSED, PENDING, WebhookAttempt, WebhookDelivery, WebhookSubscription,
)
from opencom.webhooks.publish import PING, PING_ITEM, enqueue, process_ms, wake_after_commit
from opencom.workspaces.models import Workspace

DOTTED = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
DELIVERY_STATES = (PENDING, DELIVERED, FAILED)
MAX_TOPICS = 200


# -- topics ----------------------------------------------------------------------------------


def known_topics() -> frozenset[str] | None:
    """The topic catalogue (webhooks/topics.py, TOPICS) when it exists; None until then."""
    try:
        module = importlib.import_module("opencom.webhooks.topics")
    except ModuleNotFoundError:
        return None
    return frozenset(getattr(module, "TOPICS", {}))


def check_topics(topics: list[str]) -> list[str]:
    if not topics:
        raise parameter_invalid("topics must name at least one topic", "topics")
    if len(topics) > MAX_TOPICS:
        raise parameter_invalid(f"topics takes at most {MAX_TOPICS} topics", "topics")
    catalogue = known_topics()
    for topic in topics:
        if topic == PING:
            continue
        known = DOTTED.match(topic) is not None if catalogue is None else topic in catalogue
        if not known:
            raise parameter_invalid(f"Unknown webhook topic: {topic}", "topics")
    return list(dict.fromkeys(topics))  # order kept, duplicates dropped


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise parameter_invalid("url must be an absolute http or https URL", "url")
    return url


# -- subscriptions ---------------------------------------------------------------------------


def create_subscription(session: Session, workspace_id: int, url: str, topics: list[str], secret: str | None) -> WebhookSubscription:
    """A new active subscription; without a secret, one is generated (it signs every notification)."""
    if session.get(Workspace, workspace_id) is None:
        raise not_found("Workspace Not Found")
    now = clock.now()
    subscription = WebhookSubscription(
        workspace_id=workspace_id, url=check_url(url), topics=check_topics(topics),
        secret=_check_secret(secret) if secret is not None else secrets.token_hex(20),
        state=ACTIVE, failure_streak=0, throttle_streak=0, last_sequence=0, lease_epoch=0,
        created_at=now, updated_at=now,
    )
    session.add(subscription)
    session.flush()
    return subscription


def list_subscriptions(session: Session, workspace_id: int | None) -> list[WebhookSubscription]:
    query = select(WebhookSubscription).order_by(WebhookSubscription.id)
    if workspace_id is not None:
        query = query.where(WebhookSubscription.workspace_id == workspace_id)
    return list(session.scalars(query))


def get_subscription(session: Session, subscription_id: int, *, lock: bool = False) -> WebhookSubscription:
    query = select(WebhookSubscription).where(WebhookSubscription.id == subscription_id)
    subscription = session.scalar(query.with_for_update() if lock else query)
    if subscription is None:
        raise not_found("Webhook Subscription Not Found")
    return subscription


def update_subscription(session: Session, subscription_id: int, *, url: str | None = None, topics: list[str] | None = None,
                        secret: str | None = None, state: str | None = None) -> WebhookSubscription:
    subscription = get_subscription(session, subscription_id, lock=True)
    if url is not None:
        subscription.url = check_url(url)
    if topics is not None:
        subscription.topics = check_topics(topics)
    if secret is not None:
        subscription.secret = _check_secret(secret)
    if state == PAUSED:
        pause(session, subscription, "paused from the control plane")
    elif state == ACTIVE:
        resume(session, subscription)
    subscription.updated_at = clock.now()
    session.flush()
    return subscription


def pause(session: Session, subscription: WebhookSubscription, reason: str) -> None:
    if subscription.state != PAUSED:
        subscription.state, subscription.paused_at, subscription.pause_reason = PAUSED, clock.now(), reason


def resume(session: Session, subscription: WebhookSubscription) -> None:
    """Active again: the waiting head event goes out at once, and the failure count starts over."""
    now_ms = process_ms()
    subscription.state, subscription.paused_at, subscription.pause_reason = ACTIVE, None, None
    subscription.failure_streak = subscription.throttle_streak = 0
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.state == PENDING,
               WebhookDelivery.next_attempt_ms > now_ms)
        .values(next_attempt_ms=now_ms)
        .execution_options(synchronize_session=False)
    )
    has_pending = session.scalar(
        select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.state == PENDING).limit(1)
    )
    subscription.next_due_ms = now_ms if has_pending is not None else None
    wake_after_commit(session)


def delete_subscription(session: Session, subscription_id: int) -> None:
    get_subscription(session, subscription_id, lock=True)
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == subscription_id)
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id))
    session.execute(delete(WebhookSubscription).where(WebhookSubscription.id == subscription_id))


def ping(session: Session, subscription_id: int) -> WebhookDelivery:
    """Queue a `ping` notification to the subscription's URL (whatever its topics)."""
    subscription = get_subscription(session, subscription_id)
    queued = enqueue(session, subscription.workspace_id, subscription.id, PING, dict(PING_ITEM), _app_id(session, subscription.workspace_id))
    return get_delivery(session, queued)


def _app_id(session: Session, workspace_id: int) -> str:
    return session.scalar(select(Workspace.id_code).where(Workspace.id == workspace_id)) or ""


def _check_secret(secret: str) -> str:
    if not secret.strip():
        raise parameter_invalid("secret must not be blank", "secret")
    return secret


# -- the delivery log ------------------------------------------------------------------------


def list_deliveries(session: Session, subscription_id: int, *, state: str | None = None, topic: str | None = None,
                    notification_id: str | None = None, before: int | None = None, limit: int = 50) -> list[WebhookDelivery]:
    """A subscription's deliveries, newest first; `before` (a sequence number) pages back."""
    get_subscription(session, subscription_id)
    if state is not None and state not in DELIVERY_STATES:
        raise parameter_invalid(f"state must be one of {', '.join(DELIVERY_STATES)}", "state")
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    if topic is not None:
        query = query.where(WebhookDelivery.topic == topic)
    if notification_id is not None:
        query = query.where(WebhookDelivery.notification_id == notification_id)
    if before is not None:
        query = query.where(WebhookDelivery.sequence < before)
    return list(session.scalars(query.order_by(WebhookDelivery.sequence.desc()).limit(limit)))


def attempts_of(session: Session, delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    found: dict[int, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
    if delivery_ids:
        query = select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids)).order_by(WebhookAttempt.id)
        for attempt in session.scalars(query):
            found[attempt.delivery_id].append(attempt)
    return found


def counts(session: Session, subscription_ids: list[int]) -> dict[int, dict[str, int]]:
    """Deliveries per state for each subscription."""
    found = {sid: {s: 0 for s in DELIVERY_STATES} for sid in subscription_ids}
    if subscription_ids:
        query = (
            select(WebhookDelivery.subscription_id, WebhookDelivery.state, func.count())
            .where(WebhookDelivery.subscription_id.in_(subscription_ids))
            .group_by(WebhookDelivery.subscription_id, WebhookDelivery.state)
        )
        for subscription_id, state, count in session.execute(query):
            found[subscription_id][state] = count
    return found


def get_delivery(session: Session, delivery_id: int) -> WebhookDelivery:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise not_found("Webhook Delivery Not Found")
    return delivery


def redeliver(session: Session, delivery_id: int) -> WebhookDelivery:
    """Send a finished event again: a new delivery at the end of the queue, same notification id."""
    original = get_delivery(session, delivery_id)
    if original.state == PENDING:
        raise ApiError(409, "conflict", "The delivery is still pending; it will be sent (or retried) anyway")
    queued = enqueue(session, original.workspace_id, original.subscription_id, original.topic, original.item, original.app_id,
                     notification_id=original.notification_id, redelivery_of=original.id)
    return get_delivery(session, queued)
