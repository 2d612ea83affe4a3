"""Data events: POST /events, GET /events, POST /events/summaries."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from opencom.core.auth import CurrentPrincipal
from opencom.core.clock import now
from opencom.core.errors import parameter_invalid
from opencom.core.pagination import check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.data_events import schemas, service
from opencom.webhooks.publish import publish

router = APIRouter(route_class=TransactionRoute, tags=["Data Events"])


@router.post("/events")
def create_data_event(principal: CurrentPrincipal, session: DbSession, body: dict[str, Any] = Body(...)):
    stored = service.submit_event(session, principal.workspace_id, body)
    if stored is not None:  # the event as GET /events lists it
        publish(session, principal, "event.created", schemas.event_json(*stored))
    return Response(status_code=202)


@router.post("/events/summaries")
def create_data_event_summaries(principal: CurrentPrincipal, session: DbSession, body: dict[str, Any] = Body(...)):
    service.add_summaries(session, principal.workspace_id, body)
    return Response(status_code=200)


@router.get("/events")
def list_data_events(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    type: str = Query(...),
    intercom_user_id: str | None = Query(None),
    user_id: str | None = Query(None),
    email: str | None = Query(None),
    summary: bool = Query(False),
    per_page: str | None = Query(None),
    before: str | None = Query(None),
    since: str | None = Query(None),
):
    if type != "user":
        raise parameter_invalid("type must be user", "type")
    contact = service.find_contact(session, principal.workspace_id, id=intercom_user_id, user_id=user_id, email=email)
    if summary:
        return respond(schemas.summary_json(service.summaries(session, contact.id), contact))
    size = check_per_page(per_page, default=15, maximum=150)
    if since is not None and not (since.isascii() and since.isdigit()):
        raise parameter_invalid("since must be a Unix timestamp", "since")
    page = service.list_events(
        session, contact, per_page=size, before=before, since=int(since) if since is not None else None
    )
    return respond(schemas.event_list_json(page.rows, contact, _pages(request, contact.id, size, page)))


def _pages(request: Request, contact_id: str, per_page: int, page) -> dict:
    """`next` (only when there is more) and `since` (to poll for newer events) are URLs."""
    base = f"{str(request.base_url).rstrip('/')}/events?"
    common = {"type": "user", "intercom_user_id": contact_id}
    newest = page.rows[0].created_at + 1 if page.rows else now()
    pages = {"since": base + urlencode({**common, "since": newest})}
    if page.next_cursor is not None:
        pages["next"] = base + urlencode({**common, "per_page": per_page, "before": page.next_cursor})
    return pages
