"""Data Export over HTTP: create, poll, download and parse, cancel, no_data, failures, 404s, restarts.

The session server runs its job worker, so exports there complete on their own. Tests that need
an export to stay pending use `idle`: a server of their own with OPENCOM_JOBS_ENABLED=false on a
fresh database, where the test drives a Worker itself (or starts a second server).
"""

from __future__ import annotations

import csv
import gzip
import io
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from opencom.app import create_app
from opencom.core import jobs
from opencom.core.clock import clock
from opencom.core.db import Database
from opencom.core.settings import Settings
from opencom.data_export import service
from opencom.data_export.models import DataExport
from opencom.data_export.service import CSV_COLUMNS, DOWNLOAD_LIFETIME
from opencom.testing.spec import load_official_spec
from tests import support

DAY = 24 * 3600
IDLE_TOKEN = "data-export-idle-token"


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def error(response, status, code, field=None):
    body = ok(response, status)
    assert body["type"] == "error.list"
    item = body["errors"][0]
    assert item["code"] == code, body
    if field is not None:
        assert item.get("field") == field, body
    return item


def contact(api, **fields):
    fields.setdefault("role", "user")
    return ok(api.post("/contacts", json=fields))


def owner_id(api) -> str:
    return str(ok(api.get("/me"))["id"])


def send(api, admin_id, to_id, **body):
    payload = {"from": {"type": "admin", "id": admin_id}, "to": {"type": "user", "id": to_id}, "message_type": "inapp", "body": "hey"}
    payload.update(body)
    return ok(api.post("/messages", json=payload))


def around_now() -> dict:
    now = clock.now()
    return {"created_at_after": now - 60, "created_at_before": now + 60}


def create(api, **window):
    return ok(api.post("/export/content/data", json=window or around_now()))


def wait_for(api, job_identifier, statuses=("completed", "no_data", "failed", "canceled"), timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        export = ok(api.get(f"/export/content/data/{job_identifier}"))
        if export["status"] in statuses or time.monotonic() > deadline:
            return export
        time.sleep(0.05)


def download(base_url, token, job_identifier):
    # No response validation: the body is a gzipped CSV, not JSON.
    with support.make_client(base_url, token, None, Accept="application/octet-stream") as client:
        return client.get(f"/download/content/data/{job_identifier}")


def parse(response) -> list[dict]:
    assert response.headers["content-type"] == "application/octet-stream"
    text = gzip.decompress(response.content).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames) == CSV_COLUMNS
    return list(reader)


# -- with the session server's worker ----------------------------------------------------------


def test_export_completes_and_the_csv_describes_each_outbound_message(api, server, workspace):
    admin = owner_id(api)
    company = ok(api.post("/companies", json={"company_id": "acme", "name": "Acme"}))
    joe = contact(api, email="joe@example.com", name="Joe", external_id="joe-1")
    ok(api.post(f"/contacts/{joe['id']}/companies", json={"id": company["id"]}))
    ann = contact(api, role="lead", name="Ann")
    email = send(api, admin, joe["id"], message_type="email", subject="Welcome", template="plain")
    chat = send(api, admin, ann["id"], to={"type": "lead", "id": ann["id"]})
    reply = {"message_type": "comment", "type": "user", "intercom_user_id": ann["id"], "body": "thanks"}
    conversation = ok(api.post("/conversations/last/reply", json=reply))
    # A message the contact started is not outbound content: not exported.
    ok(api.post("/messages", json={"from": {"type": "user", "id": joe["id"]}, "body": "hello?"}))

    created = create(api)
    assert created["status"] == "pending" and created["download_url"] == "" and created["download_expires_at"] == ""
    identifier = created["job_identifier"]
    assert len(identifier) == 16 and identifier.isalnum() and identifier == identifier.lower()

    export = wait_for(api, identifier)
    assert export["status"] == "completed", export
    assert export["download_url"] == f"{server}/download/content/data/{identifier}"
    expires = int(export["download_expires_at"])
    assert clock.now() + DOWNLOAD_LIFETIME - 30 <= expires <= clock.now() + DOWNLOAD_LIFETIME

    rows = parse(download(server, workspace.token, identifier))
    assert [row["ruleset_id"] for row in rows] == [email["id"], chat["id"]]
    first, second = rows
    assert first["user_id"] == joe["id"] and first["user_external_id"] == "joe-1"
    assert first["company_id"] == company["id"] and first["email"] == "joe@example.com" and first["name"] == "Joe"
    assert first["content_type"] == "Email" and first["content_title"] == "Welcome"
    assert first["received_at"] == str(email["created_at"]) and first["receipt_id"] == email["id"]
    assert first["series_id"] == "-1" and first["first_reply"] == ""
    assert second["user_id"] == ann["id"] and second["company_id"] == "-1" and second["content_type"] == "Chat"
    assert chat["created_at"] <= int(second["first_reply"]) <= clock.now()  # Ann replied
    assert conversation["source"]["id"] == chat["id"]

    # Finished: creating another is allowed, cancelling returns it unchanged.
    assert ok(api.post(f"/export/cancel/{identifier}")) == export
    assert ok(api.get(f"/export/content/data/{identifier}")) == export


