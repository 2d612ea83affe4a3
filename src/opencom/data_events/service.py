"""The rules for data events: submitting them, summarising them per contact, listing recent ones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from opencom.contacts.models import Contact
from opencom.core.clock import now
from opencom.core.errors import ApiError, not_found, parameter_invalid, parameter_not_found
from opencom.core.pagination import Page, SortKey, cursor_paginate
from opencom.data_events.models import DataEvent, DataEventSummary

MAX_METADATA_KEYS = 10
LISTABLE_SECONDS = 90 * 24 * 3600  # only events younger than 90 days can be listed
MAX_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z, the last time ISO-8601 can write


# --- identifying the contact ------------------------------------------------------------------


def find_contact(session: Session, workspace_id: int, *, id: Any = None, user_id: Any = None, email: Any = None) -> Contact:
    """The contact by Intercom id, else external id, else email (among users). 404 if none."""
    query = select(Contact).where(Contact.workspace_id == workspace_id)
    if id is not None:
        query = query.where(Contact.id == str(id))
    elif user_id is not None:
        query = query.where(Contact.external_id == str(user_id))
    elif email is not None:
        query = query.where(Contact.email == str(email), Contact.role == "user")
    else:
        raise parameter_not_found("One of id, user_id or email is required", "user_id")
    contact = session.scalar(query.order_by(Contact.created_at, Contact.id).limit(1))
    if contact is None:
        raise not_found("User Not Found")
    return contact


# --- checking input ---------------------------------------------------------------------------


def _timestamp(value: Any, field: str) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_TIMESTAMP:
        raise parameter_invalid(f"{field} must be a Unix timestamp", field)
    return value


def _event_name(value: Any, field: str = "event_name") -> str:
    if value is None:
        raise parameter_not_found(f"{field} is required", field)
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise parameter_invalid(f"{field} must be a non-empty string of at most 255 characters", field)
    return value


def _metadata_value_ok(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, dict):
        rich_link = set(value) <= {"url", "value"} and isinstance(value.get("url"), str) and (
            value.get("value") is None or isinstance(value.get("value"), str)
        )
        amount = value.get("amount")
        money = (
            set(value) == {"amount", "currency"} and isinstance(amount, int) and not isinstance(amount, bool)
            and isinstance(value.get("currency"), str)
        )
        return rich_link or money
    return False


def check_metadata(metadata: Any) -> dict:
    """Flat metadata: the first 10 keys in send order are kept, later ones ignored (as upstream)."""
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise parameter_invalid("metadata must be an object", "metadata")
    kept = dict(list(metadata.items())[:MAX_METADATA_KEYS])
    for key, value in kept.items():
        if not _metadata_value_ok(value):
            raise parameter_invalid(
                "metadata values must be strings, numbers, booleans, rich links {url, value} or amounts "
                "{amount, currency}; nested JSON is not supported", f"metadata.{key}",
            )
    return kept


# --- summaries --------------------------------------------------------------------------------


def add_to_summary(session: Session, contact_id: str, event_name: str, *, count: int, first: int, last: int) -> None:
    """Add `count` occurrences between `first` and `last` to the contact's summary, atomically."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = DataEventSummary.__table__
    statement = dialect.insert(table).values(
        contact_id=contact_id, event_name=event_name, count=count, first=first, last=last
    )
    new = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["contact_id", "event_name"],
        set_={
            "count": table.c["count"] + new["count"],
            "first": case((new["first"] < table.c["first"], new["first"]), else_=table.c["first"]),
            "last": case((new["last"] > table.c["last"], new["last"]), else_=table.c["last"]),
        },
    )
    session.execute(statement)


def summaries(session: Session, contact_id: str) -> list[DataEventSummary]:
    query = select(DataEventSummary).where(DataEventSummary.contact_id == contact_id)
    return list(session.scalars(query.order_by(DataEventSummary.last.desc(), DataEventSummary.event_name)))


def _summary_items(value: Any) -> list[tuple[str, int, int, int]]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not value:
        raise parameter_invalid("event_summaries must be an object or a non-empty list of objects", "event_summaries")
    items = []
    for i, item in enumerate(value):
        field = f"event_summaries[{i}]"
        if not isinstance(item, dict):
            raise parameter_invalid(f"{field} must be an object", field)
        name = _event_name(item.get("event_name"), f"{field}.event_name")
        count = item.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise parameter_invalid(f"{field}.count must be a positive integer", f"{field}.count")
        first, last = (
            _timestamp(item[key], f"{field}.{key}") if item.get(key) is not None else None for key in ("first", "last")
        )
        # A missing time takes the other one; with neither, the summary is for now.
        first = first if first is not None else last if last is not None else now()
        last = last if last is not None else first
        if first > last:
            raise parameter_invalid(f"{field}.first must not be after last", f"{field}.first")
        items.append((name, count, first, last))
    return items


def add_summaries(session: Session, workspace_id: int, body: dict) -> None:
    """POST /events/summaries: add the given counts and times to the user's summaries."""
    if body.get("user_id") is None:
        raise parameter_not_found("user_id is required", "user_id")
    if body.get("event_summaries") is None:
        raise parameter_not_found("event_summaries is required", "event_summaries")
    items = _summary_items(body["event_summaries"])
    contact = find_contact(session, workspace_id, user_id=body["user_id"])
    for name, count, first, last in items:
        add_to_summary(session, contact.id, name, count=count, first=first, last=last)


# --- events -----------------------------------------------------------------------------------


def submit_event(session: Session, workspace_id: int, body: dict) -> tuple[DataEvent, Contact] | None:
    """POST /events. A repeat (same contact, name and created_at) is accepted and ignored (None);
    a new event is returned with its contact, for the event.created notification."""
    name = _event_name(body.get("event_name"))
    if body.get("created_at") is None:
        raise parameter_not_found("created_at is required", "created_at")
    created_at = _timestamp(body["created_at"], "created_at")
    metadata = check_metadata(body.get("metadata"))
    contact = find_contact(session, workspace_id, id=body.get("id"), user_id=body.get("user_id"), email=body.get("email"))
    event = DataEvent(workspace_id=workspace_id, contact_id=contact.id, event_name=name, created_at=created_at, metadata_=metadata)
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:  # the same event was stored before (or just now, concurrently)
        return None
    add_to_summary(session, contact.id, name, count=1, first=created_at, last=created_at)
    return event, contact


def list_events(
    session: Session, contact: Contact, *, per_page: int, before: str | None, since: int | None
) -> Page:
    """The contact's events of the last 90 days, newest first, cursor-paged."""
    oldest = now() - LISTABLE_SECONDS
    if since is not None:
        oldest = max(oldest, since)
    query = select(DataEvent).where(DataEvent.contact_id == contact.id, DataEvent.created_at >= oldest)
    sort = [SortKey(DataEvent.created_at, descending=True), SortKey(DataEvent.id, descending=True)]
    try:
        return cursor_paginate(session, query, sort, per_page=per_page, starting_after=before, count=False)
    except ApiError as error:
        raise parameter_invalid("before is not a valid cursor", "before") if error.field == "starting_after" else error
