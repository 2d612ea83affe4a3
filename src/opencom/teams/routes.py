"""Teams: GET /teams, GET /teams/{id}."""

from __future__ import annotations

from fastapi import APIRouter

from opencom.core.auth import CurrentPrincipal
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.teams import schemas, service

router = APIRouter(route_class=TransactionRoute, tags=["Teams"])


@router.get("/teams")
def list_teams(principal: CurrentPrincipal, session: DbSession):
    teams = service.list_teams(session, principal.workspace_id)
    memberships = service.members(session, [t.id for t in teams])
    return respond({"type": "team.list", "teams": [schemas.team_json(t, memberships[t.id]) for t in teams]})


@router.get("/teams/{id}")
def retrieve_team(id: str, principal: CurrentPrincipal, session: DbSession):
    team = service.get_team(session, principal.workspace_id, id)
    return respond(schemas.team_json(team, service.members(session, [team.id])[team.id]))
