"""Per-workspace clocks (POST/GET /_opencom/clock with a workspace_id), over HTTP.

Each workspace may freeze or shift its own clock on top of the process clock; the state is
stored on the workspace, so it holds across server processes and restarts, and a reset of the
workspace puts it back to following the process clock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from opencom.app import create_app
from opencom.core import ids, jobs
from opencom.core.clock import clock
from opencom.core.settings import Settings
from tests import support
from tests.support import make_client, running_server

PAST = 1_600_000_000  # 2020-09-13: far from real time, so a test can't pass by accident
FUTURE = 2_000_000_000  # 2033-05-18


@pytest.fixture(autouse=True)
def real_time_and_ids():
    """The process clock and the id source are process-wide: give them back as they were."""
    yield
    clock.reset()
    ids.seed(None)


@pytest.fixture
def other(server, control, validator) -> Iterator[tuple[int, httpx.Client]]:
    """A second workspace on the same server, and a client for it."""
    created = ok(control.post("/_opencom/workspaces", json={"name": "Other worker"}))
    with make_client(server, created["token"], validator) as client:
        yield created["id"], client
    control.delete(f"/_opencom/workspaces/{created['id']}")


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def set_clock(control, workspace_id, **change):
    return ok(control.post("/_opencom/clock", json={"workspace_id": workspace_id, **change}))


def new_contact(client, email):
    return ok(client.post("/contacts", json={"email": email}))


# -- one server, two workspaces --------------------------------------------------------------


def test_each_workspace_keeps_its_own_time(api, workspace, other, control):
    other_id, other_api = other
    state = set_clock(control, workspace.id, freeze=True, at=PAST)
    assert state == {"workspace_id": workspace.id, "now": PAST, "time": PAST, "frozen": True, "follows_process_clock": False}
    assert new_contact(api, "a@example.com")["created_at"] == PAST
    assert abs(new_contact(other_api, "b@example.com")["created_at"] - time.time()) < 5  # untouched

    set_clock(control, other_id, freeze=True, at=FUTURE)
    set_clock(control, workspace.id, advance=60)
    assert new_contact(api, "c@example.com")["created_at"] == PAST + 60
    assert new_contact(other_api, "d@example.com")["created_at"] == FUTURE
    assert ok(control.get("/_opencom/clock", params={"workspace_id": other_id}))["now"] == FUTURE
    # The process clock (no workspace_id) was never touched.
    process = ok(control.get("/_opencom/clock"))
    assert process["frozen"] is False and abs(process["now"] - time.time()) < 5
    # 24-hex ids embed their workspace's time too.
    assert new_contact(api, "e@example.com")["id"][:8] == f"{PAST + 60:08x}"


def test_a_snoozed_conversation_wakes_only_where_time_passed(api, workspace, other, control):
    other_id, other_api = other
    for client, wid in ((api, workspace.id), (other_api, other_id)):
        set_clock(control, wid, freeze=True, at=PAST)
    snoozed = {}
    for client in (api, other_api):
        me = ok(client.get("/me"))
        person = new_contact(client, "snoozer@example.com")
        message = ok(client.post("/conversations", json={"from": {"type": "user", "id": person["id"]}, "body": "Hello"}))
        cid = message["conversation_id"]
        body = {"message_type": "snoozed", "admin_id": me["id"], "snoozed_until": PAST + 3600}
        assert ok(client.post(f"/conversations/{cid}/parts", json=body))["state"] == "snoozed"
        snoozed[id(client)] = cid

    set_clock(control, workspace.id, advance=3601)
    woke = ok(api.get(f"/conversations/{snoozed[id(api)]}"))
    assert woke["state"] == "open" and woke["snoozed_until"] is None
    still = ok(other_api.get(f"/conversations/{snoozed[id(other_api)]}"))
    assert still["state"] == "snoozed" and still["snoozed_until"] == PAST + 3600
    found = ok(other_api.post("/conversations/search", json={"query": {"field": "state", "operator": "=", "value": "snoozed"}}))
    assert [c["id"] for c in found["conversations"]] == [snoozed[id(other_api)]]


def test_one_connection_switching_workspaces_never_leaks_a_clock(server, workspace, other, control, validator):
    # The clock is a context variable of the request: a keep-alive connection that carries a
    # frozen workspace's request and then another's must not hand the first clock on.
    other_id, _ = other
    other_token = ok(control.post(f"/_opencom/workspaces/{other_id}/tokens", json={}))["token"]
    set_clock(control, workspace.id, freeze=True, at=PAST)
    with make_client(server, None, validator) as client:
        for n in range(3):
            mine = client.post("/contacts", json={"email": f"m{n}@example.com"}, headers={"Authorization": f"Bearer {workspace.token}"})
            theirs = client.post("/contacts", json={"email": f"t{n}@example.com"}, headers={"Authorization": f"Bearer {other_token}"})
            assert ok(mine)["created_at"] == PAST
            assert abs(ok(theirs)["created_at"] - time.time()) < 5


def test_a_workspace_clock_is_layered_on_the_process_clock(api, workspace, control):
    clock.freeze(PAST)
    assert new_contact(api, "follows@example.com")["created_at"] == PAST  # no clock of its own
    state = set_clock(control, workspace.id, advance=100)  # the process clock, moved
    assert state["now"] == PAST + 100 and state["frozen"] is True and state["follows_process_clock"] is False
    clock.advance(10)
    assert new_contact(api, "shifted@example.com")["created_at"] == PAST + 110
    set_clock(control, workspace.id, freeze=True)  # stops where it stands, whatever the process does
    clock.advance(1000)
    assert new_contact(api, "own@example.com")["created_at"] == PAST + 110
    set_clock(control, workspace.id, freeze=False)  # runs on from there (on a frozen base: still)
    assert ok(control.get("/_opencom/clock", params={"workspace_id": workspace.id}))["now"] == PAST + 110
    back = set_clock(control, workspace.id, reset=True)
    assert back["follows_process_clock"] is True and back["now"] == PAST + 1010


def test_set_jumps_and_a_running_clock_keeps_running(api, workspace, control):
    state = set_clock(control, workspace.id, at=FUTURE)
    assert state["frozen"] is False and FUTURE <= state["now"] <= FUTURE + 1
    time.sleep(1.1)
    assert FUTURE + 1 <= new_contact(api, "running@example.com")["created_at"] <= FUTURE + 3


def test_the_workspace_id_may_be_in_the_query(api, workspace, control):
    response = control.post("/_opencom/clock", params={"workspace_id": workspace.id}, json={"freeze": True, "at": PAST})
    assert ok(response)["workspace_id"] == workspace.id
    assert new_contact(api, "query@example.com")["created_at"] == PAST
    assert ok(control.get("/_opencom/clock"))["frozen"] is False


def test_clock_errors_for_a_workspace(control):
    missing = control.post("/_opencom/clock", json={"workspace_id": 999999, "freeze": True})
    assert ok(missing, 404)["errors"][0]["code"] == "not_found"
    assert ok(control.get("/_opencom/clock", params={"workspace_id": 999999}), 404)["errors"][0]["code"] == "not_found"
    for bad in (True, "abc", 0):
        error = ok(control.post("/_opencom/clock", json={"workspace_id": bad, "freeze": True}), 400)["errors"][0]
        assert error["code"] == "parameter_invalid" and error["field"] == "workspace_id"
    assert ok(control.get("/_opencom/clock", params={"workspace_id": "x"}), 400)["errors"][0]["code"] == "parameter_invalid"


# -- reset -----------------------------------------------------------------------------------


def test_a_workspace_reset_resets_its_clock_only(api, workspace, other, control):
    other_id, other_api = other
    set_clock(control, workspace.id, freeze=True, at=PAST)
    set_clock(control, other_id, freeze=True, at=FUTURE)
    ok(control.post("/_opencom/reset", json={"workspace_id": workspace.id}))
    state = ok(control.get("/_opencom/clock", params={"workspace_id": workspace.id}))
    assert state["follows_process_clock"] is True and abs(state["now"] - time.time()) < 5
    assert abs(new_contact(api, "after@example.com")["created_at"] - time.time()) < 5
    assert new_contact(other_api, "kept@example.com")["created_at"] == FUTURE


def test_a_full_reset_resets_every_clock():
    with fresh_server() as (base, _url), make_client(base, None) as control:
        created = ok(control.post("/_opencom/workspaces", json={"name": "W"}))
        set_clock(control, created["id"], freeze=True, at=PAST)
        ok(control.post("/_opencom/clock", json={"freeze": True, "at": FUTURE}))
        ok(control.post("/_opencom/reset"))
        assert ok(control.get("/_opencom/clock", params={"workspace_id": created["id"]}))["follows_process_clock"] is True
        process = ok(control.get("/_opencom/clock"))
        assert process["frozen"] is False and abs(process["now"] - time.time()) < 5


def test_snapshots_carry_no_clock(api, workspace, control):
    set_clock(control, workspace.id, freeze=True, at=PAST)
    document = ok(control.get("/_opencom/snapshot", params={"workspace_id": workspace.id}))
    assert not any(name.startswith("clock") for name in document["workspace"])
    ok(control.post("/_opencom/snapshot", params={"workspace_id": workspace.id}, json=document))
    assert ok(control.get("/_opencom/clock", params={"workspace_id": workspace.id}))["now"] == PAST


# -- background jobs and rate limits ---------------------------------------------------------


def test_a_background_job_runs_on_its_workspace_clock(workspace, other, control, db):
    other_id, _ = other
    seen: dict[int, int] = {}
    done = threading.Event()

    def probe(session, job):
        seen[job.workspace_id] = clock.now()
        if len(seen) == 2:
            done.set()

    set_clock(control, workspace.id, freeze=True, at=FUTURE)  # a future clock must not stall the queue
    set_clock(control, other_id, freeze=True, at=PAST)
    jobs.register("test_clock_probe", probe)
    try:
        with db.transaction() as session:
            for wid in (workspace.id, other_id):
                jobs.enqueue(session, wid, "test_clock_probe", {})
        worker = jobs.Worker(db)
        deadline = time.monotonic() + 15
        while not done.is_set() and time.monotonic() < deadline:
            if not worker.run_once():  # the session server's worker may take them first: both are fine
                done.wait(0.1)
    finally:
        jobs.unregister("test_clock_probe")
    assert seen == {workspace.id: FUTURE, other_id: PAST}


def test_rate_limit_windows_follow_the_workspace_clock():
    with fresh_server(rate_limit=60) as (base, _url), make_client(base, None) as control:  # 10 calls a window
        created = ok(control.post("/_opencom/workspaces", json={"name": "Limited"}))
        window = PAST // 10 * 10
        set_clock(control, created["id"], freeze=True, at=window + 1)
        with make_client(base, created["token"]) as client:
            answers = [client.get("/me") for _ in range(11)]
            assert [r.status_code for r in answers] == [200] * 10 + [429]
            assert answers[0].headers["X-RateLimit-Reset"] == str(window + 10)
            set_clock(control, created["id"], advance=10)  # the next window of this workspace
            again = client.get("/me")
            assert again.status_code == 200 and again.headers["X-RateLimit-Reset"] == str(window + 20)


# -- across processes ------------------------------------------------------------------------


def test_the_clock_is_stored_so_another_server_on_the_database_sees_it():
    with fresh_server() as (base, url), make_client(base, None) as control:
        created = ok(control.post("/_opencom/workspaces", json={"name": "Stored"}))
        set_clock(control, created["id"], freeze=True, at=PAST)
        # A second app with its own engine on the same database: it knows the clock only from there.
        second = create_app(Settings(database_url=url, rate_limit=0, jobs_enabled=False), prepare=False)
        with running_server(second) as base2, make_client(base2, created["token"]) as client:
            assert new_contact(client, "second@example.com")["created_at"] == PAST
            with make_client(base2, None) as control2:
                assert ok(control2.get("/_opencom/clock", params={"workspace_id": created["id"]}))["now"] == PAST


def test_every_worker_process_reads_the_same_workspace_clock():
    with support.fresh_database_url() as url, serve_workers(url, 2) as base, make_client(base, None) as control:
        created = ok(control.post("/_opencom/workspaces", json={"name": "Multi"}))
        set_clock(control, created["id"], freeze=True, at=PAST)
        processes, stamps = set(), set()
        for n in range(24):  # a new connection each time, so the kernel spreads them
            with make_client(base, created["token"], Connection="close") as client:
                made = new_contact(client, f"p{n}@example.com")
            processes.add(made["id"][8:18])  # the 5 bytes a process draws for its 24-hex ids
            stamps.add(made["created_at"])
        assert stamps == {PAST}
        assert len(processes) == 2, "the requests did not reach both worker processes"


# -- helpers ---------------------------------------------------------------------------------

@contextmanager
def fresh_server(**settings) -> Iterator[tuple[str, str]]:
    """A server of its own on an empty database of the run's backend: (base URL, database URL)."""
    with support.fresh_database_url() as url, running_server(create_app(Settings(database_url=url, **{"rate_limit": 0, **settings}))) as base:
        yield base, url


@contextmanager
def serve_workers(url: str, workers: int) -> Iterator[str]:
    """`opencom serve --workers N` in a subprocess."""
    port = support.free_port()
    env = {**os.environ, "OPENCOM_RATE_LIMIT": "0", "OPENCOM_JOBS_ENABLED": "false", "OPENCOM_LOG_LEVEL": "warning"}
    command = [sys.executable, "-m", "opencom.cli", "serve", "--port", str(port), "--database-url", url, "--workers", str(workers)]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait_until_up(base, process, log)
            yield base
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_up(base: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"opencom serve exited: {log.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("opencom serve did not start")
