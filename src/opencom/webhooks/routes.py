"""Webhook subscriptions on the control plane (Intercom configures them in its Developer Hub,
not through the 2.10 API):

    GET    /_opencom/webhooks?workspace_id=N              subscriptions (every workspace's without N)
    POST   /_opencom/webhooks  {url, topics, secret?, workspace_id?}
    GET    /_opencom/webhooks/{id}
    PUT    /_opencom/webhooks/{id}  {url?, topics?, secret?, state?: active|paused}
    DELETE /_opencom/webhooks/{id}                        with its deliveries and their log
    POST   /_opencom/webhooks/{id}/ping                   queue a `ping` notification
    POST   /_opencom/webhooks/{id}/pause
    POST   /_opencom/webhooks/{id}/resume                 active again; the waiting event goes at once
    GET    /_opencom/webhooks/{id}/deliveries?state=&topic=&notification_id=&before=&limit=
    GET    /_opencom/webhooks/deliveries/{delivery_id}
    POST   /_opencom/webhooks/deliveries/{delivery_id}/redeliver

Access is control.access.require_admin, as for the rest of /_opencom.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from opencom.control.access import require_admin
from opencom.control.schemas import WorkspaceId
from opencom.control.service import default_or_given
from opencom.core.fields import Text
from opencom.core.errors import not_found
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.webhooks import schemas, service

router = APIRouter(route_class=TransactionRoute, prefix="/_opencom/webhooks", tags=["Opencom control plane"], dependencies=[Depends(require_admin)])


@router.get("")
def list_subscriptions(session: DbSession, workspace_id: WorkspaceId | None = None):
    found = service.list_subscriptions(session, workspace_id)
    counts = service.counts(session, [s.id for s in found])
    return respond({"type": "list", "data": [schemas.subscription_json(s, counts[s.id]) for s in found]})


@router.post("")
def create_subscription(session: DbSession, body: schemas.SubscriptionCreate):
    workspace = default_or_given(session, body.workspace_id)
    created = service.create_subscription(session, workspace.id, body.url, body.topics, body.secret)
    return respond(schemas.subscription_json(created, secret=True))


@router.get("/deliveries/{delivery_id}")
def get_delivery(delivery_id: str, session: DbSession):
    delivery = service.get_delivery(session, _id(delivery_id, "Webhook Delivery Not Found"))
    return respond(schemas.delivery_json(delivery, service.attempts_of(session, [delivery.id])[delivery.id]))


@router.post("/deliveries/{delivery_id}/redeliver")
def redeliver(delivery_id: str, session: DbSession):
    delivery = service.redeliver(session, _id(delivery_id, "Webhook Delivery Not Found"))
    return respond(schemas.delivery_json(delivery, []))


@router.get("/{id}")
def get_subscription(id: str, session: DbSession):
    subscription = service.get_subscription(session, _id(id))
    return respond(schemas.subscription_json(subscription, service.counts(session, [subscription.id])[subscription.id]))


@router.put("/{id}")
def update_subscription(id: str, session: DbSession, body: schemas.SubscriptionUpdate):
    subscription = service.update_subscription(session, _id(id), url=body.url, topics=body.topics, secret=body.secret, state=body.state)
    return respond(schemas.subscription_json(subscription))


@router.delete("/{id}")
def delete_subscription(id: str, session: DbSession):
    service.delete_subscription(session, _id(id))
    return respond({"type": "webhook_subscription", "id": int(id), "deleted": True})


@router.post("/{id}/ping")
def ping(id: str, session: DbSession):
    delivery = service.ping(session, _id(id))
    return respond(schemas.delivery_json(delivery, []))


@router.post("/{id}/pause")
def pause(id: str, session: DbSession):
    subscription = service.update_subscription(session, _id(id), state="paused")
    return respond(schemas.subscription_json(subscription))


@router.post("/{id}/resume")
def resume(id: str, session: DbSession):
    subscription = service.update_subscription(session, _id(id), state="active")
    return respond(schemas.subscription_json(subscription))


@router.get("/{id}/deliveries")
def list_deliveries(
    id: str,
    session: DbSession,
    state: Text | None = None,
    topic: Text | None = None,
    notification_id: Text | None = None,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
):
    found = service.list_deliveries(session, _id(id), state=state, topic=topic, notification_id=notification_id, before=before, limit=limit)
    log = service.attempts_of(session, [d.id for d in found])
    return respond({"type": "list", "data": [schemas.delivery_json(d, log[d.id]) for d in found]})


def _id(value: str, message: str = "Webhook Subscription Not Found") -> int:
    if not (value.isascii() and value.isdigit() and len(value) <= 18):  # a malformed id is not found
        raise not_found(message)
    return int(value)
