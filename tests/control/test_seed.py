"""Deterministic runs: with OPENCOM_SEED the same calls give the same bodies, byte for byte.

Two fresh servers on two empty databases, one seed, one fixed sequence of calls (contacts,
companies, tags, conversations, notes, messages, visitors, a data export, a second workspace
with a clock of its own): every response body must be identical, ids and timestamps included.
Nobody freezes the clock here: OPENCOM_SEED does it, at OPENCOM_SEED_EPOCH.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from opencom.app import create_app
from opencom.core import ids
from opencom.core.clock import clock
from opencom.core.db import Database
from opencom.core.settings import Settings
from opencom.visitors.service import create_visitor
from tests import support
from tests.support import make_client, running_server

EPOCH = 1704067200  # the documented default of OPENCOM_SEED_EPOCH: 2024-01-01T00:00:00Z
TOKEN = "seeded-token"


@pytest.fixture(autouse=True)
def real_time_and_ids():
    """The process clock and the id source are process-wide: give them back as they were."""
    yield
    clock.reset()
    ids.seed(None)


@contextmanager
def seeded_server(**settings) -> Iterator[tuple[str, str]]:
    """A server of its own on an empty database: (base URL, database URL)."""
    database = support.fresh_database_url()
    options = {"seed": "deterministic-run", "bootstrap_token": TOKEN, "rate_limit": 0, **settings}
    with database as url, running_server(create_app(Settings(database_url=url, **options))) as base:
        yield base, url


class Recorder:
    """Makes calls and keeps (method, path, status, body bytes) of each."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.api = make_client(base, TOKEN)
        self.control = make_client(base, None)
        self.calls: list[tuple[str, str, int, bytes]] = []

    def __call__(self, method: str, path: str, client=None, **kwargs) -> dict:
        response = (client or self.api).request(method, path, **kwargs)
        assert response.status_code < 300, response.text
        self.calls.append((method, path, response.status_code, self.same_host(response.content)))
        return response.json() if response.content else {}

    def same_host(self, body: bytes) -> bytes:
        # Download URLs name the server, and each server has a port of its own.
        return body.replace(self.base.encode(), b"http://opencom")

    def close(self) -> None:
        self.api.close()
        self.control.close()


def same_calls(base: str, url: str, *, second_workspace: bool = True) -> list[tuple[str, str, int, bytes]]:
    call = Recorder(base)
    try:
        me = call("GET", "/me")
        admin = str(me["id"])
        ann = call("POST", "/contacts", json={"email": "ann@example.com", "name": "Ann"})
        bob = call("POST", "/contacts", json={"role": "lead", "name": "Bob"})
        acme = call("POST", "/companies", json={"company_id": "acme", "name": "Acme"})
        call("POST", f"/contacts/{ann['id']}/companies", json={"id": acme["id"]})
        vip = call("POST", "/tags", json={"name": "VIP"})
        call("POST", f"/contacts/{ann['id']}/tags", json={"id": vip["id"]})
        call("POST", f"/contacts/{bob['id']}/notes", json={"body": "met at the fair", "admin_id": admin})
        message = call("POST", "/conversations", json={"from": {"type": "user", "id": ann["id"]}, "body": "My invoice"})
        cid = message["conversation_id"]
        call("POST", f"/conversations/{cid}/reply", json={"message_type": "comment", "type": "admin", "admin_id": admin, "body": "On it"})
        call("POST", f"/conversations/{cid}/parts", json={"message_type": "snoozed", "admin_id": admin, "snoozed_until": EPOCH + 3600})
        # Time moves only when told: an hour and a bit later the snooze is over.
        call("POST", "/_opencom/clock", client=call.control, json={"advance": 3601})
        call("GET", f"/conversations/{cid}")
        call("POST", "/messages", json={"from": {"type": "admin", "id": admin}, "to": {"type": "user", "id": ann["id"]},
                                        "message_type": "email", "subject": "Hello", "body": "Welcome", "template": "plain"})
        call("POST", "/events", json={"event_name": "signed-in", "created_at": EPOCH + 10, "id": ann["id"]})
        database = Database(url)  # visitors come from the Messenger, not the API
        try:
            with database.transaction() as session:
                user_id = create_visitor(session, 1).user_id
        finally:
            database.dispose()
        call("GET", "/visitors", params={"user_id": user_id})  # its pseudonym is drawn at random
        call("GET", "/contacts")
        call("POST", "/contacts/search", json={"query": {"field": "tag_id", "operator": "=", "value": vip["id"]}})
        call("GET", "/companies")
        export = call("POST", "/export/content/data", json={"created_at_after": EPOCH - 86400, "created_at_before": EPOCH + 86400})
        _wait_for_export(call, export["job_identifier"])
        if second_workspace:
            created = call.control.post("/_opencom/workspaces", json={"name": "Worker 2"}).json()
            token = created.pop("token")  # tokens stay random on purpose: they are credentials
            call.calls.append(("POST", "/_opencom/workspaces", 200, repr(created).encode()))
            call("POST", "/_opencom/clock", client=call.control, json={"workspace_id": created["id"], "freeze": True, "at": EPOCH + 86400})
            with make_client(base, token) as other:
                call("POST", "/contacts", client=other, json={"email": "w2@example.com"})
                call("GET", "/me", client=other)
        return call.calls
    finally:
        call.close()


