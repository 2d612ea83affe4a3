"""The rules for articles. No HTTP here.

The top-level title/description/body/author_id/state are the default locale's content; other
locales live in `translated_content` and are merged locale by locale, so updating one leaves the
others alone. An article's help center is its parent collection's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opencom.admins.models import Admin
from opencom.articles import search
from opencom.articles.html import plain_text, render_body
from opencom.articles.models import Article
from opencom.articles.schemas import ArticleContent, ArticleRequest, View
from opencom.core.clock import now
from opencom.core.errors import not_found, parameter_invalid, parameter_not_found
from opencom.core.pagination import Page, offset_paginate
from opencom.help_center import service as help_center
from opencom.help_center.content import DEFAULT_LOCALE, given_locales, int_id

AUTHOR_MISSING = "author_id must be in the main body or default locale translated_content object"
SEARCH_STATES = ("published", "draft", "all")


def find_article(session: Session, workspace_id: int, article_id: Any) -> Article | None:
    key = int_id(article_id)
    if key is None:
        return None
    return session.scalar(select(Article).where(Article.workspace_id == workspace_id, Article.id == key))


def get_article(session: Session, workspace_id: int, article_id: Any) -> Article:
    article = find_article(session, workspace_id, article_id)
    if article is None:
        raise not_found()
    return article


def view_for(session: Session, workspace_id: int, articles: list[Article]) -> View:
    help_centers = help_center.help_centers_by_id(session, workspace_id)
    default = next((hc for hc in help_centers.values() if hc.is_default), next(iter(help_centers.values()), None))
    collections = help_center.collections_by_id(session, workspace_id, {a.parent_id for a in articles})
    return View(help_center.workspace_code(session, workspace_id), help_centers, default, collections)


# --- create / update -------------------------------------------------------------------------


def _check_author(session: Session, workspace_id: int, author_id: int, field: str) -> int:
    found = session.scalar(select(Admin.id).where(Admin.workspace_id == workspace_id, Admin.id == author_id))
    if found is None:
        raise parameter_invalid(f"{field} {author_id} is not a teammate of this workspace", field)
    return author_id


def _default_fields(request: ArticleRequest) -> dict:
    """The default locale's fields sent: top level first, then its translated_content entry."""
    entry = given_locales(request.translated_content).get(DEFAULT_LOCALE)
    fields = {}
    for name in ("title", "description", "body", "author_id", "state"):
        value = getattr(request, name)
        if value is None and entry is not None:
            value = getattr(entry, name)
        if value is not None:
            fields[name] = value
    return fields


def _apply_default(session: Session, workspace_id: int, article: Article, fields: dict) -> None:
    if "title" in fields:
        article.title = _title(fields["title"], "title")
    if "description" in fields:
        article.description = fields["description"]
    if "body" in fields:
        article.body = render_body(fields["body"])
        article.body_text = plain_text(article.body)
    if "author_id" in fields:
        article.author_id = _check_author(session, workspace_id, fields["author_id"], "author_id")
    if "state" in fields:
        article.state = fields["state"]


def _title(title: str, field: str) -> str:
    if not title.strip():
        raise parameter_invalid(f"{field} must not be blank", field)
    return title


def _apply_locales(session: Session, workspace_id: int, article: Article, at: int, request: ArticleRequest) -> None:
    locales = given_locales(request.translated_content)
    locales.pop(DEFAULT_LOCALE, None)
    if not locales:
        return
    merged = {locale: dict(content) for locale, content in (article.translated_content or {}).items()}
    for locale, given in locales.items():
        merged[locale] = _locale_entry(session, workspace_id, article, merged.get(locale), given, locale, at)
    article.translated_content = merged
    _index_locales(article)


def _index_locales(article: Article) -> None:
    """The other locales' text for full-text search: one line per locale, in locale order."""
    entries = [article.translated_content[locale] for locale in sorted(article.translated_content)]

    def lines(text_of) -> str:
        return "\n".join(" ".join((text_of(entry) or "").split()) for entry in entries)

    article.translated_titles = lines(lambda entry: entry.get("title"))
    article.translated_descriptions = lines(lambda entry: entry.get("description"))
    article.translated_body_text = lines(lambda entry: plain_text(entry.get("body") or ""))


