"""Webhook delivery against a real receiver: payload, signature, order, retries, throttling,
timeouts, pausing, redelivery, the delivery log. Events come from `ping` and from publish()
called in a transaction of the test's own (the domains' publish calls have tests of their own).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from opencom.webhooks import delivery
from opencom.webhooks.delivery import USER_AGENT, parse_retry_after
from opencom.webhooks.models import WebhookDelivery
from opencom.webhooks.publish import publish
from opencom.workspaces.models import Workspace
from tests.webhooks.conftest import Answer


class Caller:
    """What publish() needs from a principal."""

    def __init__(self, workspace_id: int, workspace_code: str) -> None:
        self.workspace_id, self.workspace_code = workspace_id, workspace_code


def caller(db, workspace) -> Caller:
    with db.transaction(write=False) as session:
        return Caller(workspace.id, session.scalar(select(Workspace.id_code).where(Workspace.id == workspace.id)))


def emit(db, who: Caller, topic: str, *items: dict) -> None:
    """Publish events in one committed transaction, as a route would."""
    with db.transaction() as session:
        for item in items:
            publish(session, who, topic, item)


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def deliveries(control, subscription_id, **params) -> list[dict]:
    return ok(control.get(f"/_opencom/webhooks/{subscription_id}/deliveries", params=params))["data"]


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


# -- payload, headers, signature -----------------------------------------------------------


def test_ping_arrives_signed_as_intercom_sends_it(control, workspace, receiver, subscribe, db):
    subscription = subscribe(workspace, ["contact.user.created"])
    queued = ok(control.post(f"/_opencom/webhooks/{subscription['id']}/ping"))
    [event] = receiver.wait_for(1)
    request = receiver.requests[0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Hub-Signature"].startswith("sha1=") and len(request.headers["X-Hub-Signature"]) == 45
    assert list(event) == ["type", "id", "topic", "app_id", "data", "delivery_status", "delivery_attempts",
                           "delivered_at", "first_sent_at", "created_at", "links", "self"]
    assert event["type"] == "notification_event"
    assert event["id"] == queued["notification_id"] and event["id"].startswith("notif_") and len(event["id"]) == 42
    assert event["topic"] == "ping"
    assert event["app_id"] == caller(db, workspace).workspace_code
    assert event["data"] == {"type": "notification_event_data", "item": {"type": "ping", "message": "something something interzen"}}
    assert event["delivery_status"] == "pending" and event["delivery_attempts"] == 1 and event["delivered_at"] == 0
    assert event["first_sent_at"] >= event["created_at"] > 0
    assert event["links"] == {} and event["self"] is None
    [logged] = wait_until(lambda: [d for d in deliveries(control, subscription["id"]) if d["state"] == "delivered"])
    assert logged["log"][0]["status_code"] == 200 and logged["log"][0]["outcome"] == "delivered"
    assert logged["log"][0]["response_snippet"] == "ok" and logged["log"][0]["latency_ms"] >= 0


def test_a_wrong_secret_shows_in_the_signature(control, workspace, receiver, subscribe):
    subscription = subscribe(workspace, ["ping"], secret="not-the-receivers")
    ok(control.post(f"/_opencom/webhooks/{subscription['id']}/ping"))
    receiver.wait_for(1, signed=False)
    assert receiver.requests[0].signature_ok is False


def test_published_events_reach_matching_subscriptions_in_order(db, workspace, receiver, subscribe):
    subscribe(workspace, ["contact.user.created", "contact.user.updated"])
    subscribe(workspace, ["company.created"], url=receiver.url + "/companies")
    who = caller(db, workspace)
    emit(db, who, "contact.user.created", *[{"type": "contact", "id": str(n)} for n in range(5)])
    emit(db, who, "contact.user.updated", {"type": "contact", "id": "0", "name": "Ada"})
    emit(db, who, "contact.lead.created", {"type": "contact", "id": "9"})  # nobody wants it
    emit(db, who, "company.created", {"type": "company", "id": "c1"})
    received = receiver.wait_for(7)
    contacts = [e for r, e in zip(receiver.requests, received) if r.path == "/hook"]
    assert [(e["topic"], e["data"]["item"]["id"]) for e in contacts] == [
        ("contact.user.created", "0"), ("contact.user.created", "1"), ("contact.user.created", "2"),
        ("contact.user.created", "3"), ("contact.user.created", "4"), ("contact.user.updated", "0")]
    assert [e["topic"] for r, e in zip(receiver.requests, received) if r.path == "/hook/companies"] == ["company.created"]
    assert len({e["id"] for e in received}) == 7
    assert receiver.settle() == received  # nothing more, nothing twice


def test_a_rolled_back_change_publishes_nothing(db, workspace, receiver, subscribe):
    subscription = subscribe(workspace, ["contact.user.created"])
    who = caller(db, workspace)
    with pytest.raises(RuntimeError):
        with db.transaction() as session:
            publish(session, who, "contact.user.created", {"type": "contact", "id": "lost"})
            raise RuntimeError("the change fails")
    emit(db, who, "contact.user.created", {"type": "contact", "id": "kept"})
    [event] = receiver.wait_for(1)
    assert event["data"]["item"]["id"] == "kept"
    with db.transaction(write=False) as session:
        rows = session.scalars(select(WebhookDelivery.item).where(WebhookDelivery.subscription_id == subscription["id"])).all()
    assert rows == [{"type": "contact", "id": "kept"}]


def test_the_commit_wakes_the_deliverer_without_waiting_for_its_poll(db, workspace, receiver, subscribe, monkeypatch):
    # With the server's idle poll stretched to a minute, only the after-commit nudge can
    # deliver within the receiver's 10-s wait. (Latency itself is measured, not asserted.)
    for deliverer in list(delivery._deliverers):
        monkeypatch.setattr(deliverer, "poll_interval", 60.0)
    subscribe(workspace, ["contact.user.created"])
    who = caller(db, workspace)
    time.sleep(1.0)  # let every idle thread finish its short wait and start the long one
    for n in range(3):
        emit(db, who, "contact.user.created", {"type": "contact", "id": str(n)})
        receiver.wait_for(n + 1)


# -- failures --------------------------------------------------------------------------------


def test_failures_are_retried_with_backoff_and_order_holds(control, db, workspace, receiver, subscribe, fast_retries):
    subscription = subscribe(workspace, ["contact.user.created"])
    receiver.fail(3)  # 500, 500, 500, then 200
    emit(db, caller(db, workspace), "contact.user.created", {"type": "contact", "id": "a"}, {"type": "contact", "id": "b"})
    received = receiver.wait_for(5)
    assert [(e["data"]["item"]["id"], e["delivery_attempts"]) for e in received] == [("a", 1), ("a", 2), ("a", 3), ("a", 4), ("b", 1)]
    assert len({e["first_sent_at"] for e in received[:4]}) == 1
    gaps = [b.received - a.received for a, b in zip(receiver.requests, receiver.requests[1:4])]
    assert gaps[0] >= 0.04 and gaps[1] >= 0.09, gaps  # 0.05 s, then 0.1 s
    first = wait_until(lambda: [d for d in deliveries(control, subscription["id"]) if d["sequence"] == 1 and d["state"] == "delivered"])[0]
    assert [(a["attempt"], a["status_code"], a["outcome"]) for a in first["log"]] == [
        (1, 500, "retry"), (2, 500, "retry"), (3, 500, "retry"), (4, 200, "delivered")]
    assert ok(control.get(f"/_opencom/webhooks/{subscription['id']}"))["consecutive_failures"] == 0


def test_an_event_is_given_up_after_max_attempts_and_the_next_goes(control, db, workspace, receiver, subscribe, fast_retries):
    from opencom.webhooks import delivery

    saved = delivery.retune(max_attempts=3)
    try:
        subscription = subscribe(workspace, ["contact.user.created"])
        receiver.fail(3, status=410)
        emit(db, caller(db, workspace), "contact.user.created", {"type": "contact", "id": "a"}, {"type": "contact", "id": "b"})
        received = receiver.wait_for(4)
    finally:
        for deliverer, tuning in saved:
            deliverer.tuning = tuning
    assert [e["data"]["item"]["id"] for e in received] == ["a", "a", "a", "b"]
    failed = wait_until(lambda: deliveries(control, subscription["id"], state="failed"))
    assert failed[0]["attempts"] == 3 and failed[0]["last_status"] == 410 and failed[0]["log"][-1]["outcome"] == "failed"


def test_a_429_throttles_and_honours_retry_after(control, db, workspace, receiver, subscribe, fast_retries):
    subscription = subscribe(workspace, ["contact.user.created"])
    receiver.script(Answer(429, {"Retry-After": "1"}), Answer(429))
    emit(db, caller(db, workspace), "contact.user.created", {"type": "contact", "id": "a"})
    received = receiver.wait_for(3, timeout=15)
    assert [e["delivery_attempts"] for e in received] == [1, 2, 3]
    first_gap = receiver.requests[1].received - receiver.requests[0].received
    assert 0.9 <= first_gap < 3, first_gap  # Retry-After: 1 second
    [logged] = wait_until(lambda: deliveries(control, subscription["id"], state="delivered"))
    assert [a["outcome"] for a in logged["log"]] == ["throttled", "throttled", "delivered"]
    # Throttling is not failing: no pause counter.
    assert ok(control.get(f"/_opencom/webhooks/{subscription['id']}"))["consecutive_failures"] == 0


def test_a_hanging_receiver_times_out_and_is_retried(control, db, workspace, receiver, subscribe, fast_retries):
    subscription = subscribe(workspace, ["contact.user.created"])
    receiver.script(Answer(hang=5))
    emit(db, caller(db, workspace), "contact.user.created", {"type": "contact", "id": "a"})
    received = receiver.wait_for(2, timeout=10)
    assert [e["delivery_attempts"] for e in received] == [1, 2]
    gap = receiver.requests[1].received - receiver.requests[0].received
    assert 1.0 <= gap < 3, gap  # the 1 s timeout of fast_retries, then a short backoff
    [logged] = wait_until(lambda: deliveries(control, subscription["id"], state="delivered"))
    assert logged["log"][0]["outcome"] == "retry" and logged["log"][0]["error"].startswith("timeout")
    assert logged["log"][0]["status_code"] is None and logged["log"][0]["latency_ms"] >= 900


def test_a_run_of_failures_pauses_and_resume_sends_the_rest(control, db, workspace, receiver, subscribe, fast_retries):
    from opencom.webhooks import delivery

    saved = delivery.retune(pause_after=3)
    try:
        subscription = subscribe(workspace, ["contact.user.created"])
        receiver.fail(3, status=503)
        who = caller(db, workspace)
        emit(db, who, "contact.user.created", {"type": "contact", "id": "a"}, {"type": "contact", "id": "b"})
        receiver.wait_for(3)
        paused = wait_until(lambda: (s := ok(control.get(f"/_opencom/webhooks/{subscription['id']}")))["state"] == "paused" and s)
        assert paused["consecutive_failures"] == 3 and "503" in paused["pause_reason"]
        assert len(receiver.settle(quiet=0.3)) == 3  # nothing more while paused
        emit(db, who, "contact.user.created", {"type": "contact", "id": "dropped"})  # a paused subscription gets no new events
        resumed = ok(control.post(f"/_opencom/webhooks/{subscription['id']}/resume"))
        assert resumed["state"] == "active" and resumed["consecutive_failures"] == 0
        received = receiver.wait_for(5)
    finally:
        for deliverer, tuning in saved:
            deliverer.tuning = tuning
    assert [(e["data"]["item"]["id"], e["delivery_attempts"]) for e in received[3:]] == [("a", 4), ("b", 1)]
    assert receiver.settle(quiet=0.3) == received


# -- redelivery and the log -----------------------------------------------------------------


def test_redeliver_sends_the_event_again_with_its_id(control, db, workspace, receiver, subscribe):
    subscription = subscribe(workspace, ["contact.user.created"])
    emit(db, caller(db, workspace), "contact.user.created", {"type": "contact", "id": "a"})
    [first] = receiver.wait_for(1)
    [done] = wait_until(lambda: deliveries(control, subscription["id"], state="delivered"))
    again = ok(control.post(f"/_opencom/webhooks/deliveries/{done['id']}/redeliver"))
    assert again["redelivery_of"] == done["id"] and again["notification_id"] == first["id"] and again["state"] == "pending"
    second = receiver.wait_for(2)[1]
    assert second["id"] == first["id"] and second["data"] == first["data"] and second["delivery_attempts"] == 1
    assert ok(control.get(f"/_opencom/webhooks/deliveries/{again['id']}"))["sequence"] == 2


def test_redeliver_refuses_a_pending_delivery_and_unknown_ids(control, db, workspace, subscribe):
    subscription = subscribe(workspace, ["contact.user.created"])
    ok(control.post(f"/_opencom/webhooks/{subscription['id']}/pause"))
    queued = ok(control.post(f"/_opencom/webhooks/{subscription['id']}/ping"))
    assert ok(control.post(f"/_opencom/webhooks/deliveries/{queued['id']}/redeliver"), 409)["errors"][0]["code"] == "conflict"
    assert ok(control.post("/_opencom/webhooks/deliveries/999999999/redeliver"), 404)["errors"][0]["code"] == "not_found"
    assert ok(control.post("/_opencom/webhooks/deliveries/abc/redeliver"), 404)["errors"][0]["code"] == "not_found"


def test_the_delivery_log_filters(control, db, workspace, receiver, subscribe):
    subscription = subscribe(workspace, ["contact.user.created", "contact.deleted"])
    who = caller(db, workspace)
    emit(db, who, "contact.user.created", {"type": "contact", "id": "a"}, {"type": "contact", "id": "b"})
    emit(db, who, "contact.deleted", {"type": "contact", "id": "a", "deleted": True})
    receiver.wait_for(3)
    wait_until(lambda: len(deliveries(control, subscription["id"], state="delivered")) == 3)
    everything = deliveries(control, subscription["id"])
    assert [d["sequence"] for d in everything] == [3, 2, 1]  # newest first
    assert [d["sequence"] for d in deliveries(control, subscription["id"], topic="contact.deleted")] == [3]
    assert [d["sequence"] for d in deliveries(control, subscription["id"], limit=1, before=3)] == [2]
    assert deliveries(control, subscription["id"], state="pending") == []
    notif = everything[0]["notification_id"]
    assert [d["sequence"] for d in deliveries(control, subscription["id"], notification_id=notif)] == [3]
    assert ok(control.get(f"/_opencom/webhooks/{subscription['id']}/deliveries", params={"state": "nope"}), 400)
    assert ok(control.get(f"/_opencom/webhooks/{subscription['id']}"))["deliveries"] == {"pending": 0, "delivered": 3, "failed": 0}


def test_retry_after_parsing():
    assert parse_retry_after("120") == 120
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: at once


def test_times_follow_the_workspace_clock(api, control, workspace, receiver, subscribe):
    subscription = subscribe(workspace, ["contact.user.created"])
    ok(control.post("/_opencom/clock", json={"workspace_id": workspace.id, "freeze": True, "at": 1700000000}))
    api.post("/contacts", json={"email": "clock@example.com"})
    [event] = receiver.wait_for(1)
    assert event["created_at"] == event["first_sent_at"] == 1700000000
    [logged] = wait_until(lambda: deliveries(control, subscription["id"], state="delivered"))
    assert logged["delivered_at"] == logged["log"][0]["sent_at"] == 1700000000


def test_the_receiver_in_the_docs_verifies_real_notifications(control, workspace, subscribe, tmp_path):
    import re
    import subprocess
    import sys
    from pathlib import Path

    from tests.support import free_port

    docs = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text()
    code = re.search(r"### Verifying the signature.*?```python\n(.*?)```", docs, re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 10  # "in ten lines"
    port = free_port()
    script = tmp_path / "hook.py"
    script.write_text(code.replace("9000", str(port)))
    hook = subprocess.Popen([sys.executable, "-u", str(script)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        right = subscribe(workspace, ["ping"], url=f"http://127.0.0.1:{port}/hook", secret="s")
        wrong = subscribe(workspace, ["ping"], url=f"http://127.0.0.1:{port}/hook", secret="not-s")
        for subscription in (right, wrong):  # a ping sent before the hook listens is retried
            ok(control.post(f"/_opencom/webhooks/{subscription['id']}/ping"))

        def answered(subscription):
            return [a["status_code"] for d in deliveries(control, subscription["id"]) for a in d["log"] if a["status_code"]]

        assert wait_until(lambda: answered(right), timeout=30)[0] == 200
        assert wait_until(lambda: answered(wrong), timeout=30)[0] == 401
    finally:
        hook.kill()
        hook.wait(10)
        hook.stdout.close()
