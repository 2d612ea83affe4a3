"""The three pagination styles of the API, run in SQL.

- Cursor pages (contacts, conversations, searches, activity logs): keyset pagination over a
  sort key whose last column is unique; `starting_after` is an opaque token holding the last
  row's key and the page number, so each row is returned exactly once even while rows are
  being added.
- Page numbers (companies, articles, collections, news, notes): OFFSET/LIMIT.
- Scroll (companies scroll): a server-side cursor stored per workspace, expiring when idle.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from opencom.core.clock import clock
from opencom.core.errors import ApiError, parameter_invalid
from opencom.core.ids import new_uuid


@dataclass(frozen=True)
class SortKey:
    column: ColumnElement
    descending: bool = False

    def order_by(self) -> ColumnElement:
        return self.column.desc() if self.descending else self.column.asc()


@dataclass
class Page:
    rows: list[Any]
    total_count: int
    page: int
    per_page: int
    next_cursor: str | None = None

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.total_count / self.per_page)) if self.total_count else 0

    def cursor_pages(self) -> dict:
        """The `cursor_pages` object: `next` only when there is more."""
        pages: dict = {
            "type": "pages",
            "page": self.page,
            "per_page": self.per_page,
            "total_pages": self.total_pages,
        }
        if self.next_cursor is not None:
            pages["next"] = {"per_page": self.per_page, "starting_after": self.next_cursor}
        return pages


def check_per_page(value: Any, *, default: int, maximum: int, field: str = "per_page") -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise parameter_invalid(f"{field} must be an integer", field) from None
    if isinstance(value, bool) or number < 1 or number > maximum:
        raise parameter_invalid(f"{field} must be between 1 and {maximum}", field)
    return number


def check_page(value: Any, field: str = "page") -> int:
    if value is None or value == "":
        return 1
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise parameter_invalid(f"{field} must be an integer", field) from None
    if number < 1:
        raise parameter_invalid(f"{field} must be 1 or more", field)
    return number


# --- cursor pages -----------------------------------------------------------------------------


def encode_cursor(key: list[Any], page: int) -> str:
    raw = orjson.dumps({"k": key, "p": page})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, width: int, field: str = "starting_after") -> tuple[list[Any], int]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        key, page = data["k"], data["p"]
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise parameter_invalid("starting_after is not a valid cursor", field) from None
    if not isinstance(key, list) or len(key) != width or not isinstance(page, int):
        raise parameter_invalid("starting_after is not a valid cursor", field)
    return key, page


def after_key(sort: list[SortKey], key: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `key` in the order `sort` defines (mixed directions allowed)."""
    clauses = []
    for i, part in enumerate(sort):
        equal_before = [sort[j].column == key[j] for j in range(i)]
        beyond = part.column < key[i] if part.descending else part.column > key[i]
        clauses.append(and_(*equal_before, beyond))
    return or_(*clauses)


def cursor_paginate(
    session: Session,
    query: Select,
    sort: list[SortKey],
    *,
    per_page: int,
    starting_after: str | None,
    count: bool = True,
    rows_by: ColumnElement | None = None,
    total: int | None = None,
    walk: tuple[Select, ColumnElement] | None = None,
) -> Page:
    """One page of `query` (which selects the rows to return) in `sort` order.

    The sort columns must be selectable from the query's FROM clause and end in a unique one.

    `total`, when given, is the number of rows `query` selects, known without counting them
    (a list's maintained count, a search's cheaply counted matches).

    `rows_by`, a unique column of the query's one entity, is for searches (a filter that an
    index may answer, and whose matches are counted anyway): see `_search_page`. With it, a
    caller that can count the matches cheaply passes `total`, and may pass `walk` (the unfiltered
    query, and the filter written to be tested row by row): when the matches are many, the page
    is then found by walking the unfiltered rows in sort order (see `_walk_page`).
    """
    page_number = 1
    paged = query
    key = None
    if starting_after:
        key, page_number = decode_cursor(starting_after, len(sort))
        paged = paged.where(after_key(_unindexed(sort) if rows_by is not None else sort, key))
    found = None
    if rows_by is not None and walk is not None and total is not None and total >= WALK_MIN_MATCHES:
        found = _walk_page(session, walk, sort, key, per_page)
    if found is not None:
        rows, keys = found
    elif rows_by is not None:
        rows, keys, counted = _search_page(session, query, paged, sort, per_page, rows_by, count and total is None)
        total = counted if total is None else total
    else:
        rows, keys = _rows_and_keys(session, paged.order_by(*(s.order_by() for s in sort)).limit(per_page + 1), sort)
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        next_cursor = encode_cursor(keys[per_page - 1], page_number + 1)
    if total is None:
        total = count_rows(session, query) if count else len(rows)
    return Page(rows, total, page_number, per_page, next_cursor)


def _search_page(
    session: Session, query: Select, paged: Select, sort: list[SortKey], per_page: int, rows_by: ColumnElement,
    count: bool,
) -> tuple[list[Any], list[list[Any]], int | None]:
    """A page found by its keys first, then its rows (a deferred join); and the total when the
    same pass could count it (the first page), else None.

    The keys are sorted, not read in the order of an index on the sort (`_unindexed`): walking
    that index and filtering (or, on a later page, reading it from the cursor on) reads
    the whole workspace when the matches are few or sit at its end, while sorting the matches
    costs about what counting them costs. On the first page a window count over the same scan
    gives the total, so the matches are read once, not once for the page and once for the count.
    """
    keyed = paged.order_by(*(s.order_by() for s in _unindexed(sort))).limit(per_page + 1)
    entity = query.column_descriptions[0]["entity"]
    order = [s.order_by() for s in sort]
    total = None
    if count and paged is query:
        found = session.execute(keyed.with_only_columns(rows_by, func.count().over())).all()
        total = found[0][1] if found else 0
        if not found:
            return [], [], total
        wanted = rows_by.in_([row[0] for row in found])
    else:
        wanted = rows_by.in_(keyed.with_only_columns(rows_by).correlate(None))
    rows, keys = _rows_and_keys(session, select(entity).where(wanted).order_by(*order), sort)
    return rows, keys, total


