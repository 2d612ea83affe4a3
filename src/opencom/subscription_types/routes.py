"""Subscription types: GET /subscription_types and a contact's subscriptions
(GET/POST /contacts/{contact_id}/subscriptions, DELETE /contacts/{contact_id}/subscriptions/{id})."""

from __future__ import annotations

from fastapi import APIRouter

from opencom.core.auth import CurrentPrincipal
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.subscription_types import schemas, service
from opencom.webhooks.publish import publish

router = APIRouter(route_class=TransactionRoute, tags=["Subscription Types"])


@router.get("/subscription_types")
def list_subscription_types(principal: CurrentPrincipal, session: DbSession):
    return respond(schemas.subscription_type_list_json(service.list_types(session, principal.workspace_id)))


@router.get("/contacts/{contact_id}/subscriptions")
def list_subscriptions_for_contact(contact_id: str, principal: CurrentPrincipal, session: DbSession):
    rows = service.explicit_choices(session, principal.workspace_id, contact_id)
    return respond(schemas.subscription_type_list_json(rows))


@router.post("/contacts/{contact_id}/subscriptions")
def attach_subscription(contact_id: str, body: schemas.AttachRequest, principal: CurrentPrincipal, session: DbSession):
    before = _chosen(session, principal, contact_id)
    row = service.attach(session, principal.workspace_id, contact_id, body.id, body.consent_type)
    item = schemas.subscription_type_json(row)
    if row.id not in before:  # attaching again changes nothing, so it notifies nothing
        # Attaching opts in to an opt-in type and out of an opt-out type.
        topic = "granular.subscribe" if row.consent_type == "opt_in" else "granular.unsubscribe"
        publish(session, principal, topic, _with_contact(item, contact_id))
    return respond(item)


@router.delete("/contacts/{contact_id}/subscriptions/{id}")
def detach_subscription(contact_id: str, id: str, principal: CurrentPrincipal, session: DbSession):
    before = _chosen(session, principal, contact_id)
    row = service.detach(session, principal.workspace_id, contact_id, id)
    item = schemas.subscription_type_json(row)
    if row.id in before:  # detaching undoes the choice: out of an opt-in type, back into an opt-out one
        topic = "granular.unsubscribe" if row.consent_type == "opt_in" else "granular.subscribe"
        publish(session, principal, topic, _with_contact(item, contact_id))
    return respond(item)


def _chosen(session, principal: CurrentPrincipal, contact_id: str) -> set:
    """The subscription types the contact has an explicit choice for (empty for an unknown contact:
    the service answers that with its 404)."""
    from opencom.core.errors import ApiError

    try:
        return {row.id for row in service.explicit_choices(session, principal.workspace_id, contact_id)}
    except ApiError:
        return set()


def _with_contact(item: dict, contact_id: str) -> dict:
    # The subscription object alone would not say whose choice it is.
    return {**item, "contact": {"type": "contact", "id": contact_id}}
