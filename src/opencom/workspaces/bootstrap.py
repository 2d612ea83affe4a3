"""What every new workspace starts with. Each domain adds its defaults here as it lands."""

from __future__ import annotations

from sqlalchemy.orm import Session

from opencom.admins.models import Admin
from opencom.admins.service import create_admin
from opencom.segments.service import seed_segments
from opencom.help_center.service import seed_help_center
from opencom.news.service import seed_newsfeeds
from opencom.teams.service import add_member, create_team
from opencom.subscription_types.service import seed_subscription_types
from opencom.data_attributes.service import seed_data_attributes
from opencom.workspaces.models import Workspace


def seed_defaults(session: Session, workspace: Workspace, *, owner_name: str, owner_email: str) -> Admin:
    owner = create_admin(session, workspace.id, name=owner_name, email=owner_email, is_owner=True)
    team = create_team(session, workspace.id, name="Support")
    add_member(session, workspace.id, team.id, owner.id, priority="primary")
    seed_subscription_types(session, workspace.id)
    seed_data_attributes(session, workspace.id)
    seed_segments(session, workspace.id)
    seed_help_center(session, workspace)
    seed_newsfeeds(session, workspace.id)
    return owner
