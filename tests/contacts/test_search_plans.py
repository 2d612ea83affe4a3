"""Contact search reads indexes: for each benchmarked shape (benchmarks/search_scaling.py), the
statements `search_contacts` runs are explained, and the plan must name the index meant for it.

Plans, not timings. The module runs against a database of its own (a SQLite file, or a fresh
PostgreSQL database in the PostgreSQL run) holding a few thousand contacts, with planner
statistics, so the planner's choices are those of a grown workspace rather than an empty one
(on PostgreSQL with sequential scans off: at this size a scan is cheaper than any index).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import event, insert, text

from opencom.contacts import service
from opencom.contacts.indexes import ensure_attribute_index
from opencom.contacts.models import Contact, ContactTag
from opencom.core.db import Database
from opencom.core.ids import hex_id
from opencom.core.migrate import upgrade
from opencom.core.pagination import encode_cursor
from opencom.core.search import FieldType, json_index_ddl
from opencom.core.statistics import refresh, stale_tables
from opencom.data_attributes.service import create_attribute
from opencom.tags.models import Tag
from opencom.workspaces.service import create_workspace
from tests.support import postgres_admin_url, postgres_database, selected_backend

CONTACTS = 4000
NAMES = ["Ada", "Alan", "Grace", "Linus", "Barbara", "Ken", "Edsger", "Hedy", "Niklaus", "Radia"]
SURNAMES = ["Lovelace", "Turing", "Hopper", "Torvalds", "Liskov", "Thompson", "Dijkstra", "Lamarr"]
BASE_TIME = 1_700_000_000


@pytest.fixture(scope="module")
def plan_db(tmp_path_factory) -> Iterator[Database]:
    if selected_backend() == "postgres":
        with postgres_database(postgres_admin_url()) as url:
            yield from _filled(url)
    else:
        yield from _filled(f"sqlite:///{tmp_path_factory.mktemp('plans') / 'plans.db'}")


def _filled(url: str) -> Iterator[Database]:
    db = Database(url)
    upgrade(db.write_engine)
    with db.transaction() as session:
        other = create_workspace(session, "Other").workspace.id
        workspace = create_workspace(session, "Plans").workspace.id
        for wid in (workspace, other):
            create_attribute(session, wid, None, {"name": "seats", "model": "contact", "data_type": "integer"})
            create_attribute(session, wid, None, {"name": "trial_ends_at", "model": "contact", "data_type": "date"})
            create_attribute(session, wid, None, {"name": "plan_tier", "model": "contact", "data_type": "string"})
        tag = Tag(workspace_id=workspace, name="Rare", name_key="rare", created_at=BASE_TIME)
        common = Tag(workspace_id=workspace, name="Common", name_key="common", created_at=BASE_TIME)
        session.add_all([tag, common])
        session.flush()
        tag_id, common_id = tag.id, common.id
    rng = random.Random(7)
    rows, tags = [], []
    for n in range(CONTACTS):
        wid = workspace if n % 4 else other
        created = BASE_TIME + n * 60
        contact_id = hex_id()
        rows.append({
            "id": contact_id, "workspace_id": wid, "role": "user", "email": f"person{n}@example.com",
            "email_domain": "example.com", "name": f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
            "archived": n % 50 == 0, "created_at": created, "updated_at": created,
            "custom_attributes": {
                "seats": int(rng.paretovariate(1.5)), "plan_tier": rng.choice(["free", "pro", "scale"]),
                # Follows created_at, as trial ends do: a walk in list order would meet them last.
                **({"trial_ends_at": created + 14 * 86400} if n % 3 == 0 else {}),
            },
        })
        if wid == workspace and n % 97 == 0:
            tags.append({"contact_id": contact_id, "tag_id": tag_id, "applied_at": created})
        if wid == workspace and n % 5 < 3:  # 1800 holders, past pagination.WALK_MIN_MATCHES
            tags.append({"contact_id": contact_id, "tag_id": common_id, "applied_at": created})
    with db.transaction() as session:
        session.execute(insert(Contact), rows)
        session.execute(insert(ContactTag), tags)
    with db.write_engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    db.workspace_id, db.tag_id, db.common_tag_id = workspace, tag_id, common_id
    try:
        yield db
    finally:
        db.dispose()


def f(field: str, op: str, value) -> dict:
    return {"field": field, "operator": op, "value": value}


def plans(db: Database, query: dict, starting_after: str | None = None, statements_run: int = 2) -> list[str]:
    """The plan of every SELECT that search_contacts runs for `query`, as text."""
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM contacts" in statement:
            statements.append((statement, parameters))

    with db.transaction(write=False) as session:
        connection = session.connection()
        if not db.is_sqlite:
            # A few thousand rows fit in a handful of pages, where PostgreSQL rightly scans: the
            # question here is which index it reads when scanning is not the cheapest way.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        event.listen(connection, "before_cursor_execute", capture)
        try:
            service.search_contacts(session, db.workspace_id, query, tz="UTC", per_page=50,
                                    starting_after=starting_after)
        finally:
            event.remove(connection, "before_cursor_execute", capture)
        prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
        found = []
        for statement, parameters in statements:
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            found.append("\n".join(str(row[-1] if db.is_sqlite else row[0]) for row in rows))
    assert len(found) == statements_run, found
    return found


def json_index(db: Database, key: str, kind: FieldType) -> str:
    return json_index_ddl("contacts", "custom_attributes", key, kind, db.engine.dialect)[0]


def assert_reads(db: Database, query: dict, index: str) -> None:
    """The first page reads the matches once (their ids, sorted, and a window count) through
    `index`, then its rows by primary key; a later page finds its ids through `index` inside
    the rows' statement, and counts through `index` again."""
    keys, rows = plans(db, query)
    assert index in keys, keys
    assert ("sqlite_autoindex_contacts_1" if db.is_sqlite else "pk_contacts") in rows, rows
    for plan in plans(db, query, starting_after=encode_cursor([0, ""], 2)):
        assert index in plan, plan


