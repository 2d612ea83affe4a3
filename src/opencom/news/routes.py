"""News: /news/news_items (CRUD and list) and /news/newsfeeds (list, retrieve, live items)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from opencom.core.auth import CurrentPrincipal
from opencom.core.pagination import Page, check_page, check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.news import schemas, service
from opencom.news.models import NewsItem
from opencom.workspaces.service import get_workspace

router = APIRouter(route_class=TransactionRoute, tags=["News"])
MAX_PER_PAGE = 150


def _items_json(session: Session, workspace_id: int, items: list[NewsItem]) -> list[dict]:
    code = get_workspace(session, workspace_id).id_code
    assignments = service.assignments_of(session, [item.id for item in items])
    return [schemas.news_item_json(item, assignments[item.id], code) for item in items]


def _item_list_json(session: Session, workspace_id: int, page: Page) -> dict:
    return schemas.list_json(page, _items_json(session, workspace_id, page.rows))


@router.get("/news/news_items")
def list_news_items(
    principal: CurrentPrincipal, session: DbSession, page: str | None = Query(None), per_page: str | None = Query(None),
):
    result = service.list_items(
        session, principal.workspace_id,
        page=check_page(page), per_page=check_per_page(per_page, default=10, maximum=MAX_PER_PAGE),
    )
    return respond(_item_list_json(session, principal.workspace_id, result))


@router.post("/news/news_items")
def create_news_item(body: schemas.CreateNewsItemRequest, principal: CurrentPrincipal, session: DbSession):
    item = service.create_item(session, principal.workspace_id, body)
    return respond(_items_json(session, principal.workspace_id, [item])[0])


@router.get("/news/news_items/{id}")
def retrieve_news_item(id: str, principal: CurrentPrincipal, session: DbSession):
    item = service.get_item(session, principal.workspace_id, id)
    return respond(_items_json(session, principal.workspace_id, [item])[0])


@router.put("/news/news_items/{id}")
def update_news_item(id: str, body: schemas.UpdateNewsItemRequest, principal: CurrentPrincipal, session: DbSession):
    item = service.update_item(session, principal.workspace_id, id, body)
    return respond(_items_json(session, principal.workspace_id, [item])[0])


@router.delete("/news/news_items/{id}")
def delete_news_item(id: str, principal: CurrentPrincipal, session: DbSession):
    return respond(schemas.deleted_json(service.delete_item(session, principal.workspace_id, id)))


@router.get("/news/newsfeeds")
def list_newsfeeds(
    principal: CurrentPrincipal, session: DbSession, page: str | None = Query(None), per_page: str | None = Query(None),
):
    result = service.list_newsfeeds(
        session, principal.workspace_id,
        page=check_page(page), per_page=check_per_page(per_page, default=10, maximum=MAX_PER_PAGE),
    )
    return respond(schemas.list_json(result, [schemas.newsfeed_json(feed) for feed in result.rows]))


@router.get("/news/newsfeeds/{id}")
def retrieve_newsfeed(id: str, principal: CurrentPrincipal, session: DbSession):
    return respond(schemas.newsfeed_json(service.get_newsfeed(session, principal.workspace_id, id)))


@router.get("/news/newsfeeds/{id}/items")
def list_live_newsfeed_items(
    id: str, principal: CurrentPrincipal, session: DbSession,
    page: str | None = Query(None), per_page: str | None = Query(None),
):
    result = service.list_feed_items(
        session, principal.workspace_id, id,
        page=check_page(page), per_page=check_per_page(per_page, default=20, maximum=MAX_PER_PAGE),
    )
    return respond(_item_list_json(session, principal.workspace_id, result))
