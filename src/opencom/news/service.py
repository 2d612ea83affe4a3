"""The rules for news items and newsfeeds.

An item is `draft` or `live`. Its newsfeed assignments carry a `published_at` only while it is
live: a client may backdate it but never set it in the future, and a draft ignores it. When an
item goes live on a feed (created live, turned live, or given a new feed while live) and is not
delivered silently, a notification to that feed's audience is recorded (never sent).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opencom.admins.service import find_admin
from opencom.core.clock import now
from opencom.core.errors import not_found, parameter_invalid
from opencom.core.pagination import Page, offset_paginate
from opencom.core.search import INT64_MAX
from opencom.news.models import Newsfeed, NewsfeedAssignment, NewsItem, NewsNotification
from opencom.news.schemas import AssignmentRequest, CreateNewsItemRequest, UpdateNewsItemRequest

DEFAULT_NEWSFEED = "Visitor Feed"  # the name every example in the description uses
COVER_EXTENSIONS = (".jpg", ".png")
# Fields that hold a flag or an enum: a null is refused rather than read as "the default".
NOT_NULLABLE = ("title", "sender_id", "state", "deliver_silently")


def _path_key(value: str) -> int | None:
    """A path id as the integer key it names, or None (which can name nothing)."""
    # isascii: str.isdigit() also accepts digits such as "²" that int() refuses.
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) <= INT64_MAX else None


# --- newsfeeds -----------------------------------------------------------------------------------


def create_newsfeed(session: Session, workspace_id: int, name: str) -> Newsfeed:
    name = name.strip()
    if not name or len(name) > 255 or "\x00" in name:
        raise parameter_invalid("name must be 1 to 255 characters", "name")
    stamp = now()
    feed = Newsfeed(workspace_id=workspace_id, name=name, created_at=stamp, updated_at=stamp)
    session.add(feed)
    session.flush()
    return feed


def seed_newsfeeds(session: Session, workspace_id: int) -> None:
    """A new workspace has one newsfeed (the API cannot create any)."""
    create_newsfeed(session, workspace_id, DEFAULT_NEWSFEED)


def get_newsfeed(session: Session, workspace_id: int, feed_id: str) -> Newsfeed:
    key = _path_key(feed_id)
    feed = None
    if key is not None:
        feed = session.scalar(select(Newsfeed).where(Newsfeed.workspace_id == workspace_id, Newsfeed.id == key))
    if feed is None:
        raise not_found()
    return feed


def list_newsfeeds(session: Session, workspace_id: int, *, page: int, per_page: int) -> Page:
    query = select(Newsfeed).where(Newsfeed.workspace_id == workspace_id)
    return offset_paginate(session, query, [Newsfeed.id.asc()], page=page, per_page=per_page)


# --- news items: reads ---------------------------------------------------------------------------


def get_item(session: Session, workspace_id: int, item_id: str, *, for_update: bool = False) -> NewsItem:
    key = _path_key(item_id)
    item = None
    if key is not None:
        query = select(NewsItem).where(NewsItem.workspace_id == workspace_id, NewsItem.id == key)
        # Writers lock the row: two concurrent draft->live updates must not both see a draft
        # (and both record notifications).
        item = session.scalar(query.with_for_update() if for_update else query)
    if item is None:
        raise not_found()
    return item


def list_items(session: Session, workspace_id: int, *, page: int, per_page: int) -> Page:
    query = select(NewsItem).where(NewsItem.workspace_id == workspace_id)
    return offset_paginate(session, query, [NewsItem.id.asc()], page=page, per_page=per_page)


def list_feed_items(session: Session, workspace_id: int, feed_id: str, *, page: int, per_page: int) -> Page:
    """The live items on one feed, most recently published first."""
    feed = get_newsfeed(session, workspace_id, feed_id)
    query = (
        select(NewsItem)
        .join(NewsfeedAssignment, NewsfeedAssignment.news_item_id == NewsItem.id)
        .where(NewsfeedAssignment.newsfeed_id == feed.id, NewsItem.workspace_id == workspace_id, NewsItem.state == "live")
    )
    order = [NewsfeedAssignment.published_at.desc(), NewsItem.id.desc()]
    return offset_paginate(session, query, order, page=page, per_page=per_page)


def assignments_of(session: Session, item_ids: list[int]) -> dict[int, list[NewsfeedAssignment]]:
    """Each item's assignments in the order the client gave them, in one query."""
    found: dict[int, list[NewsfeedAssignment]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        query = (
            select(NewsfeedAssignment)
            .where(NewsfeedAssignment.news_item_id.in_(item_ids))
            .order_by(NewsfeedAssignment.news_item_id, NewsfeedAssignment.position)
        )
        for assignment in session.scalars(query):
            found[assignment.news_item_id].append(assignment)
    return found


# --- news items: writes --------------------------------------------------------------------------


def create_item(session: Session, workspace_id: int, request: CreateNewsItemRequest) -> NewsItem:
    stamp = now()
    item = NewsItem(
        workspace_id=workspace_id, body="", state="draft", deliver_silently=False, labels=[], reactions=[],
        cover_image_url=None, created_at=stamp, updated_at=stamp,
    )
    _write(session, workspace_id, item, request.given(), was_live=False, current={})
    return item


def update_item(session: Session, workspace_id: int, item_id: str, request: UpdateNewsItemRequest) -> NewsItem:
    item = get_item(session, workspace_id, item_id, for_update=True)
    current = {a.newsfeed_id: a for a in assignments_of(session, [item.id])[item.id]}
    _write(session, workspace_id, item, request.given(), was_live=item.state == "live", current=current)
    item.updated_at = now()
    return item


def delete_item(session: Session, workspace_id: int, item_id: str) -> int:
    item = get_item(session, workspace_id, item_id, for_update=True)
    session.execute(delete(NewsfeedAssignment).where(NewsfeedAssignment.news_item_id == item.id))
    session.delete(item)
    return item.id


def _write(
    session: Session, workspace_id: int, item: NewsItem, fields: dict[str, Any], *,
    was_live: bool, current: dict[int, NewsfeedAssignment],
) -> None:
    """Check the given fields, then apply them. An error found later (a future published_at,
    known to matter only once the final state is) rolls the request's transaction back, so
    nothing is left half-written either way."""
    values = _checked(session, workspace_id, fields)
    assignments = values.pop("newsfeed_assignments", None)
    for name, value in values.items():
        setattr(item, name, value)
    if item.id is None:
        session.add(item)
        session.flush()
    wanted = assignments if assignments is not None else [(feed_id, None) for feed_id in current]
    _place(session, workspace_id, item, wanted, was_live=was_live, current=current)


def _checked(session: Session, workspace_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None and name in NOT_NULLABLE:
            raise parameter_invalid(f"{name} must not be null", name)
    if "title" in fields:
        values["title"] = fields["title"]
    if "sender_id" in fields:
        if find_admin(session, workspace_id, fields["sender_id"]) is None:
            raise parameter_invalid("sender_id must be the id of an admin of this workspace", "sender_id")
        values["sender_id"] = fields["sender_id"]
    for name in ("state", "deliver_silently"):
        if name in fields:
            values[name] = fields[name]
    if "body" in fields:
        values["body"] = fields["body"] or ""
    if "labels" in fields:
        values["labels"] = sorted_labels(fields["labels"] or [])
    if "reactions" in fields:
        values["reactions"] = checked_reactions(fields["reactions"] or [])
    if "cover_image_url" in fields:
        values["cover_image_url"] = checked_cover(fields["cover_image_url"])
    if "newsfeed_assignments" in fields:
        values["newsfeed_assignments"] = _checked_assignments(session, workspace_id, fields["newsfeed_assignments"] or [])
    return values


def sorted_labels(labels: list[str]) -> list[str]:
    """Labels are echoed sorted alphabetically (as the example shows), each once."""
    return sorted(set(labels), key=lambda label: (label.casefold(), label))


def checked_reactions(reactions: list[str | None]) -> list[str | None]:
    """An ordered list of distinct emoji; null slots (which the examples show) are kept."""
    seen: set[str] = set()
    for index, reaction in enumerate(reactions):
        if reaction is None:
            continue
        import emoji  # here, not at the top: its tables cost every server process ~10 MB of RSS

        if not emoji.is_emoji(reaction):
            raise parameter_invalid(f"reactions.{index} must be a single emoji", f"reactions.{index}")
        if reaction in seen:
            raise parameter_invalid(f"reactions.{index} repeats {reaction}", f"reactions.{index}")
        seen.add(reaction)
    return list(reactions)


def checked_cover(url: str | None) -> str | None:
    if url is None or url == "":
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise parameter_invalid("cover_image_url must be an http(s) URL", "cover_image_url")
    if not parts.path.lower().endswith(COVER_EXTENSIONS):
        raise parameter_invalid("cover_image_url must end in .jpg or .png", "cover_image_url")
    return url


def _checked_assignments(
    session: Session, workspace_id: int, assignments: list[AssignmentRequest]
) -> list[tuple[int, int | None]]:
    """(newsfeed_id, published_at) pairs: known feeds of this workspace, each once, none in the future."""
    feed_ids = {a.newsfeed_id for a in assignments}
    known = set(session.scalars(select(Newsfeed.id).where(Newsfeed.workspace_id == workspace_id, Newsfeed.id.in_(feed_ids))))
    seen: set[int] = set()
    for index, assignment in enumerate(assignments):
        field = f"newsfeed_assignments.{index}"
        if assignment.newsfeed_id not in known:
            raise parameter_invalid(f"Newsfeed {assignment.newsfeed_id} not found", f"{field}.newsfeed_id")
        if assignment.newsfeed_id in seen:
            raise parameter_invalid(f"Newsfeed {assignment.newsfeed_id} is assigned twice", f"{field}.newsfeed_id")
        seen.add(assignment.newsfeed_id)
    return [(a.newsfeed_id, a.published_at) for a in assignments]


def _place(
    session: Session, workspace_id: int, item: NewsItem, wanted: list[tuple[int, int | None]], *,
    was_live: bool, current: dict[int, NewsfeedAssignment],
) -> None:
    """Replace the item's assignments with `wanted`, dating them by the item's state, and record
    a notification for each feed the item newly goes live on."""
    live, stamp = item.state == "live", now()
    dates = [_published_at(feed_id, sent, live, stamp, current, index) for index, (feed_id, sent) in enumerate(wanted)]
    for previous in current.values():
        session.delete(previous)
    session.flush()  # the old rows go before new ones with the same keys are added
    for position, ((feed_id, _), published_at) in enumerate(zip(wanted, dates)):
        session.add(NewsfeedAssignment(news_item_id=item.id, newsfeed_id=feed_id, published_at=published_at, position=position))
        newly_live = live and not (was_live and feed_id in current)
        if newly_live and not item.deliver_silently:
            session.add(NewsNotification(workspace_id=workspace_id, news_item_id=item.id, newsfeed_id=feed_id, created_at=stamp))
    session.flush()


def _published_at(
    feed_id: int, sent: int | None, live: bool, stamp: int, current: dict[int, NewsfeedAssignment], index: int
) -> int | None:
    if not live:
        return None  # ignored on write while the item is a draft
    if sent is not None:
        if sent > stamp:
            field = f"newsfeed_assignments.{index}.published_at"
            raise parameter_invalid("published_at cannot be in the future; schedule news items in the app", field)
        return sent
    previous = current.get(feed_id)
    if previous is not None and previous.published_at is not None:
        return previous.published_at  # already published there: keep its date
    return stamp