def test_exact_email_reads_the_email_index(plan_db):
    assert_reads(plan_db, f("email", "=", "person5@example.com"), "ix_contacts_email")


def test_name_prefix_reads_the_name_index(plan_db):
    index = "ix_contacts_name_nocase" if plan_db.is_sqlite else "ix_contacts_name_lower"
    assert_reads(plan_db, f("name", "^", "grace hop"), index)


def test_a_custom_attribute_range_reads_its_expression_index(plan_db):
    assert_reads(plan_db, f("custom_attributes.seats", ">", 50), json_index(plan_db, "seats", FieldType.INTEGER))


def test_a_date_attribute_that_follows_creation_reads_its_index(plan_db):
    # Its matches sit at the end of the list order: the page must still come from the range.
    query = f("custom_attributes.trial_ends_at", ">", BASE_TIME + 3900 * 60)
    assert_reads(plan_db, query, json_index(plan_db, "trial_ends_at", FieldType.DATE))


def test_an_and_of_three_reads_the_range_index(plan_db):
    query = {"operator": "AND", "value": [
        f("custom_attributes.seats", ">", 50),
        f("custom_attributes.plan_tier", "IN", ["pro", "scale"]),
        f("role", "=", "user"),
    ]}
    assert_reads(plan_db, query, json_index(plan_db, "seats", FieldType.INTEGER))


ARCHIVED_HOLDERS = "ix_contacts_list"  # the tag count's second half: archived holders, from the list index


def test_tag_id_reads_the_tag_index(plan_db):
    # A tag's total comes from indexes (contacts.service._tag_total: the tag's index range, less
    # its archived holders); with few holders the page's ids are then read through the tag index,
    # sorted, in the statement reading the page's rows.
    query = f("tag_id", "=", str(plan_db.tag_id))
    for cursor in (None, encode_cursor([0, ""], 2)):
        archived, rows = plans(plan_db, query, cursor)
        assert ARCHIVED_HOLDERS in archived, archived
        assert "ix_contact_tags_tag_contact" in rows, rows  # the page's ids, inside the rows' statement


def test_a_common_tag_walks_the_list_order(plan_db, monkeypatch):
    # Many holders: the page is the first rows of the list index holding the tag, each probed in
    # the tag table's primary key, so its cost doesn't grow with the holders; the walk is bounded
    # by a sort value read from the list index alone.
    # (A bound of a few thousand rows would be past this workspace's end, which PostgreSQL sorts.)
    from opencom.core import pagination

    monkeypatch.setattr(pagination, "WALK_ROWS", 100)
    probe = "sqlite_autoindex_contact_tags_1" if plan_db.is_sqlite else "pk_contact_tags"
    for cursor in (None, encode_cursor([0, ""], 2)):
        archived, bound, page = plans(plan_db, f("tag_id", "=", str(plan_db.common_tag_id)), cursor, statements_run=3)
        assert "ix_contacts_list" in bound, bound
        assert "ix_contacts_list" in page and probe in page, page
        assert "ix_contact_tags_tag_contact" not in page, page


