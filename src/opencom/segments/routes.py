"""Segments: GET /segments, GET /segments/{id}, GET /contacts/{contact_id}/segments."""

from __future__ import annotations

from fastapi import APIRouter, Query
from opencom.core.auth import CurrentPrincipal
from opencom.core.errors import parameter_invalid
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.segments import schemas, service

router = APIRouter(route_class=TransactionRoute, tags=["Segments"])


def _flag(value: str | None, field: str) -> bool:
    if value is None or value.lower() in ("", "false", "0"):
        return False
    if value.lower() in ("true", "1"):
        return True
    raise parameter_invalid(f"{field} must be true or false", field)


@router.get("/segments")
def list_segments(principal: CurrentPrincipal, session: DbSession, include_count: str | None = Query(None)):
    segments = service.list_segments(session, principal.workspace_id)
    counts = service.segment_counts(session, segments) if _flag(include_count, "include_count") else {}
    return respond({"type": "segment.list", "segments": [schemas.segment_json(s, counts.get(s.id)) for s in segments]})


@router.get("/segments/{id}")
def retrieve_segment(id: str, principal: CurrentPrincipal, session: DbSession):
    return respond(schemas.segment_json(service.get_segment(session, principal.workspace_id, id)))


@router.get("/contacts/{contact_id}/segments")
def list_contact_segments(contact_id: str, principal: CurrentPrincipal, session: DbSession):
    segments = service.contact_segments(session, principal.workspace_id, contact_id)
    return respond({"type": "list", "data": [schemas.segment_json(s) for s in segments]})