def test_the_range_covers_whole_days_in_the_workspace_timezone(api, server, workspace):
    chat = send(api, owner_id(api), contact(api, email="day@example.com")["id"])
    start_of_day = chat["created_at"] - chat["created_at"] % DAY  # the test workspace is in UTC
    # Both bounds fall on the message's day, before and after it: the whole day is covered.
    window = {"created_at_after": start_of_day, "created_at_before": start_of_day + 1}
    export = wait_for(api, create(api, **window)["job_identifier"])
    if chat["created_at"] >= start_of_day + 1:
        assert export["status"] == "completed"
        assert [r["ruleset_id"] for r in parse(download(server, workspace.token, export["job_identifier"]))] == [chat["id"]]
    # The day before ends at midnight: nothing.
    window = {"created_at_after": start_of_day - 2 * DAY, "created_at_before": start_of_day - 1}
    assert wait_for(api, create(api, **window)["job_identifier"])["status"] == "no_data"


def test_no_messages_in_range_is_no_data_without_a_file(api, server, workspace):
    send(api, owner_id(api), contact(api, email="old@example.com")["id"])
    export = wait_for(api, create(api, created_at_after=978307200, created_at_before=978393600)["job_identifier"])
    assert export == {"job_identifier": export["job_identifier"], "status": "no_data", "download_url": "", "download_expires_at": ""}
    error(download(server, workspace.token, export["job_identifier"]), 404, "not_found")


def test_the_download_expires_after_two_days(api, server, workspace):
    send(api, owner_id(api), contact(api, email="exp@example.com")["id"])
    export = wait_for(api, create(api)["job_identifier"])
    assert download(server, workspace.token, export["job_identifier"]).status_code == 200
    clock.advance(DOWNLOAD_LIFETIME)
    try:
        error(download(server, workspace.token, export["job_identifier"]), 404, "not_found")
        assert ok(api.get(f"/export/content/data/{export['job_identifier']}")) == export
    finally:
        clock.advance(-DOWNLOAD_LIFETIME)


def test_bad_input_is_a_400_naming_the_field(api):
    now = clock.now()
    error(api.post("/export/content/data", json={"created_at_before": now}), 400, "parameter_not_found", "created_at_after")
    error(api.post("/export/content/data", json={"created_at_after": now}), 400, "parameter_not_found", "created_at_before")
    error(api.post("/export/content/data", json={"created_at_after": None, "created_at_before": now}), 400, "parameter_not_found", "created_at_after")
    for bad in ("soon", "²", True, 1.5, -1, [1], {"at": 1}, 2**70):  # "²".isdigit() was a 500
        error(api.post("/export/content/data", json={"created_at_after": bad, "created_at_before": now}), 400, "parameter_invalid", "created_at_after")
        error(api.post("/export/content/data", json={"created_at_after": 0, "created_at_before": bad}), 400, "parameter_invalid", "created_at_before")
    error(api.post("/export/content/data", json={"created_at_after": now, "created_at_before": now}), 400, "parameter_invalid", "created_at_after")
    error(api.post("/export/content/data", json={"created_at_after": now, "created_at_before": now - 10}), 400, "parameter_invalid", "created_at_after")
    error(api.post("/export/content/data", json=[1, 2]), 400, "bad_request")
    error(api.post("/export/content/data"), 400, "bad_request")
    # Numeric strings are numbers.
    assert create(api, created_at_after=str(now - 60), created_at_before=str(now + 60))["status"] == "pending"


