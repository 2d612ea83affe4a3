"""`opencom seed`: seeded data is what the API would have written, deterministic, and appendable.

A small workspace is seeded with the service function through the test `db`, then read (and
written) through HTTP with the `api` client, whose every response is validated against the
description. Determinism and the CLI run on fresh databases of the run's backend.
"""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from opencom.companies.models import Company
from opencom.contacts.models import Contact, ContactCompany, ContactTag
from opencom.contacts.service import _email_parts
from opencom.conversations.models import Conversation
from opencom.core.clock import clock
from opencom.core.db import Database
from opencom.core.settings import Settings
from opencom.core.startup import prepare_database
from opencom.data_events.models import DataEvent, DataEventSummary
from opencom.seeding.generate import DAY, TABLE_ORDER
from opencom.seeding.service import SeedError, seed_workspace
from tests.support import postgres_admin_url, postgres_database, selected_backend

ANCHOR = 1_760_000_000 // DAY * DAY  # a fixed "now" for the data, so runs compare equal
COUNTS = {"contacts": 60, "companies": 8, "conversations": 30}


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def seeded(db, workspace):
    # A small batch size, so that several batches (and id reservations) are exercised.
    return seed_workspace(db, workspace.id, seed=3, batch_size=16, **COUNTS)


def _all_pages(api, path, key="data", per_page=25):
    found, cursor = [], None
    while True:
        params = {"per_page": per_page, **({"starting_after": cursor} if cursor else {})}
        page = ok(api.get(path, params=params))
        found += page[key]
        cursor = (page["pages"].get("next") or {}).get("starting_after")
        if not cursor:
            return found, page


# --- the API sees the seeded data -------------------------------------------------------------


def test_counts(seeded, db, workspace):
    rows = seeded.rows
    assert (rows["contacts"], rows["companies"], rows["conversations"]) == (60, 8, 30)
    assert rows["messages"] == rows["conversation_contacts"] == 30
    assert rows["conversation_parts"] > 30 and rows["data_events"] > 0 and rows["contact_tags"] > 0
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).where(Contact.workspace_id == workspace.id)) == 60
        parts = session.scalar(select(func.sum(Conversation.count_conversation_parts)).where(Conversation.workspace_id == workspace.id))
        assert parts == rows["conversation_parts"]


def test_contacts_list_get_and_nested_lists(api, seeded, db, workspace):
    contacts, last = _all_pages(api, "/contacts")
    assert last["total_count"] == 60 and len({c["id"] for c in contacts}) == 60
    assert [c["created_at"] for c in contacts] == sorted(c["created_at"] for c in contacts)
    assert Counter(c["role"] for c in contacts)["user"] > 30
    types = {"plan_tier": str, "seats": int, "lifetime_value": float, "beta_tester": bool, "trial_ends_at": int}
    for contact in contacts:
        assert re.fullmatch(r"[0-9a-f]{24}", contact["id"])
        assert int(contact["id"][:8], 16) == contact["created_at"]  # hex_id's layout: creation time first
        for name, value in contact["custom_attributes"].items():
            assert isinstance(value, types[name]), (name, value)
        if contact["email"]:
            assert _email_parts(contact["email"]) == (contact["email"], contact["email_domain"])
    with db.transaction(write=False) as session:
        tagged = session.execute(select(ContactTag.contact_id, func.count()).group_by(ContactTag.contact_id)).all()
        attached = session.execute(select(ContactCompany.contact_id, ContactCompany.company_id)).all()
    contact_id, tag_count = next((cid, n) for cid, n in tagged if cid in {c["id"] for c in contacts})
    one = ok(api.get(f"/contacts/{contact_id}"))
    assert one["tags"]["total_count"] == tag_count
    assert len(ok(api.get(f"/contacts/{contact_id}/tags"))["data"]) == tag_count
    contact_id, company_id = next((cid, co) for cid, co in attached if cid in {c["id"] for c in contacts})
    assert [c["id"] for c in ok(api.get(f"/contacts/{contact_id}/companies"))["data"]] == [company_id]


