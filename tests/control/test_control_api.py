"""The /_opencom control plane over HTTP: reset, snapshots, workspaces and tokens, clock, seeded ids.

Control calls go through a client without the spec validator (they are not Intercom operations);
Intercom calls made to check their effects keep it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import orjson
import pytest

from opencom.admins.service import create_admin
from opencom.app import create_app
from opencom.companies.models import Company
from opencom.contacts.models import Contact, ContactTag
from opencom.control.tables import unclassified
from opencom.core import ids
from opencom.core.clock import clock
from opencom.core.ids import hex_id
from opencom.tags.models import Tag
from opencom.teams.service import add_member, create_team
from tests import support
from tests.people import make_contact
from tests.support import make_client, running_server


@pytest.fixture(autouse=True)
def real_time_and_ids():
    """The clock and the id source are process-wide: give them back as they were."""
    yield
    clock.reset()
    ids.seed(None)


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def error(response, status, code, field=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == "error.list"
    item = body["errors"][0]
    assert item["code"] == code, body
    if field is not None:
        assert item.get("field") == field, body
    return item


@contextmanager
def fresh_server(**settings) -> Iterator[str]:
    """A server of its own on an empty database of the run's backend."""
    from opencom.core.settings import Settings

    database = support.fresh_database_url()
    with database as url, running_server(create_app(Settings(database_url=url, rate_limit=0, **settings))) as base:
        yield base


def test_every_table_is_classified():
    # A new table must be scoped to a workspace (workspace_id or a foreign key) or named in
    # control/tables.py; otherwise reset and snapshots would silently skip it.
    assert unclassified() == []


# -- reset -----------------------------------------------------------------------------------


def test_reset_empties_the_workspace_keeps_its_token_and_restores_defaults(api, control, db, workspace):
    defaults = {path: ok(api.get(path)) for path in ("/segments", "/subscription_types", "/data_attributes")}
    with db.transaction() as session:
        kim = create_admin(session, workspace.id, name="Kim", email="kim@example.com")
        team = create_team(session, workspace.id, name="Sales")
        add_member(session, workspace.id, team.id, kim.id)
    contact = make_contact(db, workspace.id, email="ann@example.com")
    tag = ok(api.post("/tags", json={"name": "VIP"}))
    ok(api.post(f"/contacts/{contact}/tags", json={"id": tag["id"]}))
    ok(api.post("/companies", json={"company_id": "acme", "name": "Acme"}))
    ok(api.post(f"/contacts/{contact}/notes", json={"body": "hi"}))
    other = ok(control.post("/_opencom/workspaces", json={"name": "Bystander"}))
    with make_client(control.base_url, other["token"]) as bystander:
        kept = ok(bystander.post("/contacts", json={"email": "stays@example.com"}))

        assert ok(control.post("/_opencom/reset", json={"workspace_id": workspace.id})) == {"reset": [workspace.id]}

        assert ok(api.get("/contacts"))["total_count"] == 0
        assert ok(api.get("/companies"))["total_count"] == 0
        assert ok(api.get("/tags"))["data"] == []
        admins = ok(api.get("/admins"))["admins"]
        assert [a["name"] for a in admins] == ["Workspace Owner"] and admins[0]["id"] != str(workspace.owner_id)
        assert ok(api.get("/me"))["id"] == admins[0]["id"]  # the same token acts as the new owner
        teams = ok(api.get("/teams"))["teams"]
        assert [(t["name"], t["admin_ids"]) for t in teams] == [("Support", [int(admins[0]["id"])])]
        for path, before in defaults.items():
            assert _without_ids(ok(api.get(path))) == _without_ids(before)
        assert ok(bystander.get(f"/contacts/{kept['id']}"))["email"] == "stays@example.com"


