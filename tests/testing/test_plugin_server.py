"""opencom.running() and opencom.connect(): Opencom inside another project's tests, without pytest.

One in-process server (its own temporary SQLite database) serves the module; it shares this
process with the suite's server, so the process-wide id source is put back after each test.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

import opencom
from opencom.core import ids
from opencom.core.clock import clock
from opencom.testing.server import ControlError
from tests import support

ADMIN_KEY = "test-admin-key"


@pytest.fixture(scope="module")
def server():
    with opencom.running(admin_key=ADMIN_KEY) as running:
        yield running


@pytest.fixture(autouse=True)
def real_ids():
    yield
    ids.seed(None)  # running(seed=...) seeds this process's ids and stops its clock
    clock.reset()


@pytest.fixture
def workspace(server):
    made = server.new_workspace("plugin test")
    yield made
    server.delete_workspace(made)
    made.close()


def _opencom_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("opencom-")}


def test_running_serves_a_temporary_database_and_removes_it():
    before = _opencom_threads()  # the suite's own server may run in this process too
    with opencom.running() as server:
        folder = Path(server.database_url.removeprefix("sqlite:///")).parent
        assert (folder / "opencom.db").exists() and server.base_url.startswith("http://127.0.0.1:")
        with server.http() as http:
            assert http.get("/me").status_code == 200
        assert server.workspace_id == next(w["id"] for w in server.workspaces() if w["is_default"])
        base_url = server.base_url
    assert not folder.exists()
    assert not _opencom_threads() - before
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/healthz")


def test_the_control_plane_needs_the_admin_key(server):
    assert httpx.post(f"{server.base_url}/_opencom/reset", json={}).status_code == 401
    token_as_key = opencom.Workspace(server.base_url, server.token, server.workspace_id, admin_key=server.token)
    with pytest.raises(ControlError) as refused:
        token_as_key.reset()
    assert refused.value.status_code == 401
    server.reset()  # the Server carries the key


def test_connect_finds_the_workspace_of_a_token(server, workspace):
    connected = opencom.connect(server.base_url + "/", workspace.token, admin_key=ADMIN_KEY)
    assert (connected.workspace_id, connected.base_url) == (workspace.workspace_id, server.base_url)
    assert connected.external


def test_connect_without_a_token_mints_one_for_the_default_workspace(server):
    connected = opencom.connect(server.base_url, admin_key=ADMIN_KEY)
    assert connected.workspace_id == server.workspace_id and connected.token != server.token
    with connected.http() as http:
        assert http.get("/me").json()["app"]["id_code"] == server.client().admins.identify().app.id_code


def test_workspaces_are_isolated_and_reset_keeps_the_token(server, workspace):
    client = workspace.client()
    client.contacts.create(request={"email": "iso@example.com"})
    assert [c.email for c in server.client().contacts.search(
        query={"field": "email", "operator": "=", "value": "iso@example.com"})] == []
    workspace.reset()
    assert list(client.contacts.list()) == []  # same token, empty workspace


def test_a_snapshot_round_trips_through_a_file(server, workspace, tmp_path):
    workspace.client().contacts.create(request={"email": "snap@example.com", "name": "Snap"})
    saved = workspace.save_snapshot(tmp_path / "state.json")
    workspace.reset()
    assert workspace.load_snapshot(saved)["tables"]["contacts"] == 1
    assert workspace.snapshot_bytes() == saved.read_bytes()
    document = workspace.snapshot()
    workspace.reset()  # ids are unique server-wide: one workspace at a time holds a snapshot's rows
    other = server.new_workspace("copy")
    try:
        other.load_snapshot(document)  # a dict loads too, into any workspace
        assert [c.email for c in other.client().contacts.list()] == ["snap@example.com"]
    finally:
        server.delete_workspace(other)


def test_the_clock_is_the_workspace_s(server, workspace):
    moment = datetime(2031, 5, 1, tzinfo=timezone.utc)
    workspace.clock.freeze(moment)
    assert workspace.clock.now() == int(moment.timestamp())
    workspace.clock.advance(90)
    assert workspace.client().contacts.create(request={"email": "t@example.com"}).created_at == int(moment.timestamp()) + 90
    assert server.clock.now() != workspace.clock.now()  # other workspaces keep real time
    workspace.clock.reset()
    assert abs(workspace.clock.now() - server.clock.now()) <= 2
    with pytest.raises(ValueError):
        workspace.clock.set(datetime(2031, 5, 1))  # naive: which instant?


def test_outbox_and_journal_are_scoped_to_the_workspace(server, workspace):
    client = workspace.client()
    joe = client.contacts.create(request={"email": "joe@example.com"})
    admin = client.admins.identify()
    client.messages.create(request={"message_type": "email", "subject": "Hi", "body": "Hello Joe", "template": "plain",
                                    "from": {"type": "admin", "id": admin.id}, "to": {"type": "user", "id": joe.id}})
    (email,) = workspace.outbox(channel="email")
    assert email["subject"] == "Hi" and email["to"]["email"] == "joe@example.com"
    assert server.outbox() == []
    assert [r["path"] for r in workspace.requests(order="asc")] == ["/contacts", "/me", "/messages"]
    workspace.clear_requests()
    assert workspace.requests() == []


def test_a_seed_makes_ids_reproducible():
    made = []
    for _ in range(2):
        with opencom.running(seed="same") as server:
            made.append(server.client().contacts.create(request={"email": "s@example.com"}).id)
    assert made[0] == made[1]


def test_running_on_a_database_of_the_run_s_backend():
    """A given URL is used as is (and kept): here an empty database of this run's backend."""
    database = support.fresh_database_url()
    with database as url, opencom.running(url, token="given-token") as server:
        assert server.database_url == url and server.token == "given-token"
        contact = server.client().contacts.create(request={"email": "pg@example.com"})
        assert server.snapshot()["tables"]["contacts"][0]["id"] == contact.id
