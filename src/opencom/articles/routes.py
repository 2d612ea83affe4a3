"""Articles: GET/POST /articles, GET /articles/search, GET/PUT/DELETE /articles/{id}."""

from __future__ import annotations

from fastapi import APIRouter, Query

from opencom.articles import schemas, service
from opencom.core.auth import CurrentPrincipal
from opencom.core.errors import parameter_invalid
from opencom.core.pagination import check_page, check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.webhooks.publish import publish
from opencom.help_center.schemas import deleted_json

router = APIRouter(route_class=TransactionRoute, tags=["Articles"])

DEFAULT_PER_PAGE = 25
SEARCH_PER_PAGE = 10
MAX_PER_PAGE = 150
TRUE, FALSE = ("true", "1"), ("false", "0", "")


def _one(session, workspace_id: int, article) -> dict:
    view = service.view_for(session, workspace_id, [article])
    return schemas.article_json(view, article, statistics=True)


def _flag(value: str | None, field: str) -> bool:
    text = (value or "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise parameter_invalid(f"{field} must be true or false", field)


@router.get("/articles")
def list_articles(
    principal: CurrentPrincipal, session: DbSession, page: str | None = Query(None), per_page: str | None = Query(None)
):
    result = service.list_articles(
        session, principal.workspace_id,
        page=check_page(page), per_page=check_per_page(per_page, default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE),
    )
    view = service.view_for(session, principal.workspace_id, result.rows)
    data = [schemas.article_json(view, a) for a in result.rows]
    return respond({"type": "list", "data": data, "total_count": result.total_count, "pages": result.cursor_pages()})


@router.post("/articles")
def create_article(body: schemas.ArticleRequest, principal: CurrentPrincipal, session: DbSession):
    article = service.create_article(session, principal.workspace_id, body)
    return _published(session, principal, article, "article.created", was_published=False)


@router.get("/articles/search")
def search_articles(
    principal: CurrentPrincipal,
    session: DbSession,
    phrase: str | None = Query(None),
    state: str | None = Query(None),
    help_center_id: str | None = Query(None),
    highlight: str | None = Query(None),
    page: str | None = Query(None),
    per_page: str | None = Query(None),
):
    highlighted = _flag(highlight, "highlight")
    result = service.search_articles(
        session, principal.workspace_id, phrase=phrase, state=state, help_center_id=help_center_id,
        page=check_page(page), per_page=check_per_page(per_page, default=SEARCH_PER_PAGE, maximum=MAX_PER_PAGE),
    )
    view = service.view_for(session, principal.workspace_id, result.rows)
    highlights = service.search_highlights(session, phrase, result.rows) if highlighted else []
    data = {"articles": [schemas.article_json(view, a) for a in result.rows], "highlights": highlights}
    return respond({"type": "list", "total_count": result.total_count, "data": data, "pages": result.cursor_pages()})


@router.get("/articles/{id}")
def retrieve_article(id: str, principal: CurrentPrincipal, session: DbSession):
    return respond(_one(session, principal.workspace_id, service.get_article(session, principal.workspace_id, id)))


@router.put("/articles/{id}")
def update_article(id: str, body: schemas.ArticleRequest, principal: CurrentPrincipal, session: DbSession):
    found = service.find_article(session, principal.workspace_id, id)
    was_published = found is not None and found.state == "published"
    article = service.update_article(session, principal.workspace_id, id, body)
    return _published(session, principal, article, "article.updated", was_published=was_published)


@router.delete("/articles/{id}")
def delete_article(id: str, principal: CurrentPrincipal, session: DbSession):
    item = deleted_json(service.delete_article(session, principal.workspace_id, id), "article")
    publish(session, principal, "article.deleted", item)  # *.deleted items identify, as the response does
    return respond(item)


def _published(session, principal: CurrentPrincipal, article, topic: str, *, was_published: bool):
    """Notify `topic`, then article.published / article.unpublished when the state flipped."""
    item = _one(session, principal.workspace_id, article)
    publish(session, principal, topic, item)
    if item["state"] == "published" and not was_published:
        publish(session, principal, "article.published", item)
    elif item["state"] != "published" and was_published:
        publish(session, principal, "article.unpublished", item)
    return respond(item)
