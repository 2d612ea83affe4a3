"""The request journal over HTTP: GET/DELETE /_opencom/requests (control/journal.py).

Every test works in its own workspace and filters on it, so entries of other tests never show.
"""

from __future__ import annotations

import time

import orjson
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from opencom.app import create_app
from opencom.control import journal as journal_module
from opencom.control.models import JournalEntry
from opencom.core.db import Base
from tests.support import make_client, running_server


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def error(response, status, code, field=None):
    assert response.status_code == status, response.text
    item = response.json()["errors"][0]
    assert item["code"] == code, response.text
    if field is not None:
        assert item.get("field") == field, response.text


def entries(control, **params) -> list[dict]:
    return ok(control.get("/_opencom/requests", params=params))["data"]


# -- what an entry holds -----------------------------------------------------------------------


def test_a_call_is_journaled_with_bodies_headers_and_timing(api, control, workspace):
    before = time.time()
    created = ok(api.post("/contacts", json={"email": "ada@example.com", "name": "Ada"}))
    after = time.time()
    [entry] = entries(control, workspace_id=workspace.id)
    assert entry["method"] == "POST" and entry["path"] == "/contacts" and entry["query"] == ""
    assert entry["status"] == 200 and entry["workspace_id"] == workspace.id
    assert entry["request_body"] == {"email": "ada@example.com", "name": "Ada"}
    assert entry["response_body"] == created
    assert entry["request_body_truncated"] is False and entry["response_body_truncated"] is False
    assert entry["response_headers"]["x-request-id"] == entry["request_id"]
    assert entry["response_headers"]["content-type"] == "application/json"
    assert entry["request_headers"]["content-type"] == "application/json"
    assert 0 <= entry["duration_ms"] < 30_000
    assert before - 1 <= entry["created_at"] <= after + 1
    assert isinstance(entry["id"], int)


def test_the_token_is_redacted(api, control, workspace):
    ok(api.get("/me"))
    [entry] = entries(control, workspace_id=workspace.id)
    assert entry["request_headers"]["authorization"] == "Bearer [redacted]"
    assert workspace.token not in orjson.dumps(entry).decode()


def test_a_refused_token_is_kept_without_workspace(server, control):
    with make_client(server, "not-a-real-token-abc123") as stranger:
        response = stranger.get("/contacts", params={"per_page": 2})
    assert response.status_code == 401
    [entry] = entries(control, request_id=response.headers["x-request-id"])
    assert entry["workspace_id"] is None and entry["status"] == 401 and entry["query"] == "per_page=2"
    assert entry["request_headers"]["authorization"] == "Bearer [redacted]"
    assert entry["response_body"]["errors"][0]["code"] == "unauthorized"
    assert "not-a-real-token-abc123" not in orjson.dumps(entry).decode()


def test_control_plane_and_healthz_are_not_journaled(server, control):
    marker = time.time()
    ok(control.get("/_opencom/clock"))
    ok(control.get("/healthz"))
    assert entries(control, path_prefix="/_opencom", since=marker) == []
    assert entries(control, path="/healthz", since=marker) == []


def test_large_bodies_are_cut_at_64_kb_and_say_so(api, control, workspace, db):
    contact = ok(api.post("/contacts", json={"email": "long@example.com"}))
    text = "é" * 40_000  # 80,000 bytes in UTF-8: the cut falls inside a character
    ok(api.post(f"/contacts/{contact['id']}/notes", json={"body": text}))
    [entry] = entries(control, workspace_id=workspace.id, path_prefix="/contacts/", method="post")
    limit = journal_module.BODY_LIMIT
    assert entry["request_body_truncated"] is True and entry["request_body_size"] > limit
    assert entry["response_body_truncated"] is True and entry["response_body_size"] > limit
    # A cut JSON body comes back as its text: at most the limit, still valid UTF-8.
    assert isinstance(entry["request_body"], str) and entry["request_body"].startswith('{"body":"éé')
    assert len(entry["request_body"].encode()) <= limit and len(entry["response_body"].encode()) <= limit


# -- filters, order, limits -------------------------------------------------------------------