def _locale_entry(session, workspace_id: int, article: Article, current: dict | None, given: ArticleContent, locale: str, at: int) -> dict:
    where = f"translated_content.{locale}"
    entry = current or {"title": None, "description": "", "body": "", "author_id": article.author_id, "state": "draft", "created_at": at}
    if given.title is not None:
        entry["title"] = _title(given.title, f"{where}.title")
    if entry["title"] is None:
        raise parameter_not_found(f"{where}.title is required", f"{where}.title")
    if given.description is not None:
        entry["description"] = given.description
    if given.body is not None:
        entry["body"] = render_body(given.body)
    if given.author_id is not None:
        entry["author_id"] = _check_author(session, workspace_id, given.author_id, f"{where}.author_id")
    if given.state is not None:
        entry["state"] = given.state
    entry["updated_at"] = at
    return entry


def _place(session: Session, workspace_id: int, article: Article, parent_id: int | None) -> None:
    if parent_id is None:
        article.parent_id, article.help_center_id = None, None
        return
    parent = help_center.existing_parent(session, workspace_id, parent_id)
    article.parent_id, article.help_center_id = parent.id, parent.help_center_id


def create_article(session: Session, workspace_id: int, request: ArticleRequest) -> Article:
    fields = _default_fields(request)
    if "author_id" not in fields:
        raise parameter_not_found(AUTHOR_MISSING, "author_id")
    if "title" not in fields:
        raise parameter_not_found("title is required", "title")
    at = now()
    article = Article(workspace_id=workspace_id, description="", body="", body_text="", state="draft", translated_content={}, created_at=at, updated_at=at)
    _apply_default(session, workspace_id, article, fields)
    _place(session, workspace_id, article, request.parent_id)
    _apply_locales(session, workspace_id, article, at, request)
    session.add(article)
    session.flush()
    return article


def update_article(session: Session, workspace_id: int, article_id: Any, request: ArticleRequest) -> Article:
    article = get_article(session, workspace_id, article_id)
    at = now()
    # A state left out keeps the current one; edits go live at once (no pending drafts here).
    _apply_default(session, workspace_id, article, _default_fields(request))
    if "parent_id" in request.model_fields_set:
        _place(session, workspace_id, article, request.parent_id)
    _apply_locales(session, workspace_id, article, at, request)
    article.updated_at = at
    session.flush()
    return article


def delete_article(session: Session, workspace_id: int, article_id: Any) -> int:
    article = get_article(session, workspace_id, article_id)
    session.execute(delete(Article).where(Article.id == article.id))
    return article.id


# --- list / search ---------------------------------------------------------------------------


def list_articles(session: Session, workspace_id: int, *, page: int, per_page: int) -> Page:
    query = select(Article).where(Article.workspace_id == workspace_id)
    return offset_paginate(session, query, [Article.updated_at.desc(), Article.id.desc()], page=page, per_page=per_page)


def search_articles(
    session: Session, workspace_id: int, *, phrase: str | None, state: str | None, help_center_id: str | None, page: int, per_page: int
) -> Page:
    query = select(Article).where(Article.workspace_id == workspace_id)
    state = state or "all"
    if state not in SEARCH_STATES:
        raise parameter_invalid("state must be one of published, draft or all", "state")
    if state != "all":
        query = query.where(Article.state == state)
    if help_center_id not in (None, ""):
        key = int_id(help_center_id)
        if key is None:
            raise parameter_invalid("help_center_id must be an integer", "help_center_id")
        query = query.where(Article.help_center_id == key)
    order = [Article.updated_at.desc(), Article.id.desc()]
    if phrase and phrase.strip():
        if not search.words(phrase):
            return Page([], 0, page, per_page)  # nothing searchable in it (only punctuation)
        query, order = search.matching(session, query, phrase)
    return offset_paginate(session, query, order, page=page, per_page=per_page)


def search_highlights(session: Session, phrase: str | None, articles: list[Article]) -> list[dict]:
    if not phrase or not search.words(phrase):
        return [{"article_id": str(a.id), "highlighted_title": [{"type": "plain", "text": a.title}], "highlighted_summary": []} for a in articles]
    return search.highlights(session, phrase, articles)

