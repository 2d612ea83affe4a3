"""The Opencom control plane under /_opencom: what a test suite needs around the Intercom API.

    POST   /_opencom/reset                    {"workspace_id"?}  empty a workspace (or all), defaults back
    GET    /_opencom/snapshot?workspace_id=N                     the workspace's state as one JSON document
    POST   /_opencom/snapshot?workspace_id=N  <snapshot>         replace the workspace's state with it
    GET    /_opencom/workspaces                                  every workspace
    POST   /_opencom/workspaces               {"name", ...}      a new workspace and its first token
    DELETE /_opencom/workspaces/{id}                             a workspace, its data and tokens
    POST   /_opencom/workspaces/{id}/tokens   {"name"?}          another token for a workspace
    GET    /_opencom/requests?workspace_id=&method=&path=&path_prefix=&status=&since=&until=&request_id=&limit=&order=
                                                                 the request journal (control/inspection.py)
    DELETE /_opencom/requests?workspace_id=                      clear the journal
    GET    /_opencom/outbox?workspace_id=&channel=&to=&since=&until=&limit=
                                                                 what Intercom would have delivered
    GET    /_opencom/clock?workspace_id=N                        a workspace's clock (without N: the process clock)
    POST   /_opencom/clock  {"workspace_id"?, "freeze"?, "at"?, "advance"?, "reset"?}

Outside Intercom's API: no Intercom token, no rate limit, no version check (core.protocol skips
the prefix); access is `control.access.require_admin`. Without a workspace_id the snapshot routes
use the default workspace. Errors are the usual `error.list`.

Clocks (core/clock.py): the process clock is this process's own (real time unless frozen or
moved; with OPENCOM_SEED it starts frozen at OPENCOM_SEED_EPOCH). A workspace_id (query or body)
addresses that workspace's clock instead: stored on the workspace, so every server process reads
it, and layered on the process clock (`reset` makes it follow the process clock again). A
workspace's requests and background jobs run on its clock. A reset of a workspace resets its
clock; a full reset resets every clock (the process clock back to real time, or the seed epoch).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from starlette.requests import Request
from starlette.responses import Response

from opencom.control import schemas, service, snapshot
from opencom.control.access import require_admin
from opencom.control.inspection import clearing_journal
from opencom.control.service import apply_seed  # noqa: F401  (app start calls it)
from opencom.core.errors import not_found
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute

router = APIRouter(route_class=TransactionRoute, prefix="/_opencom", tags=["Opencom control plane"], dependencies=[Depends(require_admin)])


@router.post("/reset")
def reset(session: DbSession, request: Request, body: schemas.ResetRequest | None = None):
    workspace_id = body.workspace_id if body else None
    clearing_journal(session, workspace_id)  # the reset empties the journal: nothing buffered lands after it
    reset_ids = service.reset(session, request.app.state.settings, workspace_id)
    return respond({"reset": reset_ids})


@router.get("/snapshot")
def export_snapshot(session: DbSession, workspace_id: schemas.WorkspaceId | None = None):
    workspace = service.default_or_given(session, workspace_id)
    return Response(snapshot.dump(snapshot.export_workspace(session, workspace)), media_type="application/json")


@router.post("/snapshot")
def import_snapshot(session: DbSession, document: Annotated[Any, Body()], workspace_id: schemas.WorkspaceId | None = None):
    workspace = service.default_or_given(session, workspace_id)
    clearing_journal(session, workspace.id)  # an import empties the workspace's journal too
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
    clearing_journal(session, _workspace_id(id))  # no entry of the deleted workspace is written after it
    service.delete_workspace(session, _workspace_id(id))
    return respond({"id": int(id), "deleted": True})


@router.post("/workspaces/{id}/tokens")
def create_token(id: str, session: DbSession, body: schemas.TokenCreate | None = None):
    token = service.new_token(session, _workspace_id(id), (body or schemas.TokenCreate()).name)
    return respond({"token": token})


@router.get("/clock")
def get_clock(session: DbSession, workspace_id: schemas.WorkspaceId | None = None):
    if workspace_id is None:
        return respond(service.clock_state())
    return respond(service.workspace_clock_state(session, workspace_id))


@router.post("/clock")
def set_clock(session: DbSession, body: schemas.ClockChange, workspace_id: schemas.WorkspaceId | None = None):
    change = {"reset": body.reset, "freeze": body.freeze, "at": body.at, "advance": body.advance}
    workspace_id = body.workspace_id if body.workspace_id is not None else workspace_id  # body or query
    if workspace_id is None:
        service.change_clock(**change)
        return respond(service.clock_state())
    return respond(service.change_workspace_clock(session, workspace_id, **change))


def _workspace_id(value: str) -> int:
    if not (value.isascii() and value.isdigit() and len(value) <= 18):  # as elsewhere: a malformed id is not found
        raise not_found("Workspace Not Found")
    return int(value)
