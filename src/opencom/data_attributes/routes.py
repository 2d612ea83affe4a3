"""Data attributes: GET /data_attributes, POST /data_attributes, PUT /data_attributes/{id}.

Bodies are checked in the service, field by field, so errors carry Intercom's own messages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query

from opencom.core.auth import CurrentPrincipal
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.data_attributes import schemas, service

router = APIRouter(route_class=TransactionRoute, tags=["Data Attributes"])


@router.get("/data_attributes")
def list_data_attributes(
    principal: CurrentPrincipal,
    session: DbSession,
    model: str | None = Query(None),
    include_archived: bool = Query(False),
):
    rows = service.list_attributes(session, principal.workspace_id, model, include_archived)
    return respond(schemas.data_attribute_list_json(rows))


@router.post("/data_attributes")
def create_data_attribute(principal: CurrentPrincipal, session: DbSession, body: dict[str, Any] = Body(...)):
    row = service.create_attribute(session, principal.workspace_id, principal.admin_id, body)
    return respond(schemas.data_attribute_json(row))


@router.put("/data_attributes/{id}")
def update_data_attribute(id: str, principal: CurrentPrincipal, session: DbSession, body: dict[str, Any] = Body(...)):
    row = service.update_attribute(session, principal.workspace_id, id, body)
    return respond(schemas.data_attribute_json(row))