def test_unknown_jobs_are_404(api, server, workspace, anon):
    for path in ("/export/content/data/nosuchjob0000000", "/export/cancel/nosuchjob0000000"):
        method = api.get if path.startswith("/export/content") else api.post
        error(method(path), 404, "not_found")
    error(download(server, workspace.token, "nosuchjob0000000"), 404, "not_found")
    error(anon.get("/export/content/data/nosuchjob0000000"), 401, "unauthorized")


def test_another_workspaces_export_is_not_found(api, server, db, validator):
    identifier = create(api)["job_identifier"]
    from opencom.workspaces.service import create_workspace

    with db.transaction() as session:
        token = create_workspace(session, "Other").token
    with support.make_client(server, token, validator) as other:
        error(other.get(f"/export/content/data/{identifier}"), 404, "not_found")
        error(other.post(f"/export/cancel/{identifier}"), 404, "not_found")
        # Its own active slot is free.
        assert ok(other.post("/export/content/data", json=around_now()))["status"] == "pending"
    error(download(server, token, identifier), 404, "not_found")


def test_a_snapshot_carries_the_export_and_its_file(api, server, workspace):
    send(api, owner_id(api), contact(api, email="snap@example.com")["id"])
    export = wait_for(api, create(api)["job_identifier"])
    file = download(server, workspace.token, export["job_identifier"]).content
    with support.make_client(server, None) as control:
        saved = control.get("/_opencom/snapshot", params={"workspace_id": workspace.id})
        assert saved.status_code == 200, saved.text
        assert control.post("/_opencom/reset", json={"workspace_id": workspace.id}).status_code == 200
        error(api.get(f"/export/content/data/{export['job_identifier']}"), 404, "not_found")
        loaded = control.post("/_opencom/snapshot", params={"workspace_id": workspace.id}, content=saved.content,
                              headers={"Content-Type": "application/json"})
        assert loaded.status_code == 200, loaded.text
        assert control.get("/_opencom/snapshot", params={"workspace_id": workspace.id}).content == saved.content
    assert ok(api.get(f"/export/content/data/{export['job_identifier']}")) == export
    assert download(server, workspace.token, export["job_identifier"]).content == file


# -- with no worker: pending stays pending ---------------------------------------------------


@dataclass
class Idle:
    url: str  # the database
    base: str  # the server
    db: Database


def idle_settings(url: str, **changes) -> Settings:
    return Settings(database_url=url, bootstrap_token=IDLE_TOKEN, rate_limit=0, jobs_enabled=False).model_copy(update=changes)


@pytest.fixture(scope="module")
def idle_server(server) -> Iterator[Idle]:  # `server`: skips with it when PostgreSQL is missing
    with support.fresh_database_url() as url, support.running_server(create_app(idle_settings(url))) as base:
        database = Database(url)
        yield Idle(url, base, database)
        database.dispose()


@pytest.fixture
def idle(idle_server) -> Idle:
    with idle_server.db.transaction() as session:  # each test starts with no active export or job
        session.execute(update(DataExport).where(DataExport.status == "pending").values(status="canceled"))
        session.execute(update(jobs.Job).where(jobs.Job.state == jobs.QUEUED).values(state=jobs.CANCELED))
    return idle_server


@pytest.fixture
def idle_api(idle, validator):
    with support.make_client(idle.base, IDLE_TOKEN, validator) as client:
        yield client


def test_a_second_active_export_is_429(idle_api):
    first = create(idle_api)
    body = ok(idle_api.post("/export/content/data", json=around_now()), 429)
    assert body["errors"] == [{"code": "rate_limit_exceeded", "message": "Exceeded rate limit of 1 pending message data export jobs"}]
    assert ok(idle_api.get(f"/export/content/data/{first['job_identifier']}"))["status"] == "pending"


def test_cancel_a_pending_export_and_its_job_never_runs(idle, idle_api):
    created = create(idle_api)
    canceled = ok(idle_api.post(f"/export/cancel/{created['job_identifier']}"))
    assert canceled == dict(created, status="canceled")
    assert ok(idle_api.post(f"/export/cancel/{created['job_identifier']}")) == canceled  # again: unchanged
    error(download(idle.base, IDLE_TOKEN, created["job_identifier"]), 404, "not_found")
    assert jobs.Worker(idle.db).run_once() is False  # its job was canceled with it
    assert create(idle_api)["status"] == "pending"  # the slot is free again


