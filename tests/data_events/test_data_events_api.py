"""Data events over HTTP: submitting, de-duplication, summaries, listing recent events."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from opencom.core.clock import now
from tests.people import make_contact

DAY = 24 * 3600


@pytest.fixture
def user(db, workspace):
    return make_contact(db, workspace.id, email="frodo@example.com", external_id="314159")


def error(response) -> dict:
    return response.json()["errors"][0]


def summary(api, **params) -> dict:
    response = api.get("/events", params={"type": "user", "summary": "true", **params})
    assert response.status_code == 200
    return response.json()


def test_submit_and_summarise(api, user):
    t = now() - 100
    for body in (
        {"event_name": "invited-friend", "created_at": t, "user_id": "314159"},
        {"event_name": "invited-friend", "created_at": t + 10, "id": user},
        {"event_name": "invited-friend", "created_at": t - 10, "email": "frodo@example.com", "metadata": {"invite_code": "ADD"}},
        {"event_name": "updated-plan", "created_at": t, "user_id": 314159},
    ):
        response = api.post("/events", json=body)
        assert response.status_code == 202 and response.content == b""
    body = summary(api, user_id="314159")
    assert body["type"] == "event.summary"
    assert (body["intercom_user_id"], body["user_id"], body["email"]) == (user, "314159", "frodo@example.com")
    events = {e["name"]: e for e in body["events"]}
    assert events["invited-friend"]["count"] == 3 and events["updated-plan"]["count"] == 1
    first, last = events["invited-friend"]["first"], events["invited-friend"]["last"]
    assert first.endswith(".000+00:00") and first < last
    from opencom.data_events.schemas import iso_time

    assert (first, last) == (iso_time(t - 10), iso_time(t + 10))
    # The same summary through each identifier.
    assert summary(api, intercom_user_id=user)["events"] == body["events"]
    assert summary(api, email="frodo@example.com")["events"] == body["events"]


def test_duplicates_are_accepted_and_ignored(api, user):
    body = {"event_name": "placed-order", "created_at": now(), "id": user}
    assert api.post("/events", json=body).status_code == 202
    assert api.post("/events", json=body).status_code == 202
    assert summary(api, intercom_user_id=user)["events"][0]["count"] == 1
    listed = api.get("/events", params={"type": "user", "intercom_user_id": user}).json()
    assert len(listed["events"]) == 1


def test_list_events_newest_first_with_metadata(api, user):
    t = now() - 1000
    metadata = {
        "source": "desktop", "load": 3.67, "contact_date": 1392036272, "article": "https://example.org/ab1de.html",
        "rich": {"url": "https://example.org", "value": "the dude abides"}, "price": {"amount": 34999, "currency": "eur"},
        "flag": True, "nothing": None,
    }
    api.post("/events", json={"event_name": "older", "created_at": t, "id": user, "metadata": metadata})
    api.post("/events", json={"event_name": "newer", "created_at": t + 5, "id": user})
    response = api.get("/events", params={"type": "user", "user_id": "314159"})
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "event.list"
    assert [e["event_name"] for e in body["events"]] == ["newer", "older"]
    older = body["events"][1]
    assert older == {
        "type": "event", "event_name": "older", "created_at": t, "intercom_user_id": user, "user_id": "314159",
        "email": "frodo@example.com", "metadata": metadata,
    }
    assert "next" not in body["pages"]
    assert parse_qs(urlsplit(body["pages"]["since"]).query)["since"] == [str(t + 6)]


def test_only_the_first_ten_metadata_keys_are_kept(api, user):
    metadata = {f"key{i}": i for i in range(12)}
    api.post("/events", json={"event_name": "many", "created_at": now(), "id": user, "metadata": metadata})
    event = api.get("/events", params={"type": "user", "intercom_user_id": user}).json()["events"][0]
    assert list(event["metadata"]) == [f"key{i}" for i in range(10)]


def test_events_older_than_90_days_count_but_are_not_listed(api, user):
    api.post("/events", json={"event_name": "ancient", "created_at": now() - 91 * DAY, "id": user})
    api.post("/events", json={"event_name": "recent", "created_at": now() - 89 * DAY, "id": user})
    listed = api.get("/events", params={"type": "user", "intercom_user_id": user}).json()["events"]
    assert [e["event_name"] for e in listed] == ["recent"]
    assert {e["name"] for e in summary(api, intercom_user_id=user)["events"]} == {"ancient", "recent"}


def test_pages_follow_next_urls(api, user):
    t = now() - 500
    for i in range(5):
        api.post("/events", json={"event_name": f"e{i}", "created_at": t + i, "id": user})
    names, url = [], "/events?" + "type=user&per_page=2&intercom_user_id=" + user
    while url:
        body = api.get(url).json()
        names += [e["event_name"] for e in body["events"]]
        assert len(body["events"]) <= 2
        next_url = body["pages"].get("next")
        url = (urlsplit(next_url).path + "?" + urlsplit(next_url).query) if next_url else None
    assert names == ["e4", "e3", "e2", "e1", "e0"]
    since = api.get("/events", params={"type": "user", "intercom_user_id": user, "since": t + 3}).json()
    assert [e["event_name"] for e in since["events"]] == ["e4", "e3"]
    assert api.get("/events", params={"type": "user", "intercom_user_id": user, "before": "junk"}).status_code == 400
    assert api.get("/events", params={"type": "user", "intercom_user_id": user, "per_page": 0}).status_code == 400


def test_events_belong_to_their_contact(api, db, workspace, user):
    other = make_contact(db, workspace.id, role="lead")
    api.post("/events", json={"event_name": "lead-event", "created_at": now(), "id": other})
    assert api.get("/events", params={"type": "user", "intercom_user_id": user}).json()["events"] == []
    assert summary(api, intercom_user_id=other)["events"][0]["name"] == "lead-event"
    # Leads are not found by email.
    lead = make_contact(db, workspace.id, role="lead", email="lead@example.com")
    response = api.post("/events", json={"event_name": "x", "created_at": now(), "email": "lead@example.com"})
    assert response.status_code == 404
    assert lead


def test_unknown_contact(api, user):
    for body in (
        {"event_name": "x", "created_at": now(), "id": "000000000000000000000000"},
        {"event_name": "x", "created_at": now(), "user_id": "nobody"},
        {"event_name": "x", "created_at": now(), "email": "nobody@example.com"},
    ):
        response = api.post("/events", json=body)
        assert response.status_code == 404 and error(response) == {"code": "not_found", "message": "User Not Found"}
    response = api.get("/events", params={"type": "user", "user_id": "nobody"})
    assert response.status_code == 404 and error(response)["message"] == "User Not Found"


INVALID_EVENTS = [
    ({"created_at": 1}, "parameter_not_found", "event_name"),
    ({"event_name": "x"}, "parameter_not_found", "created_at"),
    ({"event_name": "", "created_at": 1}, "parameter_invalid", "event_name"),
    ({"event_name": 5, "created_at": 1}, "parameter_invalid", "event_name"),
    ({"event_name": "x", "created_at": "yesterday"}, "parameter_invalid", "created_at"),
    ({"event_name": "x", "created_at": True}, "parameter_invalid", "created_at"),
    ({"event_name": "x", "created_at": 1, "metadata": "flat"}, "parameter_invalid", "metadata"),
    ({"event_name": "x", "created_at": 1, "metadata": {"deep": {"a": {"b": 1}}}}, "parameter_invalid", "metadata.deep"),
    ({"event_name": "x", "created_at": 1, "metadata": {"list": [1, 2]}}, "parameter_invalid", "metadata.list"),
    ({"event_name": "x", "created_at": 1, "metadata": {"price": {"amount": 1.5, "currency": "eur"}}}, "parameter_invalid", "metadata.price"),
    ({"event_name": "x", "created_at": 1}, "parameter_not_found", "user_id"),
]


def test_invalid_events(api, user):
    for body, code, field in INVALID_EVENTS:
        if field != "user_id":
            body = {**body, "id": user}
        response = api.post("/events", json=body)
        assert response.status_code == 400, body
        assert (error(response)["code"], error(response)["field"]) == (code, field), body
    assert summary(api, intercom_user_id=user)["events"] == []


def test_invalid_list_queries(api, user):
    assert error(api.get("/events", params={"user_id": "314159"}))["code"] == "parameter_not_found"
    assert error(api.get("/events", params={"type": "lead", "user_id": "314159"}))["field"] == "type"
    assert api.get("/events", params={"type": "user"}).status_code == 400
    assert api.get("/events", params={"type": "user", "user_id": "314159", "summary": "maybe"}).status_code == 400
    assert api.get("/events", params={"type": "user", "user_id": "314159", "since": "soon"}).status_code == 400
    assert api.get("/events", params={"type": "user", "user_id": "314159", "since": "²"}).status_code == 400  # was a 500


def test_post_summaries_adds_to_counts(api, user):
    t = now() - 1000
    api.post("/events", json={"event_name": "invited-friend", "created_at": t, "id": user})
    response = api.post("/events/summaries", json={
        "user_id": "314159",
        "event_summaries": {"event_name": "invited-friend", "count": 4, "first": t - 500, "last": t - 100},
    })
    assert response.status_code == 200 and response.content == b""
    response = api.post("/events/summaries", json={
        "user_id": "314159",
        "event_summaries": [{"event_name": "bought", "count": 2, "first": t, "last": t + 50}, {"event_name": "viewed"}],
    })
    assert response.status_code == 200
    events = {e["name"]: e for e in summary(api, user_id="314159")["events"]}
    from opencom.data_events.schemas import iso_time

    assert events["invited-friend"]["count"] == 5
    assert (events["invited-friend"]["first"], events["invited-friend"]["last"]) == (iso_time(t - 500), iso_time(t))
    assert events["bought"]["count"] == 2 and events["viewed"]["count"] == 1


INVALID_SUMMARIES = [
    ({"event_summaries": {"event_name": "x"}}, 400, "user_id"),
    ({"user_id": "314159"}, 400, "event_summaries"),
    ({"user_id": "314159", "event_summaries": "x"}, 400, "event_summaries"),
    ({"user_id": "314159", "event_summaries": [{"count": 1}]}, 400, "event_summaries[0].event_name"),
    ({"user_id": "314159", "event_summaries": {"event_name": "x", "count": 0}}, 400, "event_summaries[0].count"),
    ({"user_id": "314159", "event_summaries": {"event_name": "x", "first": "a"}}, 400, "event_summaries[0].first"),
    ({"user_id": "314159", "event_summaries": {"event_name": "x", "first": 10, "last": 5}}, 400, "event_summaries[0].first"),
    ({"user_id": "nobody", "event_summaries": {"event_name": "x"}}, 404, None),
]


def test_invalid_summaries(api, user):
    for body, status, field in INVALID_SUMMARIES:
        response = api.post("/events/summaries", json=body)
        assert response.status_code == status, body
        assert error(response).get("field") == field, body
    assert summary(api, user_id="314159")["events"] == []


def test_needs_a_token(anon):
    assert anon.post("/events", json={}).status_code == 401


def test_concurrent_repeats_of_one_event_count_once(api, workspace):
    from concurrent.futures import ThreadPoolExecutor

    from tests.support import make_client

    contact = api.post("/contacts", json={"email": "racer@example.com"}).json()
    event = {"event_name": "raced", "created_at": 1700000000, "id": contact["id"]}

    def send(_):
        with make_client(str(api.base_url), workspace.token) as client:
            return client.post("/events", json=event).status_code

    with ThreadPoolExecutor(6) as pool:
        assert set(pool.map(send, range(6))) == {202}
    summary = api.get("/events", params={"type": "user", "intercom_user_id": contact["id"], "summary": "true"}).json()
    assert [(e["name"], e["count"]) for e in summary["events"]] == [("raced", 1)]