def test_contact_search_shapes(api, seeded, db, workspace):
    contacts, _ = _all_pages(api, "/contacts")
    user = next(c for c in contacts if c["role"] == "user")

    def search(query):
        return ok(api.post("/contacts/search", json={"query": query, "pagination": {"per_page": 150}}))

    assert [c["id"] for c in search({"field": "email", "operator": "=", "value": user["email"]})["data"]] == [user["id"]]
    prefix = user["name"].split()[0][:3]
    expected = {c["id"] for c in contacts if (c["name"] or "").startswith(prefix)}
    assert {c["id"] for c in search({"field": "name", "operator": "^", "value": prefix})["data"]} == expected
    rich = {c["id"] for c in contacts if c["custom_attributes"].get("lifetime_value", 0) > 100}
    found = search({"field": "custom_attributes.lifetime_value", "operator": ">", "value": 100})["data"]
    assert {c["id"] for c in found} == rich
    three = {"operator": "AND", "value": [
        {"field": "role", "operator": "=", "value": "user"},
        {"field": "custom_attributes.beta_tester", "operator": "=", "value": False},
        {"field": "custom_attributes.seats", "operator": ">", "value": 0},
    ]}
    expected = {c["id"] for c in contacts if c["role"] == "user" and c["custom_attributes"]["beta_tester"] is False
                and c["custom_attributes"]["seats"] > 0}
    assert {c["id"] for c in search(three)["data"]} == expected
    with db.transaction(write=False) as session:
        tag_id, count = session.execute(
            select(ContactTag.tag_id, func.count()).join(Contact, Contact.id == ContactTag.contact_id)
            .where(Contact.workspace_id == workspace.id).group_by(ContactTag.tag_id).limit(1)
        ).one()
    assert search({"field": "tag_id", "operator": "=", "value": str(tag_id)})["total_count"] == count


def test_uniqueness_holds_against_api_writes(api, seeded):
    contacts, _ = _all_pages(api, "/contacts")
    user = next(c for c in contacts if c["role"] == "user")
    clash = api.post("/contacts", json={"role": "user", "email": user["email"]})
    assert clash.status_code == 409 and user["id"] in clash.text
    clash = api.post("/contacts", json={"role": "user", "external_id": user["external_id"], "email": "new@example.com"})
    assert clash.status_code == 409
    # New rows get fresh ids after the seeded ones.
    seeded_ids = [int(c["id"]) for c in _all_pages(api, "/conversations", "conversations")[0]]
    created = ok(api.post("/contacts", json={"role": "user", "email": "fresh@example.com"}))
    message = ok(api.post("/conversations", json={"from": {"type": "user", "id": created["id"]}, "body": "Hi"}))
    assert int(message["conversation_id"]) > max(seeded_ids)


def test_companies_and_attributes(api, seeded, db, workspace):
    listed = ok(api.get("/companies", params={"per_page": 50}))
    assert listed["total_count"] == 8
    with db.transaction(write=False) as session:
        users = dict(session.execute(select(ContactCompany.company_id, func.count()).group_by(ContactCompany.company_id)).all())
    for company in listed["data"]:
        assert company["user_count"] == users.get(company["id"], 0)
        assert company["plan"]["name"] in ("Starter", "Pro", "Business", "Enterprise")
        assert set(company["custom_attributes"]) == {"account_manager", "seats_purchased", "health_score", "is_strategic", "renewal_date"}
    attributes = ok(api.get("/data_attributes", params={"model": "contact"}))["data"]
    custom = {a["name"]: a["data_type"] for a in attributes if a["custom"]}
    assert custom == {"plan_tier": "string", "seats": "integer", "lifetime_value": "float", "beta_tester": "boolean",
                      "trial_ends_at": "date"}


def test_events_and_summaries(api, seeded, db, workspace):
    with db.transaction(write=False) as session:
        event = session.scalars(select(DataEvent).where(DataEvent.workspace_id == workspace.id).limit(1)).one()
        summary = session.get(DataEventSummary, (event.contact_id, event.event_name))
        count = session.scalar(select(func.count()).where(DataEvent.contact_id == event.contact_id, DataEvent.event_name == event.event_name))
    assert summary.count == count and summary.first <= event.created_at <= summary.last
    listed = ok(api.get("/events", params={"type": "user", "intercom_user_id": event.contact_id, "summary": "true"}))
    summaries = {s["name"]: s for s in listed["events"]} if "events" in listed else {}
    assert summaries[event.event_name]["count"] == count
    # Submitting a seeded event again is a repeat, as for events the API stored.
    repeat = api.post("/events", json={"id": event.contact_id, "event_name": event.event_name, "created_at": event.created_at})
    assert repeat.status_code == 202
    with db.transaction(write=False) as session:
        assert session.get(DataEventSummary, (event.contact_id, event.event_name)).count == count


def test_conversations_list_search_and_reply(api, seeded, workspace):
    conversations, _ = _all_pages(api, "/conversations", "conversations")
    assert len(conversations) == 30
    states = Counter(c["state"] for c in conversations)
    closed = ok(api.post("/conversations/search", json={"query": {"field": "state", "operator": "=", "value": "closed"}}))
    assert closed["total_count"] == states["closed"]
    one = ok(api.get(f"/conversations/{conversations[0]['id']}"))
    parts = one["conversation_parts"]["conversation_parts"]
    assert one["statistics"]["count_conversation_parts"] == len(parts) == one["conversation_parts"]["total_count"]
    reply = {"message_type": "comment", "type": "admin", "admin_id": workspace.owner_id, "body": "Following up"}
    after = ok(api.post(f"/conversations/{one['id']}/reply", json=reply))
    assert len(after["conversation_parts"]["conversation_parts"]) == len(parts) + 1