def test_in_progress_while_a_worker_holds_the_job(idle, idle_api):
    send(idle_api, owner_id(idle_api), contact(idle_api, email="busy@example.com")["id"])
    identifier = create(idle_api)["job_identifier"]
    worker = jobs.Worker(idle.db)
    job = worker.claim()
    assert ok(idle_api.get(f"/export/content/data/{identifier}"))["status"] == "in_progress"
    error(download(idle.base, IDLE_TOKEN, identifier), 404, "not_found")
    worker.run(job)
    export = ok(idle_api.get(f"/export/content/data/{identifier}"))
    assert export["status"] == "completed" and len(parse(download(idle.base, IDLE_TOKEN, identifier))) >= 1


def test_a_cancel_while_the_job_runs_wins(idle, idle_api):
    send(idle_api, owner_id(idle_api), contact(idle_api, email="race@example.com")["id"])
    identifier = create(idle_api)["job_identifier"]
    worker = jobs.Worker(idle.db)
    job = worker.claim()
    assert ok(idle_api.post(f"/export/cancel/{identifier}"))["status"] == "canceled"
    worker.run(job)  # builds the file, but finds the export canceled
    assert ok(idle_api.get(f"/export/content/data/{identifier}"))["status"] == "canceled"


def test_an_export_whose_job_keeps_failing_is_failed(idle, idle_api, monkeypatch):
    identifier = create(idle_api)["job_identifier"]

    def broken(session, export):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "export_file", broken)
    worker = jobs.Worker(idle.db)
    now = clock.now()
    for attempt in range(service.MAX_ATTEMPTS):
        assert worker.run_once(now + 3600 * attempt)
        status = ok(idle_api.get(f"/export/content/data/{identifier}"))["status"]
        assert status == ("failed" if attempt == service.MAX_ATTEMPTS - 1 else "pending")
    assert create(idle_api)["status"] == "pending"  # a failed export frees the slot


def test_a_pending_export_survives_a_restart(idle, idle_api):
    send(idle_api, owner_id(idle_api), contact(idle_api, email="restart@example.com")["id"])
    identifier = create(idle_api)["job_identifier"]
    assert ok(idle_api.get(f"/export/content/data/{identifier}"))["status"] == "pending"
    # A second server process with its worker on: it finds the queued job and completes it.
    with support.running_server(create_app(idle_settings(idle.url, jobs_enabled=True))) as base:
        with support.make_client(base, IDLE_TOKEN) as client:
            export = wait_for(client, identifier)
            assert export["status"] == "completed"
            assert export["download_url"] == f"{base}/download/content/data/{identifier}"
            assert len(parse(download(base, IDLE_TOKEN, identifier))) >= 1


# -- the state effects ------------------------------------------------------------------


def description_csv_columns() -> list[str]:
    spec = load_official_spec()
    return list(spec["components"]["schemas"]["data_export_csv"]["properties"])


