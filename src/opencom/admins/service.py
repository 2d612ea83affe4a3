"""The rules for admins: lookup, away mode, and the activity log that records what they do."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencom.admins.models import ActivityLog, Admin, TeammateId
from opencom.core import ids
from opencom.core.clock import now
from opencom.core.errors import ApiError, parameter_invalid, parameter_not_found
from opencom.core.pagination import Page, SortKey, cursor_paginate


def create_admin(
    session: Session,
    workspace_id: int,
    *,
    name: str,
    email: str,
    job_title: str | None = None,
    is_owner: bool = False,
    has_inbox_seat: bool = True,
    avatar_url: str | None = None,
) -> Admin:
    admin = Admin(
        id=new_teammate_id(session, workspace_id, "admin"), workspace_id=workspace_id, name=name, email=email, job_title=job_title, is_owner=is_owner,
        has_inbox_seat=has_inbox_seat, avatar_url=avatar_url, away_mode_enabled=False,
        away_mode_reassign=False, email_verified=True, created_at=now(),
    )
    session.add(admin)
    session.flush()
    return admin


def new_teammate_id(session: Session, workspace_id: int, kind: str) -> int:
    """An id for a new admin or team, from the id space they share."""
    teammate = TeammateId(workspace_id=workspace_id, kind=kind)
    session.add(teammate)
    session.flush()
    return teammate.id


def list_admins(session: Session, workspace_id: int) -> list[Admin]:
    return list(session.scalars(select(Admin).where(Admin.workspace_id == workspace_id).order_by(Admin.id)))


def find_admin(session: Session, workspace_id: int, admin_id: str | int) -> Admin | None:
    """The workspace's admin with that id, or None (ids of other workspaces are simply unknown)."""
    try:
        key = int(admin_id)
    except (TypeError, ValueError):
        return None
    return session.scalar(select(Admin).where(Admin.workspace_id == workspace_id, Admin.id == key))


def get_admin(session: Session, workspace_id: int, admin_id: str, message: str = "Admin not found") -> Admin:
    admin = find_admin(session, workspace_id, admin_id)
    if admin is None:
        raise ApiError(404, "admin_not_found", message)
    return admin


def token_admin(session: Session, workspace_id: int, admin_id: int | None) -> Admin:
    """The admin a token acts as; the workspace's owner if that admin is gone."""
    admin = find_admin(session, workspace_id, admin_id) if admin_id is not None else None
    if admin is None:
        admin = session.scalar(
            select(Admin).where(Admin.workspace_id == workspace_id).order_by(Admin.is_owner.desc(), Admin.id).limit(1)
        )
    if admin is None:
        raise ApiError(404, "admin_not_found", "Admin not found")
    return admin


def set_away(
    session: Session, workspace_id: int, admin_id: str, *, enabled: bool, reassign: bool, actor_id: int | None
) -> tuple[Admin, ActivityLog]:
    """The admin and the activity log the change records (the route notifies both)."""
    admin = get_admin(session, workspace_id, admin_id, message="Admin for admin_id not found")
    admin.away_mode_enabled = enabled
    admin.away_mode_reassign = reassign
    actor = find_admin(session, workspace_id, actor_id) if actor_id else None
    actor = actor or admin
    entry = record_activity(
        session, workspace_id, actor, "admin_away_mode_change",
        f"{actor.name} changed {'their' if actor.id == admin.id else admin.name + chr(39) + 's'} away mode to {'away' if enabled else 'active'}.",
        {
            "away_mode": enabled,
            "reassign_conversations": reassign,
            "source": f"admin update from API - Admin id: {admin.id}",
            "update_by": actor.id,
            "update_by_name": actor.name,
        },
    )
    return admin, entry


def record_activity(
    session: Session, workspace_id: int, actor: Admin | None, activity_type: str, description: str, details: dict
) -> ActivityLog:
    entry = ActivityLog(
        id=ids.new_uuid(), workspace_id=workspace_id, admin_id=actor.id if actor else None,
        admin_email=actor.email if actor else None, ip="127.0.0.1", activity_type=activity_type,
        activity_description=description, details=details, created_at=now(),
    )
    session.add(entry)
    return entry


def _unix_param(value: str | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    # Digits only (int() would take "1_000" and " 7"), and few enough to fit a BIGINT.
    if not re.fullmatch(r"-?[0-9]{1,18}", value):
        raise parameter_invalid(f"{field} must be a UNIX timestamp", field)
    return int(value)


def list_activity_logs(
    session: Session,
    workspace_id: int,
    *,
    created_at_after: str,
    created_at_before: str | None,
    per_page: int,
    starting_after: str | None,
) -> Page:
    after = _unix_param(created_at_after, "created_at_after")
    if after is None:
        raise parameter_not_found("created_at_after is required", "created_at_after")
    before = _unix_param(created_at_before, "created_at_before")
    query = select(ActivityLog).where(ActivityLog.workspace_id == workspace_id, ActivityLog.created_at >= after)
    if before is not None:
        query = query.where(ActivityLog.created_at <= before)
    sort = [SortKey(ActivityLog.created_at, descending=True), SortKey(ActivityLog.seq, descending=True)]
    return cursor_paginate(session, query, sort, per_page=per_page, starting_after=starting_after)