def _without_ids(value):
    """The value with ids and times left out, lists in a fixed order (hex ids order them)."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in ("id", "created_at", "updated_at")}
    if isinstance(value, list):
        return sorted((_without_ids(v) for v in value), key=lambda v: orjson.dumps(v, option=orjson.OPT_SORT_KEYS))
    return value


def test_reset_keeps_the_owner_name_and_every_token(api, control, db, workspace):
    second = ok(control.post(f"/_opencom/workspaces/{workspace.id}/tokens", json={"name": "ci"}))["token"]
    ok(control.post("/_opencom/reset", json={"workspace_id": str(workspace.id)}))
    with make_client(control.base_url, second) as other:
        assert ok(other.get("/me"))["id"] == ok(api.get("/me"))["id"]


def test_reset_empties_a_workspace_of_a_few_hundred_objects_again_and_again(api, control, db, workspace):
    # How fast a reset is gets measured by `make bench` (benchmarks/), not asserted here.
    for _ in range(3):
        _fill(db, workspace.id, contacts=300, companies=50, tags=20)
        assert ok(api.get("/contacts"))["total_count"] == 300
        ok(control.post("/_opencom/reset", json={"workspace_id": workspace.id}))
        assert ok(api.get("/contacts"))["total_count"] == 0
        assert ok(api.get("/companies"))["total_count"] == 0


def _fill(db, workspace_id: int, *, contacts: int, companies: int, tags: int) -> None:
    stamp = clock.now()
    with db.transaction() as session:
        tag_rows = [Tag(workspace_id=workspace_id, name=f"t{i}", name_key=f"t{i}", created_at=stamp) for i in range(tags)]
        session.add_all(tag_rows)
        session.add_all(
            Company(id=hex_id(), workspace_id=workspace_id, company_id=f"c{i}", name=f"C{i}", created_at=stamp,
                    updated_at=stamp, custom_attributes={}, user_count=0, session_count=0)
            for i in range(companies)
        )
        people = [Contact(id=hex_id(), workspace_id=workspace_id, role="user", email=f"p{i}@example.com",
                          created_at=stamp, updated_at=stamp, custom_attributes={}) for i in range(contacts)]
        session.add_all(people)
        session.flush()
        session.add_all(ContactTag(contact_id=p.id, tag_id=tag_rows[i % tags].id, applied_at=stamp) for i, p in enumerate(people))


def test_reset_errors(control):
    error(control.post("/_opencom/reset", json={"workspace_id": 99999999}), 404, "not_found")
    error(control.post("/_opencom/reset", json={"workspace_id": "abc"}), 400, "parameter_invalid", "workspace_id")
    error(control.post("/_opencom/reset", json={"workspace_id": True}), 400, "parameter_invalid", "workspace_id")
    error(control.post("/_opencom/reset", json={"workspace": 1}), 400, "parameter_invalid", "workspace")
    error(control.post("/_opencom/reset", json=[1]), 400, "bad_request")


# -- snapshots -------------------------------------------------------------------------------


def _populate(api, db, workspace) -> dict:
    """A workspace with a bit of everything, made through the API where it can be."""
    with db.transaction() as session:
        kim = create_admin(session, workspace.id, name="Kim", email="kim@example.com")
        team = create_team(session, workspace.id, name="Sales")
        add_member(session, workspace.id, team.id, kim.id, priority="secondary")
    contact = ok(api.post("/contacts", json={"email": "ann@example.com", "name": "Ann", "external_id": "u1"}))
    company = ok(api.post("/companies", json={"company_id": "acme", "name": "Acme", "monthly_spend": 10}))
    ok(api.post(f"/contacts/{contact['id']}/companies", json={"id": company["id"]}))
    tag = ok(api.post("/tags", json={"name": "VIP"}))
    ok(api.post(f"/contacts/{contact['id']}/tags", json={"id": tag["id"]}))
    note = ok(api.post(f"/contacts/{contact['id']}/notes", json={"body": "Met at the fair", "admin_id": kim.id}))
    event = {"event_name": "signed-in", "created_at": clock.now() - 50, "id": contact["id"], "metadata": {"b": 1, "a": "x", "c": None}}
    assert api.post("/events", json=event).status_code == 202
    return {"contact": contact["id"], "company": company["id"], "tag": tag["id"], "note": note["id"], "kim": kim.id}


def _export(control, workspace_id) -> bytes:
    response = control.get("/_opencom/snapshot", params={"workspace_id": workspace_id})
    assert response.status_code == 200, response.text
    return response.content


def _import(control, workspace_id, document, status=200):
    content = document if isinstance(document, bytes) else orjson.dumps(document)
    response = control.post("/_opencom/snapshot", params={"workspace_id": workspace_id}, content=content,
                            headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    return response.json()


def test_snapshot_round_trips_byte_for_byte_and_restores_state(api, control, db, workspace):
    made = _populate(api, db, workspace)
    contact_before = ok(api.get(f"/contacts/{made['contact']}"))
    saved = _export(control, workspace.id)
    document = orjson.loads(saved)
    assert document["opencom_snapshot"] == 1 and list(document) == ["opencom_snapshot", "workspace", "tables"]
    assert [row["id"] for row in document["tables"]["contacts"]] == [made["contact"]]

    # Change everything, then load the snapshot back.
    ok(api.post("/contacts", json={"email": "later@example.com"}))
    ok(api.delete(f"/contacts/{made['contact']}"))
    assert api.delete(f"/tags/{made['tag']}").status_code == 200
    imported = _import(control, workspace.id, saved)
    assert imported["tables"]["contacts"] == 1 and imported["tables"]["notes"] == 1

    assert _export(control, workspace.id) == saved
    assert ok(api.get(f"/contacts/{made['contact']}")) == contact_before  # ids, timestamps, relations
    assert [t["id"] for t in ok(api.get(f"/contacts/{made['contact']}/tags"))["data"]] == [made["tag"]]
    assert [c["id"] for c in ok(api.get(f"/contacts/{made['contact']}/companies"))["data"]] == [made["company"]]
    assert ok(api.get(f"/notes/{made['note']}"))["author"]["id"] == str(made["kim"])
    assert ok(api.get("/contacts"))["total_count"] == 1
    assert ok(api.get("/me"))["id"] == str(workspace.owner_id)  # the token still acts as its admin


def test_snapshot_loads_into_another_workspace_once_its_ids_are_free(api, control, db, workspace):
    made = _populate(api, db, workspace)
    saved = _export(control, workspace.id)
    target = ok(control.post("/_opencom/workspaces", json={"name": "Copy"}))
    # Ids are global: while the source still holds them, the copy is refused and nothing changes.
    item = error(control.post("/_opencom/snapshot", params={"workspace_id": target["id"]}, content=saved,
                              headers={"Content-Type": "application/json"}), 409, "conflict")
    assert "another workspace" in item["message"]
    with make_client(control.base_url, target["token"]) as copy:
        assert ok(copy.get("/segments"))["segments"]  # the target's defaults are untouched
        ok(control.post("/_opencom/reset", json={"workspace_id": workspace.id}))
        _import(control, target["id"], saved)
        assert ok(copy.get(f"/contacts/{made['contact']}"))["email"] == "ann@example.com"
        assert ok(copy.get("/me"))["email"] == "owner@example.com"
    assert orjson.loads(_export(control, target["id"]))["tables"] == orjson.loads(saved)["tables"]


def test_snapshot_import_moves_id_sequences_past_imported_ids(api, control, workspace):
    document = orjson.loads(_export(control, workspace.id))
    document["tables"]["tags"] = [{"id": 10**9, "name": "Imported", "name_key": "imported", "created_at": 1700000000, "created_by_id": None}]
    _import(control, workspace.id, document)
    assert ok(api.get(f"/tags/{10**9}"))["name"] == "Imported"
    assert int(ok(api.post("/tags", json={"name": "New"}))["id"]) > 10**9


def test_snapshot_rejects_bad_documents_and_changes_nothing(api, control, db, workspace):
    made = _populate(api, db, workspace)
    good = orjson.loads(_export(control, workspace.id))

    def broken(change) -> dict:
        document = orjson.loads(orjson.dumps(good))
        change(document)
        return document

    other = ok(control.post("/_opencom/workspaces", json={"name": "Elsewhere"}))
    with make_client(control.base_url, other["token"]) as elsewhere:
        foreign_tag = ok(elsewhere.post("/tags", json={"name": "Theirs"}))["id"]
        foreign_contact = ok(elsewhere.post("/contacts", json={"email": "theirs@example.com"}))["id"]
    cases = [
        (b"[1]", "bad_request", None),
        (b"{nope", "bad_request", None),
        ({"tables": {}}, "parameter_not_found", "opencom_snapshot"),
        (broken(lambda d: d.update(opencom_snapshot=2)), "parameter_invalid", "opencom_snapshot"),
        (broken(lambda d: d.pop("tables")), "parameter_not_found", "tables"),
        (broken(lambda d: d["tables"].update(api_tokens=[])), "parameter_invalid", "tables.api_tokens"),
        (broken(lambda d: d["tables"].update(contacts={})), "parameter_invalid", "tables.contacts"),
        (broken(lambda d: d["tables"]["contacts"][0].update(created_at="yesterday")), "parameter_invalid", "tables.contacts[0].created_at"),
        (broken(lambda d: d["tables"]["contacts"][0].update(archived=1)), "parameter_invalid", "tables.contacts[0].archived"),
        (broken(lambda d: d["tables"]["contacts"][0].update(role=None)), "parameter_invalid", "tables.contacts[0].role"),
        (broken(lambda d: d["tables"]["contacts"][0].update(shoe_size=42)), "parameter_invalid", "tables.contacts[0].shoe_size"),
        (broken(lambda d: d["tables"]["contacts"][0].pop("id")), "parameter_not_found", "tables.contacts[0].id"),
        (broken(lambda d: d["tables"]["tags"][0].update(name="x" * 300)), "parameter_invalid", "tables.tags[0].name"),
        (broken(lambda d: d["workspace"].update(name=5)), "parameter_invalid", "workspace.name"),
        (broken(lambda d: d["tables"]["contacts"].append(dict(d["tables"]["contacts"][0]))), "parameter_invalid", "tables.contacts"),
        (broken(lambda d: d["tables"]["contact_tags"][0].update(tag_id=int(foreign_tag))), "parameter_invalid", "tables.contact_tags"),
        (broken(lambda d: d["tables"]["contact_tags"][0].update(tag_id=10**12)), "parameter_invalid", "tables.contact_tags"),
        # A join row hanging off another workspace's contact would write into that workspace.
        (broken(lambda d: d["tables"]["contact_tags"][0].update(contact_id=foreign_contact)), "parameter_invalid", "tables.contact_tags[0].contact_id"),
        (broken(lambda d: d["tables"]["notes"][0].update(contact_id=foreign_contact)), "parameter_invalid", "tables.notes"),
    ]
    for document, code, field in cases:
        content = document if isinstance(document, bytes) else orjson.dumps(document)
        response = control.post("/_opencom/snapshot", params={"workspace_id": workspace.id}, content=content,
                                headers={"Content-Type": "application/json"})
        error(response, 400, code, field)
    error(control.get("/_opencom/snapshot", params={"workspace_id": 99999999}), 404, "not_found")
    error(control.get("/_opencom/snapshot", params={"workspace_id": "x"}), 400, "parameter_invalid", "workspace_id")
    error(control.post("/_opencom/snapshot", params={"workspace_id": 99999999}, json=good), 404, "not_found")
    assert orjson.loads(_export(control, workspace.id)) == good
    assert ok(api.get(f"/contacts/{made['contact']}"))["email"] == "ann@example.com"


def test_snapshot_without_workspace_id_is_the_default_workspace(control, server):
    document = orjson.loads(control.get("/_opencom/snapshot").content)
    assert document["workspace"]["is_default"] is True


# -- workspaces and tokens -------------------------------------------------------------------


def test_workspaces_create_list_token_delete(control, validator):
    created = ok(control.post("/_opencom/workspaces", json={"name": "Per-worker", "timezone": "Europe/Dublin", "owner_name": "Ada"}))
    assert set(created) >= {"id", "id_code", "name", "token"} and created["name"] == "Per-worker"
    listed = ok(control.get("/_opencom/workspaces"))["workspaces"]
    assert [w for w in listed if w["id"] == created["id"]][0]["timezone"] == "Europe/Dublin"
    assert sum(w["is_default"] for w in listed) == 1
    extra = ok(control.post(f"/_opencom/workspaces/{created['id']}/tokens"))["token"]
    for token in (created["token"], extra):
        with make_client(control.base_url, token, validator) as client:
            me = ok(client.get("/me"))
            assert me["name"] == "Ada" and me["app"]["id_code"] == created["id_code"]

    assert ok(control.delete(f"/_opencom/workspaces/{created['id']}")) == {"id": created["id"], "deleted": True}
    assert created["id"] not in [w["id"] for w in ok(control.get("/_opencom/workspaces"))["workspaces"]]
    with make_client(control.base_url, created["token"], validator) as client:
        error(client.get("/me"), 401, "unauthorized")
    error(control.delete(f"/_opencom/workspaces/{created['id']}"), 404, "not_found")
    error(control.post(f"/_opencom/workspaces/{created['id']}/tokens"), 404, "not_found")


def test_workspace_deletion_takes_its_data(control, db):
    created = ok(control.post("/_opencom/workspaces", json={"name": "Doomed"}))
    contact = make_contact(db, created["id"], email="gone@example.com")
    ok(control.delete(f"/_opencom/workspaces/{created['id']}"))
    with db.transaction() as session:
        assert session.get(Contact, contact) is None


def test_workspace_errors(control):
    default = [w for w in ok(control.get("/_opencom/workspaces"))["workspaces"] if w["is_default"]][0]
    error(control.delete(f"/_opencom/workspaces/{default['id']}"), 400, "parameter_invalid", "id")
    error(control.delete("/_opencom/workspaces/abc"), 404, "not_found")
    error(control.post("/_opencom/workspaces", json={}), 400, "parameter_not_found", "name")
    error(control.post("/_opencom/workspaces", json={"name": 5}), 400, "parameter_invalid", "name")
    error(control.post("/_opencom/workspaces", json={"name": "   "}), 400, "parameter_invalid", "name")
    error(control.post("/_opencom/workspaces", json={"name": "x" * 256}), 400, "parameter_invalid", "name")
    error(control.post(f"/_opencom/workspaces/{default['id']}/tokens", json={"name": 1}), 400, "parameter_invalid", "name")


# -- access ----------------------------------------------------------------------------------


def test_with_an_admin_key_only_the_key_opens_the_control_plane(settings, workspace):
    with running_server(create_app(settings.model_copy(update={"admin_key": "s3cret"}))) as base:
        for token in (None, workspace.token, "wrong"):
            with make_client(base, token) as client:
                error(client.get("/_opencom/workspaces"), 401, "unauthorized")
                error(client.post("/_opencom/reset", json={"workspace_id": workspace.id}), 401, "unauthorized")
        with make_client(base, "s3cret") as admin:
            assert ok(admin.get("/_opencom/workspaces"))["workspaces"]
            # The admin key is not an Intercom token.
            error(admin.get("/me"), 401, "unauthorized")


def test_without_an_admin_key_only_loopback_clients_get_in(settings):
    app = create_app(settings, prepare=False)  # no lifespan: the check comes before any database use
    remote = ("203.0.113.7", 40000)
    error(_call_from(app, remote, "GET", "/_opencom/clock"), 403, "forbidden")
    error(_call_from(app, remote, "POST", "/_opencom/reset"), 403, "forbidden")
    assert ok(_call_from(app, ("::ffff:127.0.0.1", 40000), "GET", "/_opencom/clock"))["frozen"] is False
    app.state.db.dispose()


def _call_from(app, client: tuple[str, int], method: str, path: str) -> httpx.Response:
    """One request to `app` as if it came from `client` (the address the ASGI scope carries)."""

    async def call():
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://opencom") as http:
            return await http.request(method, path)

    return asyncio.run(call())


# -- clock -----------------------------------------------------------------------------------


def test_clock_freeze_and_advance_show_in_created_at(api, control):
    state = ok(control.post("/_opencom/clock", json={"freeze": True, "at": 1700000000}))
    assert state == {"now": 1700000000, "time": 1700000000, "frozen": True}
    assert ok(api.post("/contacts", json={"email": "a@example.com"}))["created_at"] == 1700000000
    ok(control.post("/_opencom/clock", json={"advance": 3600}))
    assert ok(api.post("/contacts", json={"email": "b@example.com"}))["created_at"] == 1700003600
    assert ok(control.get("/_opencom/clock"))["now"] == 1700003600

    running = ok(control.post("/_opencom/clock", json={"freeze": False}))
    assert running["frozen"] is False and 1700003600 <= running["now"] < 1700003660  # runs on from there
    assert abs(ok(control.post("/_opencom/clock", json={"reset": True}))["now"] - time.time()) < 5


def test_clock_errors(control):
    error(control.post("/_opencom/clock", json={"freeze": "yes"}), 400, "parameter_invalid", "freeze")
    error(control.post("/_opencom/clock", json={"at": "tomorrow"}), 400, "parameter_invalid", "at")
    error(control.post("/_opencom/clock", json={"at": -1}), 400, "parameter_invalid", "at")
    error(control.post("/_opencom/clock", json={"advnace": 5}), 400, "parameter_invalid", "advnace")
    assert ok(control.get("/_opencom/clock"))["frozen"] is False


# -- seeded ids ------------------------------------------------------------------------------


def _same_calls(base: str) -> list:
    """A fixed sequence of calls; returns every id they produced or saw."""
    with make_client(base, "seeded-token") as client, make_client(base, None) as control:
        ok(control.post("/_opencom/clock", json={"freeze": True, "at": 1700000000}))
        contact = ok(client.post("/contacts", json={"email": "ann@example.com"}))
        company = ok(client.post("/companies", json={"company_id": "acme"}))
        tag = ok(client.post("/tags", json={"name": "VIP"}))
        note = ok(client.post(f"/contacts/{contact['id']}/notes", json={"body": "hi"}))
        visitor_segments = [s["id"] for s in ok(client.get("/segments"))["segments"]]
        me = ok(client.get("/me"))
        return [contact["id"], company["id"], tag["id"], note["id"], visitor_segments, me["id"], me["app"]["id_code"]]


def test_seeded_servers_give_the_same_ids_and_a_full_reset_starts_them_over():
    # 24-hex ids start with the clock's time, so the clock stands still from before the
    # bootstrap (which makes the default segments) too.
    clock.freeze(1700000000)
    with fresh_server(seed="fixture-42", bootstrap_token="seeded-token") as base:
        first = _same_calls(base)
    clock.freeze(1700000000)
    with fresh_server(seed="fixture-42", bootstrap_token="seeded-token") as base, make_client(base, None) as control:
        assert _same_calls(base) == first
        # A run that starts with a full reset gets the same ids every time.
        ok(control.post("/_opencom/reset"))
        after_reset = _same_calls(base)
        ok(control.post("/_opencom/reset"))
        assert _same_calls(base) == after_reset
        # Workspaces outlive resets: a code that comes round again is skipped, not a 500.
        for _ in range(3):
            ok(control.post("/_opencom/reset"))
            ok(control.post("/_opencom/workspaces", json={"name": "Per test"}))
        # A one-workspace reset is reproducible too, from a sequence of its own.
        default = ok(control.get("/_opencom/workspaces"))["workspaces"][0]["id"]
        ok(control.post("/_opencom/reset", json={"workspace_id": default}))
        one = _same_calls(base)
        ok(control.post("/_opencom/reset", json={"workspace_id": default}))
        assert _same_calls(base)[:2] == one[:2] != after_reset[:2]
    with fresh_server(seed="another", bootstrap_token="seeded-token") as base:
        assert _same_calls(base)[0] != first[0]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/_opencom/workspaces", {"name": "a\x00"}, "name"),
        ("POST", "/_opencom/workspaces", {"name": "x", "owner_email": "a\x00@example.com"}, "owner_email"),
        ("POST", "/_opencom/workspaces", {"name": "x", "timezone": "Mars/Olympus_Mons"}, "timezone"),
        ("GET", "/_opencom/requests?path=%00", None, "path"),
        ("GET", "/_opencom/requests?request_id=%00", None, "request_id"),
        ("GET", "/_opencom/outbox?to=%00", None, "to"),
        ("POST", "/_opencom/webhooks", {"url": "http://127.0.0.1:9/\x00", "topics": ["ping"]}, "url"),
    ],
)
def test_text_the_database_cannot_hold_or_use_is_a_400_naming_the_field(control, method, path, body, field):
    # A NUL can't be stored or matched by PostgreSQL, and an unknown zone can't date a search.
    response = control.request(method, path, json=body) if body is not None else control.request(method, path)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0] == {**response.json()["errors"][0], "code": "parameter_invalid", "field": field}
