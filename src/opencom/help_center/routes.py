"""Help Center: GET/POST /help_center/collections, GET/PUT/DELETE /help_center/collections/{id},
GET /help_center/help_centers and /help_center/help_centers/{id}."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from opencom.core.auth import CurrentPrincipal
from opencom.core.pagination import check_page, check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.help_center import schemas, service
from opencom.help_center.models import Collection, HelpCenter

router = APIRouter(route_class=TransactionRoute, tags=["Help Center"])

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 150


def _one(session: Session, workspace_id: int, collection: Collection) -> dict:
    help_center = session.get(HelpCenter, collection.help_center_id)
    return schemas.collection_json(collection, service.workspace_code(session, workspace_id), help_center)


@router.get("/help_center/collections")
def list_collections(
    principal: CurrentPrincipal, session: DbSession, page: str | None = Query(None), per_page: str | None = Query(None)
):
    result = service.list_collections(
        session, principal.workspace_id,
        page=check_page(page), per_page=check_per_page(per_page, default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE),
    )
    code = service.workspace_code(session, principal.workspace_id)
    help_centers = service.help_centers_by_id(session, principal.workspace_id)
    data = [schemas.collection_json(c, code, help_centers[c.help_center_id]) for c in result.rows]
    return respond({"type": "list", "data": data, "total_count": result.total_count, "pages": result.cursor_pages()})


@router.post("/help_center/collections")
def create_collection(body: schemas.CreateCollectionRequest, principal: CurrentPrincipal, session: DbSession):
    collection = service.create_collection(session, principal.workspace_id, body)
    return respond(_one(session, principal.workspace_id, collection))


@router.get("/help_center/collections/{id}")
def retrieve_collection(id: str, principal: CurrentPrincipal, session: DbSession):
    return respond(_one(session, principal.workspace_id, service.get_collection(session, principal.workspace_id, id)))


@router.put("/help_center/collections/{id}")
def update_collection(id: str, body: schemas.UpdateCollectionRequest, principal: CurrentPrincipal, session: DbSession):
    collection = service.update_collection(session, principal.workspace_id, id, body)
    return respond(_one(session, principal.workspace_id, collection))


@router.delete("/help_center/collections/{id}")
def delete_collection(id: str, principal: CurrentPrincipal, session: DbSession):
    deleted = service.delete_collection(session, principal.workspace_id, id)
    return respond(schemas.deleted_json(deleted, "collection"))


@router.get("/help_center/help_centers")
def list_help_centers(principal: CurrentPrincipal, session: DbSession):
    code = service.workspace_code(session, principal.workspace_id)
    data = [schemas.help_center_json(hc, code) for hc in service.list_help_centers(session, principal.workspace_id)]
    return respond({"type": "list", "data": data})


@router.get("/help_center/help_centers/{id}")
def retrieve_help_center(id: str, principal: CurrentPrincipal, session: DbSession):
    help_center = service.get_help_center(session, principal.workspace_id, id)
    return respond(schemas.help_center_json(help_center, service.workspace_code(session, principal.workspace_id)))
