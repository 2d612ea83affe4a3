"""Data Export: POST /export/content/data, GET /export/content/data/{job_identifier},
POST /export/cancel/{job_identifier}, GET /download/content/data/{job_identifier}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from starlette.requests import Request
from starlette.responses import Response

from opencom.core.auth import CurrentPrincipal
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.data_export import schemas, service

router = APIRouter(route_class=TransactionRoute, tags=["Data Export"])


@router.post("/export/content/data")
def create_data_export(request: Request, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    export, job_state = service.create_export(session, principal.workspace_id, principal.timezone, body)
    return respond(schemas.data_export_json(export, job_state, str(request.base_url)))


@router.get("/export/content/data/{job_identifier}")
def get_data_export(job_identifier: str, request: Request, principal: CurrentPrincipal, session: DbSession):
    export, job_state = service.get_export(session, principal.workspace_id, job_identifier)
    return respond(schemas.data_export_json(export, job_state, str(request.base_url)))


@router.post("/export/cancel/{job_identifier}")
def cancel_data_export(job_identifier: str, request: Request, principal: CurrentPrincipal, session: DbSession):
    export, job_state = service.cancel_export(session, principal.workspace_id, job_identifier)
    return respond(schemas.data_export_json(export, job_state, str(request.base_url)))


@router.get("/download/content/data/{job_identifier}")
def download_data_export(job_identifier: str, principal: CurrentPrincipal, session: DbSession):
    data = service.download(session, principal.workspace_id, job_identifier)
    filename = f"content_data_export_{job_identifier}.csv.gz"
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
