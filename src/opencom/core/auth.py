"""Bearer token → workspace. Tokens are stored as SHA-256 hashes only."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends

from sqlalchemy import bindparam, select
from starlette.requests import Request

from opencom.core.clock import FOLLOWS_BASE, ClockState, stored_clock
from opencom.core.db import Database
from opencom.core.errors import unauthorized
from opencom.core.ids import token_hash
from opencom.core.prepared import PreparedQuery
from opencom.workspaces.models import ApiToken, Workspace


@dataclass(frozen=True)
class Principal:
    """Who is calling: the workspace every query is scoped to, and the token's admin."""

    workspace_id: int
    token_id: int
    admin_id: int | None
    timezone: str
    workspace_code: str  # the workspace's id_code: the `workspace_id`/`app_id` objects show
    # The workspace's clock, read with the token: the request runs on it (core.protocol).
    clock: ClockState = FOLLOWS_BASE


@functools.cache
def _token_query():
    """Built once: every request runs it, and building a select costs more than running this one."""
    return (
        select(ApiToken.id, ApiToken.workspace_id, ApiToken.admin_id, Workspace.timezone, Workspace.id_code,
               Workspace.clock_frozen_at, Workspace.clock_offset)
        .join(Workspace, Workspace.id == ApiToken.workspace_id)
        .where(ApiToken.token_hash == bindparam("token_hash"))
    )


@functools.cache
def _prepared_token_query(dialect) -> PreparedQuery:
    return PreparedQuery(_token_query(), dialect)


def authenticate(db: Database, authorization: str, connection: Any = None) -> Principal:
    """The token's principal, read through the engine, or on a DBAPI `connection` (core.hot)."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    digest = token_hash(token.strip())
    if connection is not None:
        row = _prepared_token_query(db.engine.dialect).first(connection, token_hash=digest)
    else:
        with db.engine.connect() as conn:
            row = conn.execute(_token_query(), {"token_hash": digest}).first()
    if row is None:
        raise unauthorized()
    return Principal(
        workspace_id=row.workspace_id, token_id=row.id, admin_id=row.admin_id, timezone=row.timezone,
        workspace_code=row.id_code, clock=stored_clock(row.clock_frozen_at, row.clock_offset),
    )


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the principal the protocol middleware authenticated (async: a sync
    dependency would cost a threadpool hop for a dictionary lookup)."""
    principal = request.scope.get("state", {}).get("principal")
    if principal is None:  # only reachable if a route was mounted outside the middleware
        raise unauthorized()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
