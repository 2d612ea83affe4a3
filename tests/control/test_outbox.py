"""The outbox over HTTP: GET /_opencom/outbox (control/outbox.py).

What Intercom would have delivered, read from the records the domains keep: outbound messages
(email, in-app, phone-switch SMS), admin replies in conversations, news notifications.
"""

from __future__ import annotations


import pytest

from opencom.core.clock import clock

PAST = 1_700_000_000


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def frozen():
    clock.freeze()
    try:
        yield
    finally:
        clock.reset()


def outbox(control, workspace, **params) -> list[dict]:
    return ok(control.get("/_opencom/outbox", params={"workspace_id": workspace.id, **params}))["data"]


def contact(api, **fields):
    return ok(api.post("/contacts", json={"role": "user", **fields}))


def message(api, workspace, to_id, **body):
    payload = {"from": {"type": "admin", "id": str(workspace.owner_id)}, "to": {"type": "user", "id": to_id},
               "message_type": "inapp", "body": "Hello there"}
    return ok(api.post("/messages", json={**payload, **body}))


def reply(api, workspace, conversation_id, body, message_type="comment"):
    payload = {"message_type": message_type, "type": "admin", "admin_id": workspace.owner_id, "body": body}
    return ok(api.post(f"/conversations/{conversation_id}/reply", json=payload))


def manage(api, workspace, conversation_id, **body):
    return ok(api.post(f"/conversations/{conversation_id}/parts", json={"type": "admin", "admin_id": workspace.owner_id, **body}))


def test_an_email_message(api, control, workspace):
    ada = contact(api, email="ada@example.com", name="Ada")
    sent = message(api, workspace, ada["id"], message_type="email", subject="Your invoice", template="plain", body="It is ready")
    [item] = outbox(control, workspace)
    assert item == {
        "type": "outbox_item",
        "id": f"message_{sent['id']}",
        "channel": "email",
        "workspace_id": workspace.id,
        "to": {"type": "contact", "id": ada["id"], "email": "ada@example.com"},
        "from": {"type": "admin", "id": str(workspace.owner_id)},
        "subject": "Your invoice",
        "body": "It is ready",
        "created_at": sent["created_at"],
        "source": {"type": "message", "id": sent["id"]},
    }


def test_an_in_app_message_and_filters(api, control, workspace):
    ada = contact(api, email="ada@example.com")
    bob = contact(api, email="bob@example.com")
    message(api, workspace, ada["id"], created_at=PAST)
    message(api, workspace, bob["id"], message_type="email", subject="Hi", template="personal", created_at=PAST + 10)
    items = outbox(control, workspace)
    assert [(i["channel"], i["to"]["id"]) for i in items] == [("in_app", ada["id"]), ("email", bob["id"])]
    assert items[0]["to"] == {"type": "contact", "id": ada["id"]} and items[0]["subject"] is None
    assert [i["to"]["id"] for i in outbox(control, workspace, channel="in_app")] == [ada["id"]]
    assert [i["to"]["id"] for i in outbox(control, workspace, to="bob@example.com")] == [bob["id"]]
    assert [i["to"]["id"] for i in outbox(control, workspace, to=ada["id"])] == [ada["id"]]
    assert outbox(control, workspace, to="nobody@example.com") == []
    assert [i["to"]["id"] for i in outbox(control, workspace, since=PAST + 5)] == [bob["id"]]
    assert [i["to"]["id"] for i in outbox(control, workspace, until=PAST + 5)] == [ada["id"]]
    listed = ok(control.get("/_opencom/outbox", params={"workspace_id": workspace.id, "limit": 1}))
    assert listed["type"] == "list" and len(listed["data"]) == 1 and listed["total_count"] == 2
    everywhere = ok(control.get("/_opencom/outbox", params={"to": bob["id"], "limit": 1000}))["data"]
    assert [i["workspace_id"] for i in everywhere] == [workspace.id]


def test_admin_replies_reach_the_participants_of_the_time_but_notes_do_not(api, control, workspace, frozen):
    joe = contact(api, email="joe@example.com")
    ann = contact(api, email="ann@example.com")
    started = ok(api.post("/conversations", json={"from": {"type": "user", "id": joe["id"]}, "body": "Help"}))
    cid = started["conversation_id"]
    assert outbox(control, workspace) == []  # the contact's own message is not delivered to anyone
    reply(api, workspace, cid, "On it")
    reply(api, workspace, cid, "internal only", message_type="note")
    clock.advance(5)  # Ann joins later: she never got "On it"
    ok(api.post(f"/conversations/{cid}/customers", json={"admin_id": workspace.owner_id, "customer": {"intercom_user_id": ann["id"]}}))
    manage(api, workspace, cid, message_type="assignment", assignee_id=str(workspace.owner_id), body="Taking this")
    manage(api, workspace, cid, message_type="close")  # no body: nothing sent
    manage(api, workspace, cid, message_type="close", body="Fixed!")
    items = outbox(control, workspace)
    got = [(i["body"], i["to"]["id"]) for i in items]
    assert sorted(got) == sorted([
        ("<p>On it</p>", joe["id"]),
        ("<p>Taking this</p>", joe["id"]), ("<p>Taking this</p>", ann["id"]),
        ("<p>Fixed!</p>", joe["id"]), ("<p>Fixed!</p>", ann["id"]),
    ])
    for item in items:
        assert item["channel"] == "in_app" and item["source"] == {"type": "conversation", "id": cid}
        assert item["from"] == {"type": "admin", "id": str(workspace.owner_id)}
        assert item["to"] == {"type": "contact", "id": item["to"]["id"]}  # in-app: no address
    assert len({i["id"] for i in items}) == len(items)