def test_filters(api, control, workspace):
    since = time.time()
    ok(api.get("/contacts", params={"per_page": 5}))
    api.get("/contacts/0123456789abcdef01234567")  # 404
    tag = ok(api.post("/tags", json={"name": "VIP"}))
    ws = {"workspace_id": workspace.id}
    assert [e["path"] for e in entries(control, **ws)] == ["/contacts", "/contacts/0123456789abcdef01234567", "/tags"]
    assert [e["query"] for e in entries(control, **ws, path="/contacts")] == ["per_page=5"]
    assert [e["method"] for e in entries(control, **ws, method="post")] == ["POST"]
    assert len(entries(control, **ws, path_prefix="/contacts")) == 2
    assert entries(control, **ws, path_prefix="/CONTACTS") == []  # case-sensitive, as paths are
    assert entries(control, **ws, path_prefix="/con%") == []  # no wildcards
    assert [e["status"] for e in entries(control, **ws, status="404")] == [404]
    assert [e["status"] for e in entries(control, **ws, status="4xx")] == [404]
    assert [e["status"] for e in entries(control, **ws, status="2xx")] == [200, 200]
    assert len(entries(control, **ws, since=since)) == 3
    assert entries(control, **ws, until=since - 1) == []
    assert entries(control, **ws, since=time.time() + 60) == []
    newest = entries(control, **ws, order="desc", limit=1)
    assert [e["path"] for e in newest] == ["/tags"] and newest[0]["response_body"] == tag
    listed = ok(control.get("/_opencom/requests", params={**ws, "limit": 2}))
    assert listed["type"] == "list" and len(listed["data"]) == 2 and listed["total_count"] == 3
    by_id = entries(control, request_id=newest[0]["request_id"])
    assert [e["id"] for e in by_id] == [newest[0]["id"]]


def test_bad_parameters(control):
    error(control.get("/_opencom/requests", params={"limit": 0}), 400, "parameter_invalid", "limit")
    error(control.get("/_opencom/requests", params={"limit": 1001}), 400, "parameter_invalid", "limit")
    error(control.get("/_opencom/requests", params={"order": "sideways"}), 400, "parameter_invalid", "order")
    error(control.get("/_opencom/requests", params={"status": "abc"}), 400, "parameter_invalid", "status")
    error(control.get("/_opencom/requests", params={"since": "yesterday"}), 400, "parameter_invalid", "since")
    error(control.get("/_opencom/requests", params={"workspace_id": "x"}), 400, "parameter_invalid", "workspace_id")


# -- clearing ----------------------------------------------------------------------------------


def test_delete_clears_one_workspace(api, control, workspace):
    other = ok(control.post("/_opencom/workspaces", json={"name": "Bystander"}))
    with make_client(str(control.base_url), other["token"]) as bystander:
        ok(bystander.get("/me"))
    ok(api.get("/me"))
    assert ok(control.delete("/_opencom/requests", params={"workspace_id": workspace.id})) == {"deleted": 1}
    assert entries(control, workspace_id=workspace.id) == []
    assert len(entries(control, workspace_id=other["id"])) == 1
    ok(api.get("/me"))  # the journal goes on
    assert len(entries(control, workspace_id=workspace.id)) == 1
    ok(control.delete(f"/_opencom/workspaces/{other['id']}"))
    assert entries(control, workspace_id=other["id"]) == []


def test_reset_clears_the_workspace_journal(api, control, workspace):
    ok(api.get("/me"))
    ok(control.post("/_opencom/reset", json={"workspace_id": workspace.id}))
    assert entries(control, workspace_id=workspace.id) == []


def test_entries_still_buffered_elsewhere_when_a_reset_runs_are_dropped(control, db, workspace):
    """Another process's flush that comes after a reset must not bring back older calls."""
    elsewhere = journal_module.Journal(db)  # a second process's journal, its flusher not running

    def buffered(path):
        elsewhere.add(journal_module.Raw(workspace.id, "r-" + path, "GET", path, b"", 200, 1.0, [], [], 0, [], [], 0, time.time()))

    buffered("/before-reset")
    time.sleep(0.01)
    ok(control.post("/_opencom/reset", json={"workspace_id": workspace.id}))
    time.sleep(0.01)
    buffered("/after-reset")
    assert elsewhere.flush() == 1
    assert [e["path"] for e in entries(control, workspace_id=workspace.id)] == ["/after-reset"]
    buffered("/before-delete")
    time.sleep(0.01)
    ok(control.delete("/_opencom/requests"))  # every workspace
    assert elsewhere.flush() == 0
    assert entries(control, workspace_id=workspace.id) == []


