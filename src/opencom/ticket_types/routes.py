"""Ticket types: GET/POST /ticket_types, GET/PUT /ticket_types/{id}; their attributes:
POST /ticket_types/{ticket_type_id}/attributes, PUT /ticket_types/{ticket_type_id}/attributes/{id}."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from opencom.core.auth import CurrentPrincipal
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.ticket_types import schemas, service
from opencom.ticket_types.models import TicketType
from opencom.workspaces.service import get_workspace

router = APIRouter(route_class=TransactionRoute, tags=["Ticket Types"])


def _code(session: Session, workspace_id: int) -> str:
    return get_workspace(session, workspace_id).id_code


def _one(session: Session, ticket_type: TicketType, workspace_id: int) -> dict:
    attributes = service.attributes_of(session, [ticket_type.id])[ticket_type.id]
    return schemas.ticket_type_json(ticket_type, attributes, _code(session, workspace_id))


@router.get("/ticket_types")
def list_ticket_types(principal: CurrentPrincipal, session: DbSession):
    types = service.list_ticket_types(session, principal.workspace_id)
    attributes = service.attributes_of(session, [t.id for t in types])
    code = _code(session, principal.workspace_id)
    return respond(schemas.ticket_type_list_json([schemas.ticket_type_json(t, attributes[t.id], code) for t in types]))


@router.post("/ticket_types")
def create_ticket_type(body: schemas.CreateTicketTypeRequest, principal: CurrentPrincipal, session: DbSession):
    ticket_type = service.create_ticket_type(session, principal.workspace_id, body.given())
    return respond(_one(session, ticket_type, principal.workspace_id))


@router.get("/ticket_types/{id}")
def get_ticket_type(id: str, principal: CurrentPrincipal, session: DbSession):
    ticket_type = service.get_ticket_type(session, principal.workspace_id, id)
    return respond(_one(session, ticket_type, principal.workspace_id))


@router.put("/ticket_types/{id}")
def update_ticket_type(id: str, body: schemas.UpdateTicketTypeRequest, principal: CurrentPrincipal, session: DbSession):
    ticket_type = service.update_ticket_type(session, principal.workspace_id, id, body.given())
    return respond(_one(session, ticket_type, principal.workspace_id))


@router.post("/ticket_types/{ticket_type_id}/attributes")
def create_attribute(ticket_type_id: str, body: schemas.CreateAttributeRequest, principal: CurrentPrincipal, session: DbSession):
    attribute = service.create_attribute(session, principal.workspace_id, ticket_type_id, body.given())
    return respond(schemas.attribute_json(attribute, _code(session, principal.workspace_id)))


@router.put("/ticket_types/{ticket_type_id}/attributes/{id}")
def update_attribute(
    ticket_type_id: str, id: str, body: schemas.UpdateAttributeRequest, principal: CurrentPrincipal, session: DbSession
):
    attribute = service.update_attribute(session, principal.workspace_id, ticket_type_id, id, body.given())
    return respond(schemas.attribute_json(attribute, _code(session, principal.workspace_id)))
