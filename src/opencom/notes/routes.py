"""Notes: POST/GET /contacts/{id}/notes, GET /notes/{id}."""

from __future__ import annotations

from fastapi import APIRouter, Query

from opencom.core.auth import CurrentPrincipal
from opencom.core.pagination import check_page, check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.notes import schemas, service

router = APIRouter(route_class=TransactionRoute, tags=["Notes"])


@router.post("/contacts/{id}/notes")
def create_note(id: str, body: schemas.CreateNoteRequest, principal: CurrentPrincipal, session: DbSession):
    note, author = service.create_note(
        session, principal.workspace_id, id, body=body.body, admin_id=body.admin_id, token_admin_id=principal.admin_id
    )
    _, memberships = service.authors(session, [note])
    return respond(schemas.note_json(note, author, memberships.get(author.id, [])))


@router.get("/contacts/{id}/notes")
def list_notes(
    id: str, principal: CurrentPrincipal, session: DbSession,
    page: str | None = Query(None), per_page: str | None = Query(None),
):
    result = service.list_notes(
        session, principal.workspace_id, id,
        page=check_page(page), per_page=check_per_page(per_page, default=50, maximum=150),
    )
    return respond(schemas.note_list_json(result, *service.authors(session, result.rows)))


@router.get("/notes/{id}")
def retrieve_note(id: str, principal: CurrentPrincipal, session: DbSession):
    note = service.get_note(session, principal.workspace_id, id)
    authors, memberships = service.authors(session, [note])
    return respond(schemas.note_json(note, authors.get(note.admin_id), memberships.get(note.admin_id, [])))
