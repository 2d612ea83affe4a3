"""Admins: GET /me, GET /admins, GET /admins/{id}, PUT /admins/{id}/away, GET /admins/activity_logs."""

from __future__ import annotations

from fastapi import APIRouter, Query

from opencom.admins import schemas, service
from opencom.core.auth import CurrentPrincipal
from opencom.core.pagination import check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.webhooks.publish import publish
from opencom.workspaces.service import get_workspace

router = APIRouter(route_class=TransactionRoute, tags=["Admins"])


@router.get("/me")
def identify_admin(principal: CurrentPrincipal, session: DbSession):
    admin = service.token_admin(session, principal.workspace_id, principal.admin_id)
    memberships = schemas.team_memberships(session, [admin.id])[admin.id]
    workspace = get_workspace(session, principal.workspace_id)
    return respond(schemas.admin_with_app_json(admin, memberships, workspace))


@router.get("/admins/activity_logs")
def list_activity_logs(
    principal: CurrentPrincipal,
    session: DbSession,
    created_at_after: str = Query(...),
    created_at_before: str | None = Query(None),
    per_page: str | None = Query(None),
    starting_after: str | None = Query(None),
):
    page = service.list_activity_logs(
        session, principal.workspace_id,
        created_at_after=created_at_after, created_at_before=created_at_before,
        per_page=check_per_page(per_page, default=20, maximum=150), starting_after=starting_after,
    )
    return respond(schemas.activity_log_list_json(page))


@router.get("/admins")
def list_admins(
    principal: CurrentPrincipal,
    session: DbSession,
    display_avatar: bool = Query(False),
):
    admins = service.list_admins(session, principal.workspace_id)
    memberships = schemas.team_memberships(session, [a.id for a in admins])
    body = [schemas.admin_json(a, memberships[a.id], display_avatar=display_avatar) for a in admins]
    return respond({"type": "admin.list", "admins": body})


@router.get("/admins/{id}")
def retrieve_admin(id: str, principal: CurrentPrincipal, session: DbSession):
    admin = service.get_admin(session, principal.workspace_id, id)
    return respond(schemas.admin_json(admin, schemas.team_memberships(session, [admin.id])[admin.id]))


@router.put("/admins/{id}/away")
def set_away_admin(
    id: str,
    body: schemas.AwayRequest,
    principal: CurrentPrincipal,
    session: DbSession,
):
    admin, entry = service.set_away(
        session, principal.workspace_id, id,
        enabled=body.away_mode_enabled, reassign=body.away_mode_reassign, actor_id=principal.admin_id,
    )
    item = schemas.admin_json(admin, schemas.team_memberships(session, [admin.id])[admin.id])
    publish(session, principal, "admin.away_mode_updated", item)
    publish(session, principal, "admin.activity_log_event.created", schemas.activity_log_json(entry))
    return respond(item)
