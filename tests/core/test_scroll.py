"""The scroll machinery (used by the companies scroll), on the suite's real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from opencom.admins.models import Admin
from opencom.admins.service import create_admin
from opencom.core.clock import clock
from opencom.core.errors import ApiError
from opencom.core.pagination import SortKey, scroll_page


def scroll(db, workspace_id, param, per_page=2):
    query = select(Admin).where(Admin.workspace_id == workspace_id)
    with db.transaction() as session:
        rows, next_param = scroll_page(
            session, workspace_id=workspace_id, resource="admins", query=query,
            sort=[SortKey(Admin.id)], per_page=per_page, scroll_param=param,
        )
        return [r.id for r in rows], next_param


@pytest.fixture
def five_admins(db, workspace):
    with db.transaction() as session:
        for n in range(4):
            create_admin(session, workspace.id, name=f"Admin {n}", email=f"a{n}@example.com")
    return workspace.id


def test_scroll_walks_everything_then_expires(db, five_admins):
    seen, param = scroll(db, five_admins, None)
    while True:
        rows, param = scroll(db, five_admins, param)
        if not rows:
            break
        seen += rows
    assert len(seen) == 5 and len(set(seen)) == 5
    with pytest.raises(ApiError) as raised:
        scroll(db, five_admins, param)
    assert raised.value.status == 404
    assert scroll(db, five_admins, None)[0]  # a new scroll may start


def test_only_one_scroll_at_a_time(db, five_admins):
    scroll(db, five_admins, None)
    with pytest.raises(ApiError) as raised:
        scroll(db, five_admins, None)
    assert raised.value.status == 400


def test_an_idle_scroll_expires_after_a_minute(db, five_admins):
    try:
        clock.freeze()
        _, param = scroll(db, five_admins, None)
        clock.advance(61)
        with pytest.raises(ApiError):
            scroll(db, five_admins, param)
        assert scroll(db, five_admins, None)[0]
    finally:
        clock.reset()
