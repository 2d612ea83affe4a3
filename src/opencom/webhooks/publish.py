"""Publishing webhook notification events (the producer side of opencom.webhooks).

    publish(session, principal, "contact.user.created", item)

`item` is the object exactly as the API returns it (the route's response body). The event is
written in the caller's transaction (a transactional outbox): a change that rolls back leaves
no event, and a committed change always has its event. Delivery happens later, in the
background worker (webhooks/delivery.py), woken as soon as the transaction commits.

Each matching subscription gets a delivery row numbered by its own sequence, taken with an
UPDATE of the subscription row: concurrent publishers queue on that row lock, so sequence
order is commit order and the worker can send in sequence order. A workspace without
subscriptions costs one indexed SELECT and nothing else.
"""

from __future__ import annotations

from typing import Any, Protocol

import orjson
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from opencom.core import wakeups
from opencom.core.clock import clock
from opencom.core.ids import new_uuid
from opencom.webhooks.models import ACTIVE, PENDING, WebhookDelivery, WebhookSubscription

PING = "ping"
PING_ITEM = {"type": "ping", "message": "something something interzen"}  # what Intercom's ping carries
WAKEUP = "webhooks"  # core.wakeups name: a publish wakes this process's deliverers after its commit


class Publisher(Protocol):
    """Anything with the workspace's id and code: core.auth.Principal fits."""

    workspace_id: int
    workspace_code: str


def publish(session: Session, principal: Publisher, topic: str, item: dict[str, Any]) -> None:
    """Record a notification event for every subscription of the workspace that wants `topic`."""
    # The session's connection (same transaction): Core statements skip the ORM's per-call work.
    rows = session.connection().execute(_SUBSCRIBED, {"workspace_id": principal.workspace_id}).all()
    wanted = [row.id for row in rows if topic in (row.topics or ())]
    if not wanted:
        return
    item = _plain(item)
    for subscription_id in sorted(wanted):  # one lock order for every publisher: no deadlocks
        enqueue(session, principal.workspace_id, subscription_id, topic, item, principal.workspace_code)


def enqueue(
    session: Session, workspace_id: int, subscription_id: int, topic: str, item: dict[str, Any], app_id: str,
    *, notification_id: str | None = None, redelivery_of: int | None = None,
) -> int:
    """Append one delivery to a subscription's queue (publish, ping and redeliver all come here);
    returns its id. Core statements, not the ORM: this runs inside every publishing request."""
    now, now_ms = clock.now(), process_ms()
    conn = session.connection()
    sequence = conn.execute(_NEXT_SEQUENCE, {"subscription_id": subscription_id, "now_ms": now_ms}).scalar_one()
    delivery_id = conn.execute(_INSERT, dict(
        workspace_id=workspace_id, subscription_id=subscription_id, sequence=sequence,
        notification_id=notification_id or f"notif_{new_uuid()}", topic=topic, app_id=app_id, item=item,
        state=PENDING, attempts=0, next_attempt_ms=now_ms, redelivery_of=redelivery_of,
        created_at=now, updated_at=now,
    )).scalar_one()
    wake_after_commit(session)
    return delivery_id


def wake_after_commit(session: Session) -> None:
    """Have this process's deliverers look at the outbox as soon as the transaction commits."""
    wakeups.after_commit(session, WAKEUP)


# Built once: constructing a statement costs more than running it on SQLite.
_SUBSCRIBED = select(WebhookSubscription.id, WebhookSubscription.topics).where(
    WebhookSubscription.workspace_id == bindparam("workspace_id"), WebhookSubscription.state == ACTIVE)
_NEXT_SEQUENCE = (
    update(WebhookSubscription)
    .where(WebhookSubscription.id == bindparam("subscription_id"))
    # A queue that was empty is due now; one waiting on a backoff keeps its time.
    .values(last_sequence=WebhookSubscription.last_sequence + 1,
            next_due_ms=func.coalesce(WebhookSubscription.next_due_ms, bindparam("now_ms")))
    .returning(WebhookSubscription.last_sequence)
)
_INSERT = insert(WebhookDelivery).returning(WebhookDelivery.id)


def process_ms() -> int:
    """Milliseconds of the process clock: the time delivery schedules and leases are on (a
    workspace's own clock, when it has one, would strand them)."""
    return int(clock.process_time() * 1000)


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    # Whatever the route would have rendered with orjson, as plain JSON types for the JSON column.
    return orjson.loads(orjson.dumps(item))

