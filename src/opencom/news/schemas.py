"""Request shapes for news items, and the serializers for news items and newsfeeds."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr

from opencom.core.pagination import Page
from opencom.core.search import INT64_MAX
from opencom.news.models import NewsfeedAssignment, Newsfeed, NewsItem
from opencom.core.fields import no_nul as _no_nul, not_bool as _not_bool


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


# Ids are declared as integers, but the examples elsewhere send digit strings too: accept both.
Id = Annotated[int, BeforeValidator(_not_bool), Field(ge=1, le=INT64_MAX)]
Title = Annotated[StrictStr, AfterValidator(_no_nul), AfterValidator(_not_blank)]
Body = Annotated[StrictStr, AfterValidator(_no_nul)]
Label = Annotated[StrictStr, Field(max_length=255), AfterValidator(_no_nul), AfterValidator(_not_blank)]
Reaction = Annotated[StrictStr, Field(max_length=64), AfterValidator(_no_nul)]
CoverUrl = Annotated[StrictStr, Field(max_length=2048), AfterValidator(_no_nul)]
# Negative times are refused; the "not in the future" rule needs the clock, so it is in service.py.
PublishedAt = Annotated[int, BeforeValidator(_not_bool), Field(ge=0, le=INT64_MAX)]


class AssignmentRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    newsfeed_id: Id
    published_at: PublishedAt | None = None


class NewsItemFields(BaseModel):
    """`news_item_request`. Unknown keys are ignored; `cover_image_url` is accepted although only
    the response schema declares it. A null clears a text or list field."""

    model_config = ConfigDict(extra="ignore")

    title: Title | None = None
    sender_id: Id | None = None
    body: Body | None = None
    state: Literal["draft", "live"] | None = None
    deliver_silently: StrictBool | None = None
    labels: list[Label] | None = None
    reactions: list[Reaction | None] | None = None
    cover_image_url: CoverUrl | None = None
    newsfeed_assignments: list[AssignmentRequest] | None = None

    def given(self) -> dict[str, Any]:
        """Only the keys the client sent (an explicit null included), for partial updates."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class CreateNewsItemRequest(NewsItemFields):
    title: Title
    sender_id: Id


class UpdateNewsItemRequest(NewsItemFields):
    """Partial (BEHAVIOUR ambiguity 18): title and sender_id are optional here."""


# --- serializers ---------------------------------------------------------------------------------


def assignment_json(assignment: NewsfeedAssignment) -> dict:
    body: dict = {"newsfeed_id": assignment.newsfeed_id}
    if assignment.published_at is not None:  # drafts have no publication date yet
        body["published_at"] = assignment.published_at
    return body


def news_item_json(item: NewsItem, assignments: list[NewsfeedAssignment], workspace_code: str) -> dict:
    return {
        "type": "news-item",
        "id": str(item.id),
        "workspace_id": workspace_code,
        "title": item.title,
        "body": item.body,
        "sender_id": item.sender_id,
        "state": item.state,
        "newsfeed_assignments": [assignment_json(a) for a in assignments],
        "labels": list(item.labels),
        "cover_image_url": item.cover_image_url,
        "reactions": list(item.reactions),
        "deliver_silently": item.deliver_silently,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def newsfeed_json(feed: Newsfeed) -> dict:
    return {
        "type": "newsfeed",
        "id": str(feed.id),
        "name": feed.name,
        "created_at": feed.created_at,
        "updated_at": feed.updated_at,
    }


def list_json(page: Page, data: list[dict]) -> dict:
    """`paginated_response` with page numbers."""
    return {"type": "list", "data": data, "total_count": page.total_count, "pages": page.cursor_pages()}


def deleted_json(item_id: int) -> dict:
    return {"id": str(item_id), "object": "news-item", "deleted": True}