def _plain(body: str | None) -> str | None:
    return html.unescape(re.sub(r"</?p>", "", body)) if body else None


def _replay(api, workspace, seeded_conversation: dict) -> dict:
    """The same conversation made again through the API, at the same moments (frozen clock)."""
    source = seeded_conversation["source"]
    author = source["author"]
    created = seeded_conversation["created_at"]
    message = ok(api.post("/conversations", json={"from": {"type": author["type"], "id": author["id"]},
                                                  "body": _plain(source["body"]), "created_at": created}))
    cid = message["conversation_id"]
    try:
        for part in seeded_conversation["conversation_parts"]["conversation_parts"]:
            clock.freeze(part["created_at"])
            who, kind = part["author"], part["part_type"]
            if who["type"] in ("user", "lead"):
                ok(api.post(f"/conversations/{cid}/reply", json={
                    "message_type": "comment", "type": "user", "intercom_user_id": who["id"], "body": _plain(part["body"])}))
            elif kind in ("comment", "note"):
                ok(api.post(f"/conversations/{cid}/reply", json={
                    "message_type": kind, "type": "admin", "admin_id": who["id"], "body": _plain(part["body"])}))
            else:
                body = {"message_type": kind, "type": "admin", "admin_id": who["id"]}
                if kind == "assignment":
                    body["assignee_id"] = part["assigned_to"]["id"]
                if kind == "snoozed":
                    body["snoozed_until"] = seeded_conversation["snoozed_until"]
                if part["body"]:
                    body["body"] = _plain(part["body"])
                ok(api.post(f"/conversations/{cid}/parts", json=body))
        for tag in seeded_conversation["tags"]["tags"]:
            clock.freeze(tag["applied_at"])
            ok(api.post(f"/conversations/{cid}/tags", json={"id": tag["id"], "admin_id": tag["applied_by"]["id"]}))
    finally:
        clock.reset()
    return ok(api.get(f"/conversations/{cid}"))


def _without_ids(conversation: dict) -> dict:
    copy = {**conversation, "id": None, "priority": None, "source": {**conversation["source"], "id": None}}
    parts = copy["conversation_parts"]
    copy["conversation_parts"] = {**parts, "conversation_parts": [{**p, "id": None} for p in parts["conversation_parts"]]}
    return copy


def test_seeded_conversations_equal_their_replay_through_the_api(api, db, workspace):
    """Every seeded conversation, rebuilt with the API's own endpoints at the same moments, reads
    the same: parts, state, statistics, waiting_since, read, assignees, tags."""
    # Seed 2 gives these 25 conversations every kind of part, reopenings included (the contents
    # depend on the seed only, not on the workspace).
    seed_workspace(db, workspace.id, seed=2, contacts=20, conversations=25)
    conversations, _ = _all_pages(api, "/conversations", "conversations")
    seen = Counter()
    for listed in conversations:
        original = ok(api.get(f"/conversations/{listed['id']}"))
        seen.update(p["part_type"] for p in original["conversation_parts"]["conversation_parts"])
        seen["state " + original["state"]] += 1
        assert _without_ids(_replay(api, workspace, original)) == _without_ids(original), listed["id"]
    assert {"assignment", "comment", "note", "close", "open", "snoozed", "state open", "state closed", "state snoozed"} <= set(seen)


# --- appending, determinism, the CLI -----------------------------------------------------------


def test_seeding_twice_appends_with_fresh_emails(db, workspace, seeded):
    again = seed_workspace(db, workspace.id, seed=3, contacts=25, companies=2)
    assert again.rows["contacts"] == 25
    with db.transaction(write=False) as session:
        rows = session.execute(select(Contact.email, Contact.external_id).where(Contact.workspace_id == workspace.id)).all()
        company_ids = session.scalars(select(Company.company_id).where(Company.workspace_id == workspace.id)).all()
    emails = [e for e, _ in rows if e]
    external = sorted(x for _, x in rows if x)
    assert len(rows) == 85 and len(emails) == len(set(emails)) and len(external) == len(set(external))
    assert len(company_ids) == 10 and len(set(company_ids)) == 10
    assert external[-1] > "usr_000000060"


