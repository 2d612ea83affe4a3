"""The Opencom control plane under /_opencom: what a test suite needs around the Intercom API.

    POST   /_opencom/reset                    {"workspace_id"?}  empty a workspace (or all), defaults back
    GET    /_opencom/snapshot?workspace_id=N                     the workspace's state as one JSON document
    POST   /_opencom/snapshot?workspace_id=N  <snapshot>         replace the workspace's state with it
    GET    /_opencom/workspaces                                  every workspace
    POST   /_opencom/workspaces               {"name", ...}      a new workspace and its first token
    DELETE /_opencom/workspaces/{id}                             a workspace, its data and tokens
    POST   /_opencom/workspaces/{id}/tokens   {"name"?}          another token for a workspace
    GET    /_opencom/clock                                       the server clock
    POST   /_opencom/clock  {"freeze"?, "at"?, "advance"?, "reset"?}

Outside Intercom's API: no Intercom token, no rate limit, no version check (core.protocol skips
the prefix); access is `control.access.require_admin`. Without a workspace_id the snapshot routes
use the default workspace. Errors are the usual `error.list`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from starlette.requests import Request
from starlette.responses import Response

from opencom.control import schemas, service, snapshot
from opencom.control.access import require_admin
from opencom.control.service import apply_seed  # noqa: F401  (app start calls it)
from opencom.core.errors import not_found
from opencom.core.responses import respond
from opencom.core.session import DbSession

router = APIRouter(prefix="/_opencom", tags=["Opencom control plane"], dependencies=[Depends(require_admin)])


@router.post("/reset")
def reset(session: DbSession, request: Request, body: schemas.ResetRequest | None = None):
    workspace_id = body.workspace_id if body else None
    reset_ids = service.reset(session, request.app.state.settings, workspace_id)
    return respond({"reset": reset_ids})


@router.get("/snapshot")
def export_snapshot(session: DbSession, workspace_id: schemas.WorkspaceId | None = None):
    workspace = service.default_or_given(session, workspace_id)
    return Response(snapshot.dump(snapshot.export_workspace(session, workspace)), media_type="application/json")


@router.post("/snapshot")
def import_snapshot(session: DbSession, document: Annotated[Any, Body()], workspace_id: schemas.WorkspaceId | None = None):
    workspace = service.default_or_given(session, workspace_id)
    counts = snapshot.import_workspace(session, workspace, document)
    return respond({"workspace_id": workspace.id, "tables": counts})


@router.get("/workspaces")
def list_workspaces(session: DbSession):
    return respond({"workspaces": [schemas.workspace_json(ws) for ws in service.list_workspaces(session)]})


@router.post("/workspaces")
def create_workspace(session: DbSession, body: schemas.WorkspaceCreate):
    created = service.new_workspace(session, body.name, timezone=body.timezone, owner_name=body.owner_name, owner_email=body.owner_email)
    return respond({**schemas.workspace_json(created.workspace), "token": created.token})


@router.delete("/workspaces/{id}")
def delete_workspace(id: str, session: DbSession):
    service.delete_workspace(session, _workspace_id(id))
    return respond({"id": int(id), "deleted": True})


@router.post("/workspaces/{id}/tokens")
def create_token(id: str, session: DbSession, body: schemas.TokenCreate | None = None):
    token = service.new_token(session, _workspace_id(id), (body or schemas.TokenCreate()).name)
    return respond({"token": token})


@router.get("/clock")
def get_clock():
    return respond(service.clock_state())


@router.post("/clock")
def set_clock(body: schemas.ClockChange):
    service.change_clock(reset=body.reset, freeze=body.freeze, at=body.at, advance=body.advance)
    return respond(service.clock_state())


def _workspace_id(value: str) -> int:
    if not (value.isascii() and value.isdigit() and len(value) <= 18):  # as elsewhere: a malformed id is not found
        raise not_found("Workspace Not Found")
    return int(value)
