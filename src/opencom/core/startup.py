"""Preparing a database for serving: migrate, then make sure the default workspace exists."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from opencom.core.db import Database
from opencom.core.settings import Settings


@dataclass
class Prepared:
    workspace_id: int
    workspace_name: str
    token: str | None  # a plain token when one is known (created now, or the bootstrap token)


def prepare_database(db: Database, settings: Settings) -> Prepared:
    from opencom.core.migrate import upgrade  # Alembic (~11 MB): only in processes that migrate
    from opencom.workspaces.service import ensure_default_workspace

    upgrade(db.write_engine)
    with db.transaction(write=True) as session:
        if not db.is_sqlite:  # several servers may start together: bootstrap one at a time
            session.execute(text("SELECT pg_advisory_xact_lock(20061)"))
        workspace, token = ensure_default_workspace(session, settings.workspace_name, settings.bootstrap_token)
        return Prepared(workspace.id, workspace.name, token)
