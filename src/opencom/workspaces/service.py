"""Creating workspaces, their defaults and their tokens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencom.core import ids
from opencom.core.clock import now
from opencom.workspaces.models import ApiToken, Workspace


@dataclass
class NewWorkspace:
    workspace: Workspace
    token: str


def create_workspace(
    session: Session,
    name: str,
    *,
    token: str | None = None,
    is_default: bool = False,
    timezone: str = "UTC",
    owner_name: str = "Workspace Owner",
    owner_email: str = "owner@example.com",
) -> NewWorkspace:
    """A workspace as a fresh Intercom one is: an owner, a default team, the domains' defaults."""
    from opencom.workspaces.bootstrap import seed_defaults  # the domains import this module

    workspace = Workspace(
        id_code=ids.app_code(), name=name, region="US", timezone=timezone,
        identity_verification=False, is_default=is_default, created_at=now(),
    )
    session.add(workspace)
    session.flush()
    owner = seed_defaults(session, workspace, owner_name=owner_name, owner_email=owner_email)
    plain = create_token(session, workspace.id, admin_id=owner.id, token=token, name="default")
    return NewWorkspace(workspace, plain)


def create_token(
    session: Session, workspace_id: int, *, admin_id: int | None = None, token: str | None = None, name: str = ""
) -> str:
    """Store a token's hash and return the plain token, which is never stored."""
    plain = token or ids.new_token()
    if admin_id is None:
        admin_id = owner_admin_id(session, workspace_id)
    session.add(ApiToken(workspace_id=workspace_id, token_hash=ids.token_hash(plain), admin_id=admin_id, name=name, created_at=now()))
    session.flush()
    return plain


def owner_admin_id(session: Session, workspace_id: int) -> int | None:
    from opencom.admins.models import Admin

    return session.scalar(
        select(Admin.id).where(Admin.workspace_id == workspace_id).order_by(Admin.is_owner.desc(), Admin.id).limit(1)
    )


def default_workspace(session: Session) -> Workspace | None:
    return session.scalar(select(Workspace).where(Workspace.is_default.is_(True)).limit(1))


def get_workspace(session: Session, workspace_id: int) -> Workspace | None:
    return session.get(Workspace, workspace_id)


def ensure_default_workspace(session: Session, name: str, bootstrap_token: str | None) -> tuple[Workspace, str | None]:
    """First start creates the default workspace; OPENCOM_BOOTSTRAP_TOKEN is made valid for it.

    Returns the workspace and a plain token when one was created now (None when the workspace
    already existed and no bootstrap token was given: earlier tokens are stored hashed).
    """
    workspace = default_workspace(session)
    if workspace is None:
        created = create_workspace(session, name, token=bootstrap_token, is_default=True)
        return created.workspace, created.token
    if bootstrap_token:
        existing = session.scalar(select(ApiToken).where(ApiToken.token_hash == ids.token_hash(bootstrap_token)))
        if existing is None:
            create_token(session, workspace.id, token=bootstrap_token, name="bootstrap")
        elif existing.workspace_id != workspace.id:
            raise ValueError("OPENCOM_BOOTSTRAP_TOKEN already belongs to another workspace")
        return workspace, bootstrap_token
    return workspace, None
