"""The hot path (core/hot.py): GET /contacts/{id} answered before FastAPI's stack.

Its answers must be the full route's, byte for byte: a second server on the same database with
OPENCOM_HOT_READS off serves the full path, and both are asked the same things — seeded
contacts with every kind of nested list and custom attribute, missing ids, other workspaces'
ids, bad tokens, bad versions. The protocol around it (rate limit and its claims, the journal,
errors) is checked over HTTP too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from opencom.app import create_app
from opencom.contacts import hot as contacts_hot
from opencom.core.settings import Settings
from opencom.seeding.service import seed_workspace
from tests.contacts.test_contacts_api import make_subscription_type, make_tags
from tests.support import make_client, running_server

VOLATILE = {"x-request-id", "date", "x-ratelimit-remaining", "x-ratelimit-reset"}


def _server(database_url: str, **settings) -> Iterator[str]:
    app = create_app(Settings(database_url=database_url, bootstrap_token="opencom-test-token", **settings))
    with running_server(app) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def full_path(database_url, server) -> Iterator[str]:
    """A server on the test database that answers every request through FastAPI."""
    yield from _server(database_url, rate_limit=0, hot_reads=False)


@pytest.fixture(scope="module")
def limited(database_url, server) -> Iterator[str]:
    """A hot server with a rate limit of 6 calls a window: every call renews its claim."""
    yield from _server(database_url, rate_limit=36)


@pytest.fixture
def clients(server, full_path, workspace):
    with make_client(server, workspace.token) as hot, make_client(full_path, workspace.token) as full:
        yield hot, full


def _same(hot_response, full_response) -> None:
    assert hot_response.status_code == full_response.status_code
    hot_headers = {k: v for k, v in hot_response.headers.items() if k not in VOLATILE}
    full_headers = {k: v for k, v in full_response.headers.items() if k not in VOLATILE}
    assert hot_headers == full_headers
    if hot_response.status_code == 200:
        assert hot_response.content == full_response.content
    else:  # an error's request_id is the request's own
        hot_body, full_body = hot_response.json(), full_response.json()
        assert hot_body.pop("request_id") == hot_response.headers["x-request-id"]
        full_body.pop("request_id")
        assert hot_body == full_body


def test_the_app_serves_contacts_on_the_hot_path(server):
    assert [route.path.pattern for route in contacts_hot.routes(None)] == [r"/contacts/([^/]+)"]


def test_seeded_contacts_read_the_same_on_both_paths(clients, db, workspace, validator):
    seed_workspace(db, workspace.id, seed=5, contacts=40, companies=6, conversations=10)
    hot, full = clients
    ids = [c["id"] for c in full.get("/contacts", params={"per_page": 40}).json()["data"]]
    assert len(ids) == 40
    for contact_id in ids:
        hot_response = hot.get(f"/contacts/{contact_id}")
        validator.validate("GET", f"/contacts/{contact_id}", 200, hot_response.json())
        _same(hot_response, full.get(f"/contacts/{contact_id}"))


def test_every_nested_list_reads_the_same(clients, db, workspace):
    hot, full = clients
    contact = full.post("/contacts", json={"role": "user", "email": "nested@example.com", "name": "Ne Sted"}).json()
    cid = contact["id"]
    make_tags(db, workspace.id, cid, 12)  # more than a nested list shows inline
    company = full.post("/companies", json={"company_id": "c-1", "name": "Acme"}).json()
    assert full.post(f"/contacts/{cid}/companies", json={"id": company["id"]}).status_code == 200
    for text in ("first", "second"):
        assert full.post(f"/contacts/{cid}/notes", json={"body": text}).status_code == 200
    for consent in ("opt_in", "opt_out"):
        type_id = make_subscription_type(db, workspace.id, consent)
        assert full.post(f"/contacts/{cid}/subscriptions", json={"id": str(type_id), "consent_type": consent}).status_code == 200
    full_response = full.get(f"/contacts/{cid}")
    body = full_response.json()
    assert body["tags"]["total_count"] == 12 and body["tags"]["has_more"] is True
    assert body["notes"]["total_count"] == 2 and body["companies"]["total_count"] == 1
    assert body["opted_in_subscription_types"]["total_count"] == 1
    assert body["opted_out_subscription_types"]["total_count"] == 1
    _same(hot.get(f"/contacts/{cid}"), full_response)


@pytest.mark.parametrize("contact_id", ["0123456789abcdef01234567", "nope", "%00", "a%00b", "a%20b", "%F0%9F%98%80"])
def test_missing_contacts_are_the_same_404(clients, contact_id):
    hot, full = clients
    response = hot.get(f"/contacts/{contact_id}")
    assert response.status_code == 404
    assert response.json()["errors"] == [{"code": "not_found", "message": "User Not Found"}]
    _same(response, full.get(f"/contacts/{contact_id}"))


def test_another_workspaces_contact_is_not_found(clients, server, db):
    from opencom.workspaces.service import create_workspace

    hot, full = clients
    with db.transaction() as session:
        other = create_workspace(session, "Other")
    with make_client(server, other.token) as stranger:
        contact = stranger.post("/contacts", json={"role": "lead", "name": "Theirs"}).json()
        assert stranger.get(f"/contacts/{contact['id']}").status_code == 200
    _same(hot.get(f"/contacts/{contact['id']}"), full.get(f"/contacts/{contact['id']}"))
    assert hot.get(f"/contacts/{contact['id']}").status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic abc", "Bearer"])
def test_refused_tokens_are_the_same_401(server, full_path, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    with make_client(server, None, **headers) as hot, make_client(full_path, None, **headers) as full:
        response = hot.get("/contacts/0123456789abcdef01234567")
        assert response.status_code == 401
        _same(response, full.get("/contacts/0123456789abcdef01234567"))


def test_an_unknown_version_is_the_same_400(server, full_path, workspace):
    with make_client(server, workspace.token, **{"Intercom-Version": "9.9"}) as hot, \
         make_client(full_path, workspace.token, **{"Intercom-Version": "9.9"}) as full:
        response = hot.get("/contacts/0123456789abcdef01234567")
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "intercom_version_invalid"
        _same(response, full.get("/contacts/0123456789abcdef01234567"))
    with make_client(server, workspace.token, **{"Intercom-Version": "2.11"}) as hot:
        assert hot.get("/contacts/0123456789abcdef01234567").status_code == 404


def test_the_rate_limit_counts_hot_calls_with_the_others(limited, workspace):
    """6 calls a window, a claim per call: the hot path renews its lease in a thread."""
    with make_client(limited, workspace.token) as client:
        contact = client.post("/contacts", json={"role": "lead"})
        if contact.status_code == 429:  # the window was spent by a call just before: next one
            pytest.skip("the rate-limit window ended mid-test")
        cid = contact.json()["id"]
        answers = [client.get(f"/contacts/{cid}") for _ in range(8)]
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {200, 429} and 429 in statuses
    first_refusal = statuses.index(429)
    assert all(s == 429 for s in statuses[first_refusal:first_refusal + 2])
    ok = answers[0]
    assert ok.headers["x-ratelimit-limit"] == "6"
    remaining = [int(r.headers["x-ratelimit-remaining"]) for r in answers[:first_refusal]]
    assert remaining == sorted(remaining, reverse=True)
    refused = answers[first_refusal]
    assert refused.json()["errors"][0]["code"] == "rate_limit_exceeded"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.json()["request_id"] == refused.headers["x-request-id"]


def test_hot_calls_are_journaled(api, server, workspace):
    contact = api.post("/contacts", json={"role": "lead", "name": "Journaled"}).json()
    response = api.get(f"/contacts/{contact['id']}")
    missing = api.get("/contacts/0123456789abcdef01234567")
    with make_client(server, None) as control:
        entries = control.get("/_opencom/requests", params={"workspace_id": workspace.id, "method": "GET"}).json()["data"]
    by_request = {e["request_id"]: e for e in entries}
    found = by_request[response.headers["x-request-id"]]
    assert found["status"] == 200 and found["path"] == f"/contacts/{contact['id']}"
    assert found["response_body"] == response.json()
    assert found["request_headers"]["authorization"] == "Bearer [redacted]"
    assert by_request[missing.headers["x-request-id"]]["status"] == 404


def test_an_unexpected_failure_is_a_500_error_list(api, monkeypatch):
    contact = api.post("/contacts", json={"role": "lead"}).json()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(contacts_hot, "contact_json", broken)
    response = api.get(f"/contacts/{contact['id']}")
    assert response.status_code == 500
    body = response.json()
    assert body["type"] == "error.list" and body["errors"][0]["code"] == "server_error"
    assert body["request_id"] == response.headers["x-request-id"]
    monkeypatch.undo()
    assert api.get(f"/contacts/{contact['id']}").status_code == 200  # the connection is still usable


def test_only_the_contact_itself_is_hot(api):
    """Sub-resources and the list still take the full path (and answer as before)."""
    contact = api.post("/contacts", json={"role": "lead"}).json()
    assert api.get(f"/contacts/{contact['id']}/tags").json()["type"] == "list"
    assert api.get("/contacts").json()["type"] == "list"