def test_replies_in_an_email_conversation_are_emails(api, control, workspace):
    joe = contact(api, email="joe@example.com")
    sent = message(api, workspace, joe["id"], message_type="email", subject="Hi", template="plain",
                   create_conversation_without_contact_reply=True)
    reply(api, workspace, sent["conversation_id"], "Following up")
    first, second = outbox(control, workspace)
    assert first["source"] == {"type": "message", "id": sent["id"]}
    assert second["channel"] == "email" and second["to"] == {"type": "contact", "id": joe["id"], "email": "joe@example.com"}
    assert second["body"] == "<p>Following up</p>" and second["source"] == {"type": "conversation", "id": sent["conversation_id"]}


def test_phone_switch_sms(api, control, workspace):
    redirect = ok(api.post("/phone_call_redirects", json={"phone": "+1 415 555 2671"}))
    [item] = outbox(control, workspace)
    assert item["channel"] == "sms" and item["from"] == {"type": "bot"}
    assert item["to"]["type"] == "contact" and item["to"]["phone"] == "+14155552671"
    assert redirect["url"] in item["body"] and item["source"]["type"] == "message"
    assert outbox(control, workspace, channel="sms", to="+14155552671") == [item]


def test_news_notifications(api, control, workspace):
    feed = ok(api.get("/news/newsfeeds"))["data"][0]["id"]
    live = {"sender_id": str(workspace.owner_id), "state": "live", "newsfeed_assignments": [{"newsfeed_id": int(feed), "published_at": PAST}]}
    item = ok(api.post("/news/news_items", json={"title": "New pricing", "body": "<p>Cheaper</p>", **live}))
    ok(api.post("/news/news_items", json={"title": "Quiet", "body": "shh", "deliver_silently": True, **live}))
    ok(api.post("/news/news_items", json={"title": "Draft", "sender_id": str(workspace.owner_id)}))
    [sent] = outbox(control, workspace, channel="news")
    assert sent["to"] == {"type": "newsfeed", "id": str(feed)} and sent["from"] == {"type": "admin", "id": str(workspace.owner_id)}
    assert (sent["subject"], sent["body"]) == ("New pricing", "<p>Cheaper</p>")
    assert sent["source"] == {"type": "news_item", "id": item["id"]}
    ok(api.delete(f"/news/news_items/{item['id']}"))  # a sent notification stays sent
    [kept] = outbox(control, workspace, channel="news")
    assert kept["id"] == sent["id"] and kept["subject"] is None


def test_reset_empties_the_outbox(api, control, workspace):
    ada = contact(api, email="ada@example.com")
    message(api, workspace, ada["id"])
    assert len(outbox(control, workspace)) == 1
    ok(control.post("/_opencom/reset", json={"workspace_id": workspace.id}))
    assert outbox(control, workspace) == []


def test_bad_parameters(control):
    for params, field in (({"channel": "fax"}, "channel"), ({"limit": 0}, "limit"), ({"since": "x"}, "since"),
                          ({"workspace_id": 0}, "workspace_id")):
        body = ok(control.get("/_opencom/outbox", params=params), 400)
        assert body["errors"][0]["code"] == "parameter_invalid" and body["errors"][0]["field"] == field


def test_admin_replies_on_shared_tickets(api, control, workspace):
    joe = contact(api, email="joe@example.com")
    customer = ok(api.post("/ticket_types", json={"name": "Customer type", "category": "Customer"}))
    back_office = ok(api.post("/ticket_types", json={"name": "Back-office type", "category": "Back-office"}))
    shared = ok(api.post("/tickets", json={"ticket_type_id": customer["id"], "contacts": [{"id": joe["id"]}]}))
    internal = ok(api.post("/tickets", json={"ticket_type_id": back_office["id"], "contacts": [{"id": joe["id"]}]}))
    admin = {"type": "admin", "admin_id": str(workspace.owner_id)}
    for ticket in (shared, internal):
        ok(api.post(f"/tickets/{ticket['id']}/reply", json={**admin, "message_type": "comment", "body": "We are on it"}))
        ok(api.post(f"/tickets/{ticket['id']}/reply", json={**admin, "message_type": "note", "body": "internal"}))
    [item] = outbox(control, workspace)
    assert item["channel"] == "in_app" and item["to"] == {"type": "contact", "id": joe["id"]}
    assert item["body"] == "We are on it" and item["source"] == {"type": "ticket", "id": shared["id"]}
