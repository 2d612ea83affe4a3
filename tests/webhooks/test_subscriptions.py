"""Webhook subscriptions on the control plane and the CLI; who may manage them; reset; the schema."""

from __future__ import annotations

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select

from opencom.app import create_app
from opencom.core.db import Base, Database
from opencom.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.support import invoke_cli as invoke, make_client, running_server

WEBHOOK_TABLES = {"webhook_subscriptions", "webhook_deliveries", "webhook_attempts"}


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def error(response, status, code, field=None):
    body = ok(response, status)
    assert body["type"] == "error.list" and body["errors"][0]["code"] == code, body
    if field is not None:
        assert body["errors"][0].get("field") == field, body
    return body["errors"][0]


# -- the control plane -----------------------------------------------------------------------


def test_create_get_list_update_delete(control, workspace):
    created = ok(control.post("/_opencom/webhooks", json={
        "workspace_id": workspace.id, "url": "http://127.0.0.1:9/hook", "topics": ["contact.user.created", "ping", "contact.user.created"]}))
    assert created["type"] == "webhook_subscription" and created["state"] == "active"
    assert created["topics"] == ["contact.user.created", "ping"]  # duplicates dropped
    assert re.fullmatch(r"[0-9a-f]{40}", created["secret"])  # generated, shown once
    sid = created["id"]
    fetched = ok(control.get(f"/_opencom/webhooks/{sid}"))
    assert "secret" not in fetched and fetched["deliveries"] == {"pending": 0, "delivered": 0, "failed": 0}
    listed = ok(control.get("/_opencom/webhooks", params={"workspace_id": workspace.id}))["data"]
    assert [s["id"] for s in listed] == [sid]
    assert sid in [s["id"] for s in ok(control.get("/_opencom/webhooks"))["data"]]

    changed = ok(control.put(f"/_opencom/webhooks/{sid}", json={"url": "https://example.com/h", "topics": ["company.created"], "secret": "s2"}))
    assert changed["url"] == "https://example.com/h" and changed["topics"] == ["company.created"]
    assert ok(control.put(f"/_opencom/webhooks/{sid}", json={"state": "paused"}))["state"] == "paused"
    assert ok(control.post(f"/_opencom/webhooks/{sid}/resume"))["state"] == "active"
    assert ok(control.post(f"/_opencom/webhooks/{sid}/pause"))["pause_reason"] == "paused from the control plane"

    ok(control.post(f"/_opencom/webhooks/{sid}/ping"))
    assert ok(control.delete(f"/_opencom/webhooks/{sid}")) == {"type": "webhook_subscription", "id": sid, "deleted": True}
    error(control.get(f"/_opencom/webhooks/{sid}"), 404, "not_found")
    error(control.delete(f"/_opencom/webhooks/{sid}"), 404, "not_found")


def test_without_a_workspace_id_the_default_workspace_subscribes(control, db):
    created = ok(control.post("/_opencom/webhooks", json={"url": "http://127.0.0.1:9/hook", "topics": ["ping"]}))
    from opencom.workspaces.models import Workspace

    with db.transaction(write=False) as session:
        assert session.get(Workspace, created["workspace_id"]).is_default
    ok(control.delete(f"/_opencom/webhooks/{created['id']}"))


@pytest.mark.parametrize("body, field", [
    ({"url": "ftp://example.com", "topics": ["ping"]}, "url"),
    ({"url": "not a url", "topics": ["ping"]}, "url"),
    ({"url": "http://example.com", "topics": ["Not A Topic"]}, "topics"),
    ({"url": "http://example.com", "topics": ["ping"], "secret": "  "}, "secret"),
])
def test_bad_subscriptions_are_refused(control, workspace, body, field):
    error(control.post("/_opencom/webhooks", json={**body, "workspace_id": workspace.id}), 400, "parameter_invalid", field)


def test_malformed_bodies_and_ids(control, workspace):
    assert control.post("/_opencom/webhooks", json={"url": "http://example.com", "topics": []}).status_code == 400
    assert control.post("/_opencom/webhooks", json={"url": "http://example.com", "topics": ["ping"], "typo": 1}).status_code == 400
    error(control.post("/_opencom/webhooks", json={"url": "http://example.com", "topics": ["ping"], "workspace_id": 999999}), 404, "not_found")
    for path in ("/_opencom/webhooks/abc", "/_opencom/webhooks/999999999", "/_opencom/webhooks/deliveries/77777777"):
        error(control.get(path), 404, "not_found")
    error(control.get("/_opencom/webhooks/999999999/deliveries"), 404, "not_found")


def test_topics_follow_the_catalogue_once_it_exists(control, workspace):
    from opencom.webhooks.service import known_topics

    catalogue = known_topics()
    if catalogue is None:
        pytest.skip("no topic catalogue (webhooks/topics.py) yet")
    name = sorted(catalogue - {"ping"})[0]
    ok(control.post("/_opencom/webhooks", json={"workspace_id": workspace.id, "url": "http://127.0.0.1:9/", "topics": [name]}))
    error(control.post("/_opencom/webhooks", json={"workspace_id": workspace.id, "url": "http://127.0.0.1:9/", "topics": ["made.up"]}),
          400, "parameter_invalid", "topics")


