"""What a test inspects after the fact: the request journal and the outbox (under /_opencom).

    GET    /_opencom/requests?workspace_id=&method=&path=&path_prefix=&status=&since=&until=
                             &request_id=&limit=&order=asc|desc     journaled calls (control/journal.py)
    DELETE /_opencom/requests?workspace_id=                         forget them (all without workspace_id)
    GET    /_opencom/outbox?workspace_id=&channel=&to=&since=&until=&limit=
                                                                    what Intercom would have delivered (control/outbox.py)

Both answer `{"type": "list", "data": [...], "total_count": N}` (total_count: every match, before
`limit`). Without workspace_id they cover every workspace (journal entries of 401s have none).
Same access rule as the rest of the control plane (control.access.require_admin).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request

from opencom.control import journal, outbox, schemas
from opencom.control.access import require_admin
from opencom.core.fields import Text
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute

router = APIRouter(route_class=TransactionRoute, prefix="/_opencom", tags=["Opencom control plane"], dependencies=[Depends(require_admin)])

Limit = Annotated[int, Query(ge=1, le=journal.MAX_LIMIT)]


def settle_journal(request: Request) -> None:
    """Write this process's buffered entries now, before a read: the caller's own last call is there."""
    request.app.state.journal.flush()


def clearing_journal(session: Session, workspace_id: int | None) -> None:
    """Call first in a transaction that empties a workspace's journal (reset, import, delete):
    entries still buffered in any process for earlier requests are then never written."""
    journal.mark_cleared(session, workspace_id)


@router.get("/requests")
def list_requests(
    request: Request,
    session: DbSession,
    workspace_id: schemas.WorkspaceId | None = None,
    method: Text | None = None,
    path: Text | None = None,
    path_prefix: Text | None = None,
    status: Text | None = None,
    since: float | None = None,
    until: float | None = None,
    request_id: Text | None = None,
    limit: Limit = 100,
    order: Literal["asc", "desc"] = "asc",
):
    settle_journal(request)  # before the session's first query, so its snapshot includes them
    filters = journal.Filters(workspace_id, method, path, path_prefix, status, since, until, request_id)
    entries, total = journal.list_entries(session, filters, limit=limit, order=order)
    return respond({"type": "list", "data": entries, "total_count": total})


@router.delete("/requests")
def clear_requests(request: Request, session: DbSession, workspace_id: schemas.WorkspaceId | None = None):
    settle_journal(request)  # so `deleted` counts this process's latest calls too
    return respond({"deleted": journal.clear(session, workspace_id)})


@router.get("/outbox")
def list_outbox(
    session: DbSession,
    workspace_id: schemas.WorkspaceId | None = None,
    channel: Literal["email", "in_app", "sms", "news"] | None = None,
    to: Text | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: Limit = 100,
):
    filters = outbox.Filters(workspace_id, channel, to, since, until)
    items, total = outbox.list_items(session, filters, limit=limit)
    return respond({"type": "list", "data": items, "total_count": total})
