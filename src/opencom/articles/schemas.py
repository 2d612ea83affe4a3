"""Request shapes and serializers for articles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from opencom.articles.models import Article
from opencom.help_center.content import DEFAULT_LOCALE, IdRef, LongText, Name, path_url, translated_model
from opencom.help_center.models import Collection, HelpCenter
from opencom.help_center.schemas import help_center_url

State = Literal["published", "draft"]


class ArticleContent(BaseModel):
    model_config = ConfigDict(extra="ignore")  # created_at, updated_at, url: read-only

    type: Literal["article_content"] | None = None
    title: Name | None = None
    description: LongText | None = None
    body: LongText | None = None
    author_id: IdRef | None = None
    state: State | None = None


ArticleTranslatedContent = translated_model("ArticleTranslatedContent", ArticleContent, "article_translated_content")


class ArticleRequest(BaseModel):
    """Create and update share one shape: create requires title and author_id (checked in the
    service, because either may come from the default locale's translated_content entry)."""

    model_config = ConfigDict(extra="ignore")

    title: Name | None = None
    description: LongText | None = None
    body: LongText | None = None
    author_id: IdRef | None = None
    state: State | None = None
    parent_id: IdRef | None = None
    parent_type: Literal["collection", "section"] | None = None
    translated_content: ArticleTranslatedContent | None = None  # type: ignore[valid-type]


# --- serializers -----------------------------------------------------------------------------


@dataclass
class View:
    """What rendering articles needs besides the rows: loaded once per response."""

    workspace_code: str
    help_centers: dict[int, HelpCenter]
    default_help_center: HelpCenter | None
    collections: dict[int, Collection]

    def base_url(self, article: Article) -> str | None:
        help_center = self.help_centers.get(article.help_center_id) or self.default_help_center
        return help_center_url(help_center) if help_center else None

    def parents(self, article: Article) -> list[int]:
        """The parent and its ancestors, top level first."""
        chain, current = [], article.parent_id
        while current is not None and current in self.collections and current not in chain:
            chain.append(current)
            current = self.collections[current].parent_id
        return list(reversed(chain))


STATISTICS = {
    "type": "article_statistics",
    "views": 0,
    "conversations": 0,
    "reactions": 0,
    "happy_reaction_percentage": 0,
    "neutral_reaction_percentage": 0,
    "sad_reaction_percentage": 0,
}


def _url(view: View, article: Article, title: str, state: str, locale: str) -> str | None:
    base = view.base_url(article)
    if state != "published" or base is None:
        return None  # drafts have no public page
    return path_url(base, "articles", article.id, title, locale)


def translated_json(view: View, article: Article) -> dict:
    body: dict = {"type": "article_translated_content"}
    default = {
        "title": article.title, "description": article.description, "body": article.body, "author_id": article.author_id,
        "state": article.state, "created_at": article.created_at, "updated_at": article.updated_at,
    }
    for locale, content in {DEFAULT_LOCALE: default, **(article.translated_content or {})}.items():
        entry = {"type": "article_content", **content}
        url = _url(view, article, content["title"], content["state"], locale)
        if url is not None:  # article_content.url is not nullable: a draft locale has none
            entry["url"] = url
        body[locale] = entry
    return body


def article_json(view: View, article: Article, *, statistics: bool = False) -> dict:
    parent = view.collections.get(article.parent_id) if article.parent_id is not None else None
    body = {
        "id": str(article.id),
        "type": "article",
        "workspace_id": view.workspace_code,
        "parent_id": article.parent_id,
        "parent_type": None if parent is None else ("section" if parent.parent_id is not None else "collection"),
        "parent_ids": view.parents(article),
        "title": article.title,
        "description": article.description,
        "body": article.body,
        "author_id": article.author_id,
        "state": article.state,
        "created_at": article.created_at,
        "updated_at": article.updated_at,
        "url": _url(view, article, article.title, article.state, DEFAULT_LOCALE),
        "translated_content": translated_json(view, article),
    }
    if statistics:
        body["statistics"] = dict(STATISTICS)
    return body
