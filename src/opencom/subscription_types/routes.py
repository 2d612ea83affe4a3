"""Subscription types: GET /subscription_types and a contact's subscriptions
(GET/POST /contacts/{contact_id}/subscriptions, DELETE /contacts/{contact_id}/subscriptions/{id})."""

from __future__ import annotations

from fastapi import APIRouter

from opencom.core.auth import CurrentPrincipal
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.subscription_types import schemas, service

router = APIRouter(tags=["Subscription Types"])


@router.get("/subscription_types")
def list_subscription_types(principal: CurrentPrincipal, session: DbSession):
    return respond(schemas.subscription_type_list_json(service.list_types(session, principal.workspace_id)))


@router.get("/contacts/{contact_id}/subscriptions")
def list_subscriptions_for_contact(contact_id: str, principal: CurrentPrincipal, session: DbSession):
    rows = service.explicit_choices(session, principal.workspace_id, contact_id)
    return respond(schemas.subscription_type_list_json(rows))


@router.post("/contacts/{contact_id}/subscriptions")
def attach_subscription(contact_id: str, body: schemas.AttachRequest, principal: CurrentPrincipal, session: DbSession):
    row = service.attach(session, principal.workspace_id, contact_id, body.id, body.consent_type)
    return respond(schemas.subscription_type_json(row))


@router.delete("/contacts/{contact_id}/subscriptions/{id}")
def detach_subscription(contact_id: str, id: str, principal: CurrentPrincipal, session: DbSession):
    row = service.detach(session, principal.workspace_id, contact_id, id)
    return respond(schemas.subscription_type_json(row))