def test_the_data_follows_the_workspace_clock(db, workspace):
    from opencom.workspaces.models import Workspace

    with db.transaction() as session:
        session.get(Workspace, workspace.id).clock_frozen_at = ANCHOR + 5000.0
    seed_workspace(db, workspace.id, contacts=20)
    with db.transaction(write=False) as session:
        first, last = session.execute(
            select(func.min(Contact.created_at), func.max(Contact.updated_at)).where(Contact.workspace_id == workspace.id)
        ).one()
    assert ANCHOR - 3 * 365 * DAY <= first and last <= ANCHOR


def test_refusals(db, workspace):
    with pytest.raises(SeedError):
        seed_workspace(db, workspace.id, conversations=5)
    with pytest.raises(SeedError):
        seed_workspace(db, workspace.id, contacts=-1)
    with pytest.raises(SeedError):
        seed_workspace(db, 10**9, contacts=1)


@pytest.fixture
def fresh_database(tmp_path):
    """Fresh, migrated databases of the run's backend, with their default workspace."""
    made = []

    def make(name: str) -> tuple[Database, str]:
        if selected_backend() == "postgres":
            context = postgres_database(postgres_admin_url())
            url = context.__enter__()
            made.append(context)
        else:
            url = f"sqlite:///{tmp_path / name}.db"
        db = Database(url)
        made.append(db)
        prepare_database(db, Settings(database_url=url))
        return db, url

    yield make
    for item in reversed(made):
        item.dispose() if isinstance(item, Database) else item.__exit__(None, None, None)


def _dump(db: Database) -> dict[str, list]:
    """Every seeded row, ordered (the databases hold nothing else but their default workspace)."""
    tables = {name: "*" for name in TABLE_ORDER}
    tables.update({"admins": "id, name, email", "tags": "id, name", "data_attributes": "id, name, model, data_type"})
    dumped = {}
    with db.transaction(write=False) as session:
        for table, columns in tables.items():
            rows = session.execute(text(f"SELECT {columns} FROM {table}")).all()
            dumped[table] = sorted((tuple(map(repr, row)) for row in rows))
    return dumped


def _indexes(db: Database) -> list:
    with db.transaction(write=False) as session:
        if db.is_sqlite:
            return sorted(session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")).all())
        return sorted(session.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")).all())


def test_same_seed_same_rows_whatever_the_batch_size_or_mode(fresh_database):
    (one, _), (two, _), (three, _) = fresh_database("one"), fresh_database("two"), fresh_database("three")
    seed_workspace(one, 1, contacts=1)  # defines the attributes, and so their expression indexes
    seed_workspace(two, 1, contacts=1)
    before = _indexes(one)
    # Bulk mode drops the non-unique indexes and makes them again: the same indexes afterwards.
    seed_workspace(one, 1, seed=11, anchor=ANCHOR, batch_size=7, bulk=True, **COUNTS)
    assert _indexes(one) == before and any("json" in name for name, _ in before)
    seed_workspace(two, 1, seed=11, anchor=ANCHOR, batch_size=1000, bulk=False, **COUNTS)
    seed_workspace(three, 1, seed=12, anchor=ANCHOR, **COUNTS)
    first, second = _dump(one), _dump(two)
    assert first == second and len(first["contacts"]) == 61
    assert _dump(three)["contacts"] != first["contacts"]


def test_a_failed_bulk_seed_leaves_nothing_behind(fresh_database, monkeypatch):
    from opencom.seeding import generate

    db, _ = fresh_database("failed")
    seed_workspace(db, 1, contacts=1)
    before, rows = _indexes(db), _dump(db)

    def broken(self, *args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(generate.Generator, "contacts", broken)
    with pytest.raises(RuntimeError):
        seed_workspace(db, 1, contacts=50, companies=5, bulk=True)
    assert _indexes(db) == before and _dump(db) == rows


def test_cli(fresh_database, monkeypatch):
    from opencom.cli import app
    from opencom.core.settings import get_settings

    _, url = fresh_database("cli")
    monkeypatch.setenv("OPENCOM_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(app, ["seed", "--contacts", "30", "--companies", "3", "--conversations", "10",
                                     "--seed", "5", "--batch-size", "8"])
        assert result.exit_code == 0, result.output
        summary = " ".join(result.output.split())
        assert "30 contacts" in summary and "10 conversations" in summary and "peak RSS" in summary
        quiet = runner.invoke(app, ["seed", "--workspace", "1", "--contacts", "5", "--quiet"])
        assert quiet.exit_code == 0 and quiet.output == ""
        refused = runner.invoke(app, ["seed", "--conversations", "3"])
        assert refused.exit_code == 1 and "--contacts" in refused.output
        missing = runner.invoke(app, ["seed", "--workspace", "999", "--contacts", "1"])
        assert missing.exit_code == 1
    finally:
        get_settings.cache_clear()
    db = Database(url)
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 35
    db.dispose()
