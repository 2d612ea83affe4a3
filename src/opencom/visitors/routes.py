"""Visitors: GET /visitors?user_id=, PUT /visitors, POST /visitors/convert."""

from __future__ import annotations

from fastapi import APIRouter, Query

from opencom.contacts.models import Contact
from opencom.contacts.schemas import one_contact_json
from opencom.core.auth import CurrentPrincipal
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.visitors import schemas, service
from opencom.webhooks.publish import publish
from opencom.webhooks.watch import inserted, publish_new_contacts

router = APIRouter(route_class=TransactionRoute, tags=["Visitors"])



@router.get("/visitors")
def retrieve_visitor(principal: CurrentPrincipal, session: DbSession, user_id: str = Query(...)):
    visitor = service.find_visitor(session, principal.workspace_id, user_id=user_id)
    return respond(schemas.visitor_json(visitor, principal.workspace_code))


@router.put("/visitors")
def update_visitor(body: schemas.UpdateVisitorRequest, principal: CurrentPrincipal, session: DbSession):
    visitor = service.update_visitor(session, principal.workspace_id, body)
    return respond(schemas.visitor_json(visitor, principal.workspace_code))


@router.post("/visitors/convert")
def convert_visitor(body: schemas.ConvertVisitorRequest, principal: CurrentPrincipal, session: DbSession):
    with inserted(session, Contact) as created:  # a new contact, unless it merged into a known one
        contact = service.convert_visitor(session, principal.workspace_id, body)
    publish_new_contacts(session, principal, created)
    item = one_contact_json(session, contact, principal.workspace_code)
    if contact.role == "user":  # the visitor signed up: the item is the user they became
        publish(session, principal, "visitor.signed_up", item)
    return respond(item)
