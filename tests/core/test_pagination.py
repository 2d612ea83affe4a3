"""Unit tests of the pagination machinery, on an in-memory SQLite table."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import Session

from opencom.core.clock import clock
from opencom.core.errors import ApiError
from opencom.core.pagination import (
    SortKey,
    check_page,
    check_per_page,
    cursor_paginate,
    decode_cursor,
    encode_cursor,
    offset_paginate,
)

metadata = MetaData()
items = Table("items", metadata, Column("id", String, primary_key=True), Column("rank", Integer), Column("kind", String))


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as s:
        rows = [{"id": f"{i:03d}", "rank": i % 4, "kind": "even" if i % 2 == 0 else "odd"} for i in range(23)]
        s.execute(insert(items), rows)
        yield s


SORT = [SortKey(items.c.rank, descending=True), SortKey(items.c.id)]


def walk(session, query, per_page):
    seen, cursor, pages = [], None, []
    while True:
        page = cursor_paginate(session, query, SORT, per_page=per_page, starting_after=cursor)
        pages.append(page)
        seen += [row.id for row in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            return seen, pages


def test_cursor_pages_return_every_row_once_in_order(session):
    query = select(items)
    seen, pages = walk(session, query, per_page=5)
    expected = [r.id for r in session.execute(select(items).order_by(items.c.rank.desc(), items.c.id)).all()]
    assert seen == expected
    assert [p.page for p in pages] == [1, 2, 3, 4, 5]
    assert all(p.total_count == 23 and p.total_pages == 5 for p in pages)
    assert pages[0].cursor_pages()["next"]["per_page"] == 5
    assert "next" not in pages[-1].cursor_pages()


def test_cursor_pages_respect_the_filter(session):
    seen, pages = walk(session, select(items).where(items.c.kind == "odd"), per_page=4)
    assert len(seen) == 11 and len(set(seen)) == 11
    assert pages[0].total_count == 11


def test_rows_added_while_paging_are_not_repeated(session):
    query = select(items)
    first = cursor_paginate(session, query, SORT, per_page=10, starting_after=None)
    session.execute(insert(items), [{"id": "000a", "rank": 3, "kind": "odd"}, {"id": "999", "rank": 0, "kind": "odd"}])
    rest, cursor = [], first.next_cursor
    while cursor:
        page = cursor_paginate(session, query, SORT, per_page=10, starting_after=cursor)
        rest += [r.id for r in page.rows]
        cursor = page.next_cursor
    ids = [r.id for r in first.rows] + rest
    assert len(ids) == len(set(ids))
    assert "999" in rest  # sorts after the cursor, so it is seen


def test_empty_result(session):
    page = cursor_paginate(session, select(items).where(items.c.kind == "none"), SORT, per_page=5, starting_after=None)
    assert page.rows == [] and page.total_count == 0 and page.total_pages == 0 and page.next_cursor is None


@pytest.mark.parametrize("token", ["garbage", encode_cursor([1], 2), "e30", encode_cursor(["a", "b"], "x")])
def test_bad_cursors_are_parameter_invalid(token):
    with pytest.raises(ApiError) as raised:
        decode_cursor(token, 2)
    assert raised.value.status == 400 and raised.value.field == "starting_after"


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor([3, "abc"], 4), 2) == ([3, "abc"], 4)


def test_offset_pages(session):
    page = offset_paginate(session, select(items), [items.c.id], page=3, per_page=10)
    assert [r.id for r in page.rows] == ["020", "021", "022"]
    assert page.total_count == 23 and page.total_pages == 3


@pytest.mark.parametrize("value, expected", [(None, 20), ("", 20), ("5", 5), (150, 150)])
def test_check_per_page_accepts(value, expected):
    assert check_per_page(value, default=20, maximum=150) == expected


@pytest.mark.parametrize("value", ["0", "151", "ten", True, -1])
def test_check_per_page_refuses(value):
    with pytest.raises(ApiError) as raised:
        check_per_page(value, default=20, maximum=150)
    assert raised.value.code == "parameter_invalid" and raised.value.field == "per_page"


def test_check_page():
    assert check_page(None) == 1 and check_page("3") == 3
    with pytest.raises(ApiError):
        check_page("0")


def test_clock_freeze_and_advance():
    try:
        clock.freeze(1000.0)
        assert clock.now() == 1000
        clock.advance(61)
        assert clock.now() == 1061
    finally:
        clock.reset()
