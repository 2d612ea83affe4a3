"""The rules for teams: created and staffed through the CLI, read through the API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencom.core.clock import now
from opencom.core.errors import ApiError
from opencom.teams.models import Team, TeamMembership

PRIORITIES = ("primary", "secondary")


def create_team(session: Session, workspace_id: int, *, name: str) -> Team:
    from opencom.admins.service import new_teammate_id  # admins import teams' models

    team = Team(id=new_teammate_id(session, workspace_id, "team"), workspace_id=workspace_id, name=name, created_at=now())
    session.add(team)
    session.flush()
    return team


def add_member(session: Session, workspace_id: int, team_id: int, admin_id: int, *, priority: str | None = None) -> None:
    from opencom.admins.service import find_admin

    if priority is not None and priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {PRIORITIES}")
    team = find_team(session, workspace_id, team_id)
    if team is None or find_admin(session, workspace_id, admin_id) is None:
        raise ValueError("team and admin must both belong to the workspace")
    membership = session.get(TeamMembership, (team_id, admin_id))
    if membership is None:
        session.add(TeamMembership(team_id=team_id, admin_id=admin_id, priority=priority))
    else:
        membership.priority = priority
    session.flush()


def remove_member(session: Session, team_id: int, admin_id: int) -> bool:
    membership = session.get(TeamMembership, (team_id, admin_id))
    if membership is None:
        return False
    session.delete(membership)
    return True


def list_teams(session: Session, workspace_id: int) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id)))


def find_team(session: Session, workspace_id: int, team_id: str | int) -> Team | None:
    try:
        key = int(team_id)
    except (TypeError, ValueError):
        return None
    return session.scalar(select(Team).where(Team.workspace_id == workspace_id, Team.id == key))


def get_team(session: Session, workspace_id: int, team_id: str) -> Team:
    team = find_team(session, workspace_id, team_id)
    if team is None:
        raise ApiError(404, "team_not_found", "Team not found")
    return team


def members(session: Session, team_ids: list[int]) -> dict[int, list[TeamMembership]]:
    found: dict[int, list[TeamMembership]] = {team_id: [] for team_id in team_ids}
    rows = session.scalars(
        select(TeamMembership).where(TeamMembership.team_id.in_(team_ids)).order_by(TeamMembership.admin_id)
    )
    for membership in rows:
        found[membership.team_id].append(membership)
    return found