def test_the_csv_has_exactly_the_messages_of_the_days_in_the_window(api, server, workspace):
    """Both bounds' days are whole and inclusive; the columns are the description's data_export_csv."""
    admin, to = owner_id(api), contact(api, email="window@example.com")["id"]
    first_day = (clock.now() // DAY - 30) * DAY  # a UTC midnight a month ago (the workspace is in UTC)
    sent = {}
    try:
        for at in (first_day - 1, first_day, first_day + DAY + 12 * 3600, first_day + 2 * DAY - 1, first_day + 2 * DAY):
            clock.freeze(at)  # frozen: on a loaded machine a running clock may tick past a bound
            sent[at] = send(api, admin, to)["id"]
    finally:
        clock.reset()
    # Bounds in the middle of each day: the whole of both days is exported, nothing around them.
    window = {"created_at_after": first_day + 10 * 3600, "created_at_before": first_day + DAY + 3600}
    export = wait_for(api, create(api, **window)["job_identifier"])
    assert export["status"] == "completed", export
    response = download(server, workspace.token, export["job_identifier"])
    header, *lines = list(csv.reader(io.StringIO(gzip.decompress(response.content).decode("utf-8"))))
    assert header == description_csv_columns()
    assert all(len(line) == len(header) for line in lines)
    rows = [dict(zip(header, line)) for line in lines]
    inside = [first_day, first_day + DAY + 12 * 3600, first_day + 2 * DAY - 1]
    assert [row["ruleset_id"] for row in rows] == [sent[at] for at in inside]
    assert [int(row["received_at"]) for row in rows] == inside


def test_a_cancel_stops_a_running_export_for_good(idle, idle_api):
    send(idle_api, owner_id(idle_api), contact(idle_api, email="stop@example.com")["id"])
    identifier = create(idle_api)["job_identifier"]
    worker = jobs.Worker(idle.db)
    job = worker.claim()
    assert ok(idle_api.get(f"/export/content/data/{identifier}"))["status"] == "in_progress"
    assert ok(idle_api.post(f"/export/cancel/{identifier}"))["status"] == "canceled"
    worker.run(job)
    assert worker.run_once() is False  # nothing left to run
    export = ok(idle_api.get(f"/export/content/data/{identifier}"))
    assert export == {"job_identifier": identifier, "status": "canceled", "download_url": "", "download_expires_at": ""}
    error(download(idle.base, IDLE_TOKEN, identifier), 404, "not_found")


def job_of(idle, identifier) -> jobs.Job:
    with idle.db.transaction() as session:
        job_id = session.scalar(select(DataExport.job_id).where(DataExport.job_identifier == identifier))
        job = session.get(jobs.Job, job_id)
        session.expunge(job)
        return job


def test_a_job_whose_process_died_is_resumed_when_its_lease_runs_out(idle, idle_api):
    send(idle_api, owner_id(idle_api), contact(idle_api, email="lease@example.com")["id"])
    identifier = create(idle_api)["job_identifier"]
    # A process claims the job with a one-second lease and dies before finishing it.
    assert jobs.Worker(idle.db, lease=1).claim() is not None
    assert ok(idle_api.get(f"/export/content/data/{identifier}"))["status"] == "in_progress"
    # A restarted server reclaims it once the lease is over and completes it.
    with support.running_server(create_app(idle_settings(idle.url, jobs_enabled=True))) as base:
        with support.make_client(base, IDLE_TOKEN) as client:
            assert wait_for(client, identifier)["status"] == "completed"
            assert len(parse(download(base, IDLE_TOKEN, identifier))) >= 1  # the idle workspace's messages
    job = job_of(idle, identifier)
    assert (job.state, job.attempts, job.locked_by) == (jobs.DONE, 2, None)


def test_a_job_whose_last_attempt_died_is_failed_not_stuck(idle, idle_api):
    identifier = create(idle_api)["job_identifier"]
    for _ in range(service.MAX_ATTEMPTS):  # every attempt's process died; each lease is already over
        assert jobs.Worker(idle.db, lease=-1).claim() is not None
    with support.running_server(create_app(idle_settings(idle.url, jobs_enabled=True))) as base:
        with support.make_client(base, IDLE_TOKEN) as client:
            assert wait_for(client, identifier)["status"] == "failed"
    job = job_of(idle, identifier)
    assert job.state == jobs.FAILED and "lease expired" in job.last_error
    assert create(idle_api)["status"] == "pending"  # the slot is free again


def test_several_servers_run_each_export_exactly_once(idle, idle_api, monkeypatch):
    """Exports of several workspaces, two servers with their workers on one database: each export's
    job is claimed once (attempts == 1) and its file built once."""
    from opencom.workspaces.service import create_workspace

    built, lock = Counter(), threading.Lock()
    real_export_file = service.export_file

    def counting(session, export):
        with lock:
            built[export.id] += 1
        time.sleep(0.05)  # long enough for the other server to try the same job
        return real_export_file(session, export)

    monkeypatch.setattr(service, "export_file", counting)
    identifiers = []
    for n in range(6):
        with idle.db.transaction() as session:
            token = create_workspace(session, f"Export {n}").token
        with support.make_client(idle.base, token) as client:
            send(client, owner_id(client), contact(client, email=f"many{n}@example.com")["id"])
            identifiers.append((token, create(client)["job_identifier"]))
    settings = idle_settings(idle.url, jobs_enabled=True)
    with support.running_server(create_app(settings)) as first, support.running_server(create_app(settings)):
        for token, identifier in identifiers:
            with support.make_client(first, token) as client:
                assert wait_for(client, identifier, timeout=30)["status"] == "completed"
    for _, identifier in identifiers:
        job = job_of(idle, identifier)
        assert (job.state, job.attempts) == (jobs.DONE, 1)
    assert len(built) == len(identifiers) and set(built.values()) == {1}