def _wait_for_export(call: Recorder, job_identifier: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        state = call.api.get(f"/export/content/data/{job_identifier}").json()
        if state["status"] in ("completed", "no_data", "failed", "canceled"):
            call.calls.append(("GET", "/export/content/data/…", 200, call.same_host(repr(state).encode())))
            return
        time.sleep(0.05)
    raise AssertionError("the export did not finish")


def test_two_fresh_seeded_servers_answer_byte_for_byte_the_same():
    with seeded_server() as (base, url):
        first = same_calls(base, url)
    with seeded_server() as (base, url):
        second = same_calls(base, url)
    assert len(first) == len(second) > 20
    for one, other in zip(first, second):
        assert one == other
    # Timestamps are the seed epoch's, not today's; the clock moved only when told to.
    bodies = b"".join(body for _, _, _, body in first)
    assert f'"created_at":{EPOCH}'.encode() in bodies
    assert f'"updated_at":{EPOCH + 3601}'.encode() in bodies


def test_another_seed_gives_other_ids():
    with seeded_server() as (base, url):
        first = same_calls(base, url, second_workspace=False)
    with seeded_server(seed="another-seed") as (base, url):
        other = same_calls(base, url, second_workspace=False)
    assert first[1][3] != other[1][3]  # the first contact's id


def test_a_full_reset_starts_the_same_run_over():
    with seeded_server() as (base, url), make_client(base, None) as control:
        same_calls(base, url, second_workspace=False)
        assert control.post("/_opencom/reset").status_code == 200
        state = control.get("/_opencom/clock").json()
        assert state == {"now": EPOCH, "time": EPOCH, "frozen": True}  # back at the epoch
        after_reset = same_calls(base, url, second_workspace=False)
        assert control.post("/_opencom/reset").status_code == 200
        assert same_calls(base, url, second_workspace=False) == after_reset


def test_the_seed_epoch_can_be_moved_or_turned_off():
    with seeded_server(seed_epoch=1700000000) as (base, _), make_client(base, TOKEN) as api:
        assert api.post("/contacts", json={"email": "e@example.com"}).json()["created_at"] == 1700000000
    clock.reset()  # both servers share this test process's clock; a new process starts in real time
    with seeded_server(seed_epoch="real") as (base, _), make_client(base, None) as control:
        state = control.get("/_opencom/clock").json()
        assert state["frozen"] is False and abs(state["now"] - time.time()) < 5


def test_without_a_seed_the_clock_runs():
    with seeded_server(seed=None) as (base, _), make_client(base, None) as control:
        state = control.get("/_opencom/clock").json()
        assert state["frozen"] is False and abs(state["now"] - time.time()) < 5