# The walk is tried when a search matches at least this many rows (fewer are sorted in no
# time), and reads at most WALK_ROWS rows in sort order before giving up for the sorted plan.
WALK_MIN_MATCHES = 1000
WALK_ROWS = 10_000


def _walk_page(
    session: Session, walk: tuple[Select, ColumnElement], sort: list[SortKey], key: list[Any] | None, per_page: int
) -> tuple[list[Any], list[list[Any]]] | None:
    """The page read by walking the unfiltered rows in sort order (their index) and testing the
    filter on each, or None when the first WALK_ROWS rows don't hold a page.

    When the matches are a share s of the rows, a page costs about per_page / s rows: constant
    as the data grows, where sorting the matches grows with them. The walk is bounded (the sort
    value WALK_ROWS rows on, from the index alone) so that matches that are many but sit at the
    end of the order cost at most WALK_ROWS probes before the sorted plan takes over.
    """
    everything, test = walk
    if key is not None:
        everything = everything.where(after_key(sort, key))
    order = [s.order_by() for s in sort]
    bound = session.execute(
        everything.with_only_columns(sort[0].column).order_by(*order).offset(WALK_ROWS).limit(1)
    ).scalar_one_or_none()
    page = everything.where(test)
    if bound is not None:
        page = page.where(sort[0].column <= bound)
    rows, keys = _rows_and_keys(session, page.order_by(*order).limit(per_page + 1), sort)
    if len(rows) > per_page or bound is None:
        return rows, keys
    return None


def _unindexed(sort: list[SortKey]) -> list[SortKey]:
    """`sort` with its first column (which must be numeric) as `column + 0`, an expression no
    index on the column can order or range over: the planner then reads the filter's index."""
    return [SortKey(sort[0].column + 0, sort[0].descending), *sort[1:]]


def _rows_and_keys(session: Session, query: Select, sort: list[SortKey]) -> tuple[list[Any], list[list[Any]]]:
    """Run `query`; return its rows (entities when it selects one, else Row objects) and their sort keys."""
    if len(query.column_descriptions) == 1:
        result = session.execute(query.add_columns(*(s.column for s in sort))).all()
        return [row[0] for row in result], [list(row[1:]) for row in result]
    # Several columns selected: the sort columns must be among them.
    result = session.execute(query).all()
    return list(result), [[row._mapping[s.column] for s in sort] for row in result]


def count_rows(session: Session, query: Select) -> int:
    counted = query.order_by(None).with_only_columns(func.count(), maintain_column_froms=True)
    return session.execute(counted).scalar_one()


# --- page numbers -----------------------------------------------------------------------------


def offset_paginate(
    session: Session, query: Select, order_by: list[ColumnElement], *, page: int, per_page: int
) -> Page:
    result = session.execute(query.order_by(*order_by).offset((page - 1) * per_page).limit(per_page))
    rows = result.scalars().all() if len(query.column_descriptions) == 1 else result.all()
    return Page(list(rows), count_rows(session, query), page, per_page)


# --- scroll -----------------------------------------------------------------------------------

SCROLL_IDLE_SECONDS = 60


def _open_scroll(session: Session, workspace_id: int, resource: str):
    from opencom.core.models import ScrollCursor

    cursor = ScrollCursor(workspace_id=workspace_id, resource=resource, param=new_uuid(), last_key=None, expires_at=0)
    try:
        with session.begin_nested():  # two first calls racing: the second finds the row taken
            session.add(cursor)
    except IntegrityError:
        raise _scroll_exists() from None
    return cursor


def _scroll_exists() -> ApiError:
    return ApiError(400, "scroll_exists", "A scroll is already open for this workspace; wait for it to expire or finish it", "scroll_param")


def scroll_page(
    session: Session,
    *,
    workspace_id: int,
    resource: str,
    query: Select,
    sort: list[SortKey],
    per_page: int,
    scroll_param: str | None,
) -> tuple[list[Any], str | None]:
    """The next rows of the workspace's scroll over `resource`, and the param to continue with.

    One scroll per workspace and resource may be open; an idle one expires after a minute; an
    empty page ends the scroll and expires its param. Needs a write transaction.
    """
    from opencom.core.models import ScrollCursor  # local: models import db, not the other way

    now = clock.now()
    cursor = session.get(ScrollCursor, (workspace_id, resource), with_for_update=True)
    if cursor is not None and cursor.expires_at <= now:
        session.delete(cursor)
        session.flush()
        cursor = None
    if scroll_param:
        if cursor is None or cursor.param != scroll_param:
            raise ApiError(404, "scroll_param_not_found", "scroll_param not found or expired", "scroll_param")
    elif cursor is not None:
        raise _scroll_exists()
    else:
        cursor = _open_scroll(session, workspace_id, resource)
    paged = query if cursor.last_key is None else query.where(after_key(sort, cursor.last_key))
    rows, keys = _rows_and_keys(session, paged.order_by(*(s.order_by() for s in sort)).limit(per_page), sort)
    if not rows:
        param = cursor.param
        session.delete(cursor)
        return [], param
    cursor.last_key = keys[-1]
    cursor.expires_at = now + SCROLL_IDLE_SECONDS
    return rows, cursor.param