def test_an_api_token_does_not_open_the_control_plane(settings, workspace):
    with running_server(create_app(settings.model_copy(update={"admin_key": "s3cret", "webhook_workers": 0}))) as base:
        for token in (None, workspace.token):
            with make_client(base, token) as client:
                error(client.get("/_opencom/webhooks"), 401, "unauthorized")
                error(client.post("/_opencom/webhooks", json={"url": "http://x.example", "topics": ["ping"]}), 401, "unauthorized")
                error(client.post("/_opencom/webhooks/1/ping"), 401, "unauthorized")
                error(client.post("/_opencom/webhooks/deliveries/1/redeliver"), 401, "unauthorized")
        with make_client(base, "s3cret") as admin:
            ok(admin.get("/_opencom/webhooks"))


def test_reset_keeps_subscriptions_and_clears_deliveries(control, db, workspace):
    sid = ok(control.post("/_opencom/webhooks", json={"workspace_id": workspace.id, "url": "http://127.0.0.1:9/", "topics": ["ping"]}))["id"]
    ok(control.post(f"/_opencom/webhooks/{sid}/pause"))
    ok(control.post(f"/_opencom/webhooks/{sid}/ping"))
    ok(control.post("/_opencom/reset", json={"workspace_id": workspace.id}))
    assert ok(control.get(f"/_opencom/webhooks/{sid}"))["state"] == "paused"
    with db.transaction(write=False) as session:
        assert session.scalars(select(WebhookDelivery).where(WebhookDelivery.subscription_id == sid)).all() == []
    snapshot = ok(control.get("/_opencom/snapshot", params={"workspace_id": workspace.id}))
    assert not WEBHOOK_TABLES & set(snapshot["tables"])


# -- the CLI ---------------------------------------------------------------------------------


def test_cli_add_list_ping_resume_remove(cli_url):
    added = invoke("webhook", "add", "http://127.0.0.1:9000/hook", "--topics",
                   "conversation.user.replied,conversation.admin.replied", "--secret", "s").stdout.split()
    assert added == ["1"]  # the id only: the secret was given
    generated = invoke("webhook", "add", "http://127.0.0.1:9000/other", "--topics", "ping").stdout.splitlines()
    assert generated[0] == "2" and re.fullmatch(r"secret: [0-9a-f]{40}", generated[1])
    lines = invoke("webhook", "list").stdout.splitlines()
    assert lines[0].split("\t") == ["1", "1", "active", "http://127.0.0.1:9000/hook", "conversation.user.replied,conversation.admin.replied"]
    assert len(lines) == 2
    assert invoke("webhook", "ping", "1").stdout.strip().startswith("notif_")
    invoke("webhook", "resume", "1")
    invoke("webhook", "remove", "2")
    assert [line.split("\t")[0] for line in invoke("webhook", "list").stdout.splitlines()] == ["1"]
    assert invoke("webhook", "list", "--workspace", "1").stdout.count("\n") == 1
    db = Database(cli_url)
    with db.transaction(write=False) as session:
        [subscription] = session.scalars(select(WebhookSubscription)).all()
        assert subscription.secret == "s"
        assert session.scalars(select(WebhookDelivery.topic)).all() == ["ping"]
    db.dispose()


def test_cli_errors(cli_url):
    assert "url" in invoke("webhook", "add", "nowhere", "--topics", "ping", code=1).output
    assert "topics" in invoke("webhook", "add", "http://127.0.0.1:9/", "--topics", "Bad Topic", code=1).output
    assert "No workspace" in invoke("webhook", "add", "http://127.0.0.1:9/", "--topics", "ping", "--workspace", "99", code=1).output
    assert "Not Found" in invoke("webhook", "remove", "42", code=1).output
    assert "Not Found" in invoke("webhook", "ping", "42", code=1).output


# -- the schema ------------------------------------------------------------------------------


def test_the_migration_matches_the_models(settings, server):
    # The session server migrated its database: the webhook tables must be what the models say.
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    ours = [d for d in _flatten(diff) if any(t in repr(d) for t in WEBHOOK_TABLES)]
    assert ours == []


def _flatten(diff):
    for entry in diff:
        if isinstance(entry, list):
            yield from _flatten(entry)
        else:
            yield entry


def test_deleting_a_workspace_takes_its_subscriptions(control, db):
    created = ok(control.post("/_opencom/workspaces", json={"name": "Doomed"}))
    sid = ok(control.post("/_opencom/webhooks", json={"workspace_id": created["id"], "url": "http://127.0.0.1:9/", "topics": ["ping"]}))["id"]
    ok(control.post(f"/_opencom/webhooks/{sid}/pause"))
    ok(control.post(f"/_opencom/webhooks/{sid}/ping"))
    ok(control.delete(f"/_opencom/workspaces/{created['id']}"))
    error(control.get(f"/_opencom/webhooks/{sid}"), 404, "not_found")
    with db.transaction(write=False) as session:
        assert session.scalars(select(WebhookDelivery).where(WebhookDelivery.subscription_id == sid)).all() == []
