"""Request shapes and the serializers that turn admin rows into Intercom's JSON."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, StrictBool
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencom.admins.models import ActivityLog, Admin
from opencom.core.pagination import Page
from opencom.teams.models import TeamMembership
from opencom.workspaces.models import Workspace


class AwayRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # the SDK also sends away_status_reason_id

    away_mode_enabled: StrictBool
    away_mode_reassign: StrictBool


def avatar_object(admin: Admin) -> dict:
    return {"type": "avatar", "image_url": admin.avatar_url}


def team_memberships(session: Session, admin_ids: list[int]) -> dict[int, list[TeamMembership]]:
    """The team memberships of several admins in one query."""
    found: dict[int, list[TeamMembership]] = {admin_id: [] for admin_id in admin_ids}
    rows = session.scalars(
        select(TeamMembership).where(TeamMembership.admin_id.in_(admin_ids)).order_by(TeamMembership.team_id)
    )
    for membership in rows:
        found[membership.admin_id].append(membership)
    return found


def admin_json(admin: Admin, memberships: list[TeamMembership], *, display_avatar: bool = False) -> dict:
    body: dict = {
        "type": "admin",
        "id": str(admin.id),
        "name": admin.name,
        "email": admin.email,
        "away_mode_enabled": admin.away_mode_enabled,
        "away_mode_reassign": admin.away_mode_reassign,
        "has_inbox_seat": admin.has_inbox_seat,
        "team_ids": [m.team_id for m in memberships],
    }
    if admin.job_title is not None:
        body["job_title"] = admin.job_title
    primary = [m.team_id for m in memberships if m.priority == "primary"]
    secondary = [m.team_id for m in memberships if m.priority == "secondary"]
    if primary or secondary:
        body["team_priority_level"] = {"primary_team_ids": primary, "secondary_team_ids": secondary}
    if display_avatar:
        body["avatar"] = avatar_object(admin)
    return body


def admin_with_app_json(admin: Admin, memberships: list[TeamMembership], workspace: Workspace) -> dict:
    body = admin_json(admin, memberships, display_avatar=True)
    body["email_verified"] = admin.email_verified
    body["app"] = {
        "type": "app",
        "id_code": workspace.id_code,
        "name": workspace.name,
        "created_at": workspace.created_at,
        "secure": workspace.identity_verification,
        "identity_verification": workspace.identity_verification,
        "timezone": workspace.timezone,
        "region": workspace.region,
    }
    return body


def activity_log_json(entry: ActivityLog) -> dict:
    return {
        "id": entry.id,
        "performed_by": {
            "type": "admin",
            "id": str(entry.admin_id) if entry.admin_id is not None else None,
            "email": entry.admin_email,
            "ip": entry.ip,
        },
        "metadata": entry.details,
        "created_at": entry.created_at,
        "activity_type": entry.activity_type,
        "activity_description": entry.activity_description,
    }


def activity_log_list_json(page: Page) -> dict:
    return {
        "type": "activity_log.list",
        "pages": page.cursor_pages(),
        "activity_logs": [activity_log_json(entry) for entry in page.rows],
    }
