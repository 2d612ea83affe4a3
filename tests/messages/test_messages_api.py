"""POST /messages over HTTP: admin in-app and email messages, pending conversations, contact bodies."""

from __future__ import annotations

from opencom.messages.models import Message


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def contact(api, **fields):
    fields.setdefault("role", "user")
    return ok(api.post("/contacts", json=fields))


def send(api, workspace, to_id, status=200, **body):
    payload = {"from": {"type": "admin", "id": str(workspace.owner_id)}, "to": {"type": "user", "id": to_id},
               "message_type": "inapp", "body": "heyy"}
    payload.update(body)
    return ok(api.post("/messages", json=payload), status)


def stored(db, message_id):
    with db.transaction(write=False) as session:
        return session.get(Message, int(message_id))


def test_in_app_message_waits_for_the_reply(api, workspace, db):
    joe = contact(api, email="joe@example.com")
    message = send(api, workspace, joe["id"], message_type="conversation")
    assert message["type"] == "admin_message" and message["message_type"] == "inapp" and message["body"] == "heyy"
    assert message["owner"]["id"] == str(workspace.owner_id) and message["owner"]["away_mode_enabled"] is False
    assert "conversation_id" not in message
    record = stored(db, message["id"])
    assert (record.message_type, record.contact_id, record.direction) == ("inapp", joe["id"], "outbound")
    assert ok(api.get("/conversations"))["total_count"] == 0
    assert ok(api.get(f"/contacts/{joe['id']}"))["last_contacted_at"] == message["created_at"]

    reply = {"message_type": "comment", "type": "user", "intercom_user_id": joe["id"], "body": "Thanks again :)"}
    conv = ok(api.post("/conversations/last/reply", json=reply))
    assert conv["source"]["id"] == message["id"] and conv["source"]["delivered_as"] == "admin_initiated"
    assert conv["source"]["author"]["type"] == "admin" and conv["source"]["body"] == "<p>heyy</p>"
    assert conv["admin_assignee_id"] == workspace.owner_id and conv["state"] == "open"
    assert [p["part_type"] for p in conv["conversation_parts"]["conversation_parts"]] == ["open"]
    found = ok(api.post("/conversations/search", json={"query": {"field": "source.id", "operator": "=", "value": message["id"]}}))
    assert [c["id"] for c in found["conversations"]] == [conv["id"]]
    # the message now has its conversation: the next reply goes to it
    assert ok(api.post("/conversations/last/reply", json=reply))["id"] == conv["id"]


def test_create_conversation_without_contact_reply(api, workspace):
    joe = contact(api, email="now@example.com")
    message = send(api, workspace, joe["id"], create_conversation_without_contact_reply=True)
    conv = ok(api.get(f"/conversations/{message['conversation_id']}"))
    assert conv["state"] == "closed" and conv["open"] is False and conv["waiting_since"] is None
    assert conv["contacts"]["contacts"][0]["id"] == joe["id"]


def test_email_message(api, workspace, db):
    joe = contact(api, email="mail@example.com")
    message = send(api, workspace, joe["id"], message_type="email", subject="Greetings", template="plain",
                   create_conversation_without_contact_reply=True)
    assert message["message_type"] == "email" and message["subject"] == "Greetings"
    record = stored(db, message["id"])
    assert (record.to_address, record.template, record.subject) == ("mail@example.com", "plain", "Greetings")
    conv = ok(api.get(f"/conversations/{message['conversation_id']}"))
    assert conv["source"]["type"] == "email" and conv["source"]["subject"] == "Greetings"


def test_errors(api, workspace):
    joe = contact(api, email="err@example.com")
    assert send(api, workspace, joe["id"], 400, body=None)["errors"] == [{"code": "parameter_invalid", "message": "Body is required", "field": "body"}]
    no_subject = send(api, workspace, joe["id"], 422, message_type="email", template="plain")
    assert no_subject["errors"][0]["code"] == "parameter_not_found"
    assert no_subject["errors"][0]["message"] == "No subject supplied for email message"
    assert send(api, workspace, joe["id"], 400, message_type="email", subject="s", body=None, template="plain")["errors"][0]["message"] == "Body is required"
    assert send(api, workspace, joe["id"], 400, message_type="email", subject="s", template="fancy")["errors"][0]["field"] == "template"
    assert send(api, workspace, joe["id"], 400, message_type="sms")["errors"][0]["field"] == "message_type"
    assert send(api, workspace, "nope", 404)["errors"] == [{"code": "not_found", "message": "User Not Found"}]
    assert send(api, workspace, joe["id"], 404, **{"from": {"type": "admin", "id": 999999}})["errors"][0]["code"] == "admin_not_found"
    assert send(api, workspace, joe["id"], 400, create_conversation_without_contact_reply="yes")["errors"][0]["field"] == "create_conversation_without_contact_reply"
    lead = contact(api, role="lead")
    assert send(api, workspace, lead["id"], 400, message_type="email", subject="s", template="plain")["errors"][0]["field"] == "to.id"
    assert ok(api.post("/messages", json=[1]), 400)["errors"][0]["code"] == "parameter_not_found"


def test_contact_initiated_body(api, workspace):
    lead = contact(api, role="lead")
    message = ok(api.post("/messages", json={"from": {"type": "lead", "id": lead["id"]}, "body": "heyy", "referer": "https://twitter.com/bob"}))
    assert message["type"] == "user_message" and message["message_type"] == "inapp" and message["conversation_id"]
    conv = ok(api.get(f"/conversations/{message['conversation_id']}"))
    assert conv["source"]["delivered_as"] == "customer_initiated" and conv["source"]["author"]["type"] == "lead"