# -- access ------------------------------------------------------------------------------------


def test_an_api_token_cannot_read_the_journal_or_the_outbox(settings, workspace):
    with running_server(create_app(settings.model_copy(update={"admin_key": "s3cret"}))) as base:
        for token in (None, workspace.token):
            with make_client(base, token) as client:
                for method, path in (("GET", "/_opencom/requests"), ("DELETE", "/_opencom/requests"), ("GET", "/_opencom/outbox")):
                    error(client.request(method, path), 401, "unauthorized")
        with make_client(base, "s3cret") as admin:
            assert ok(admin.get("/_opencom/requests", params={"workspace_id": workspace.id}))["data"] == []
            assert ok(admin.get("/_opencom/outbox", params={"workspace_id": workspace.id}))["data"] == []


# -- bounds, switch, processes -----------------------------------------------------------------


def test_the_journal_keeps_the_newest_entries_up_to_the_bound(settings, workspace):
    with running_server(create_app(settings.model_copy(update={"journal_max": 5}))) as base:
        with make_client(base, workspace.token) as api, make_client(base, None) as control:
            for n in range(12):
                api.get("/contacts", params={"per_page": n + 1})
                if n == 5:
                    entries(control, workspace_id=workspace.id)  # a flush in between: pruning spans flushes
            kept = entries(control, workspace_id=workspace.id)
    assert [e["query"] for e in kept] == [f"per_page={n}" for n in range(8, 13)]


def test_off_captures_nothing(settings, workspace):
    with running_server(create_app(settings.model_copy(update={"journal": False}))) as base:
        with make_client(base, workspace.token) as api, make_client(base, None) as control:
            ok(api.get("/me"))
            assert entries(control, workspace_id=workspace.id) == []


def test_processes_share_the_journal(settings, server, workspace):
    """A second app on the same database stands in for a second `serve --workers` process."""
    with running_server(create_app(settings)) as other:
        with make_client(other, workspace.token) as api:
            request_id = api.get("/me").headers["x-request-id"]
    # Its shutdown wrote its buffer; a live process would have within FLUSH_INTERVAL.
    with make_client(server, None) as control:
        assert [e["request_id"] for e in entries(control, workspace_id=workspace.id)] == [request_id]


def test_flusher_writes_without_a_query(api, db, workspace):
    ok(api.get("/me"))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with db.transaction(write=False) as session:
            if session.query(JournalEntry).filter_by(workspace_id=workspace.id).count():
                return
        time.sleep(0.05)
    pytest.fail("the background flusher wrote nothing within 5 s")


# -- pieces ------------------------------------------------------------------------------------


def test_body_decoding():
    limit = journal_module.BODY_LIMIT
    assert journal_module._body([], 0) == (None, False)
    assert journal_module._body([b'{"a":1}'], 7) == ('{"a":1}', False)
    assert journal_module._body([b"\x1f\x8b\x08\x00binary\xff"], 11) == (None, False)  # gzip: binary
    assert journal_module._body([b"a\x00b"], 3) == (None, False)
    data = b"a" + "é".encode() * (limit // 2)  # the cut at `limit` falls inside the last character
    text, truncated = journal_module._body([data[:limit]], len(data))
    assert truncated is True and text == "a" + "é" * ((limit - 2) // 2)


def test_headers_are_redacted_and_joined():
    headers = journal_module._headers([(b"Authorization", b"Bearer abc"), (b"X-A", b"1"), (b"x-a", b"2"), (b"proxy-authorization", b"token")])
    assert headers == {"authorization": "Bearer [redacted]", "x-a": "1, 2", "proxy-authorization": "[redacted]"}


@pytest.mark.filterwarnings("ignore::UserWarning")  # alembic on unrelated expression indexes
def test_model_and_migration_agree(db):
    """The journal table as migrated matches its model (alembic autogenerate finds nothing)."""
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    mine = [d for d in diffs if "journal_" in repr(d)]
    assert mine == []