@pytest.mark.parametrize("walk_rows", [20_000, 60])
def test_tag_search_results_are_right_walked_or_sorted(plan_db, monkeypatch, walk_rows):
    # 60 rows hold no page of 50 of a tag on 3 contacts in 5: the sorted plan takes over.
    from opencom.core import pagination

    monkeypatch.setattr(pagination, "WALK_ROWS", walk_rows)
    for tag_id in (plan_db.common_tag_id, plan_db.tag_id):
        with plan_db.transaction(write=False) as session:
            wanted = session.execute(text(
                "SELECT c.created_at, c.id FROM contacts c JOIN contact_tags t ON t.contact_id = c.id"
                " WHERE c.workspace_id = :w AND c.archived = :f AND t.tag_id = :t ORDER BY c.created_at, c.id"
            ), {"w": plan_db.workspace_id, "f": False, "t": tag_id}).all()
            seen, cursor = [], None
            while True:
                page = service.search_contacts(session, plan_db.workspace_id, f("tag_id", "=", str(tag_id)), tz="UTC",
                                               per_page=50, starting_after=cursor)
                assert page.total_count == len(wanted)
                seen += [(c.created_at, c.id) for c in page.rows]
                cursor = page.next_cursor
                if cursor is None:
                    break
        assert seen == [tuple(row) for row in wanted]


def test_search_results_are_right_with_the_deferred_page(plan_db):
    query = f("custom_attributes.seats", ">", 3)
    with plan_db.transaction(write=False) as session:
        expected = session.execute(text(
            "SELECT id, created_at FROM contacts WHERE workspace_id = :w AND archived = :f"
        ), {"w": plan_db.workspace_id, "f": False}).all()
        seats = {c.id: c.custom_attributes.get("seats") for c in session.query(Contact).filter_by(workspace_id=plan_db.workspace_id)}
        wanted = sorted((r.created_at, r.id) for r in expected if seats[r.id] is not None and seats[r.id] > 3)
        seen, cursor = [], None
        while True:
            page = service.search_contacts(session, plan_db.workspace_id, query, tz="UTC", per_page=7, starting_after=cursor)
            assert page.total_count == len(wanted)
            seen += [(c.created_at, c.id) for c in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == wanted


def test_creating_an_attribute_makes_its_index_once(plan_db):
    with plan_db.transaction() as session:
        name = ensure_attribute_index(session, "contact", "seats", "integer")
        assert name == json_index(plan_db, "seats", FieldType.INTEGER)
        assert ensure_attribute_index(session, "contact", 'say "hi"', "string") is None
        assert ensure_attribute_index(session, "conversation", "seats", "integer") is None


def test_values_of_another_type_never_break_an_index_or_a_search(plan_db):
    # Another workspace may hold any JSON under a name this one indexes as a number.
    with plan_db.transaction() as session:
        other = create_workspace(session, "Strings").workspace.id
        create_attribute(session, other, None, {"name": "seats", "model": "contact", "data_type": "string"})
        session.add(Contact(id=hex_id(), workspace_id=other, role="user", created_at=BASE_TIME, updated_at=BASE_TIME,
                            custom_attributes={"seats": "many", "trial_ends_at": "soon"}))
    with plan_db.transaction(write=False) as session:
        page = service.search_contacts(session, plan_db.workspace_id, f("custom_attributes.seats", ">", 50),
                                       tz="UTC", per_page=5, starting_after=None)
        assert page.total_count > 0


def test_statistics_are_refreshed_when_missing_or_outgrown(plan_db):
    if not plan_db.is_sqlite:
        assert refresh(plan_db) == []  # PostgreSQL's autovacuum keeps them
        return
    with plan_db.write_engine.connect() as conn:
        assert "contacts" not in stale_tables(conn)  # just analyzed
        conn.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'contacts'")
        conn.commit()
    assert "contacts" in refresh(plan_db)
    assert refresh(plan_db) == []
