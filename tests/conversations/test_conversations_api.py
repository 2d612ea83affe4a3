"""Conversations over HTTP: create, retrieve, list, search, reply, manage, participants, redact, tags."""

from __future__ import annotations

from opencom.teams.service import create_team

import base64

import pytest

from opencom.core.clock import clock

NOT_FOUND = [{"code": "not_found", "message": "Resource Not Found"}]
USER_NOT_FOUND = [{"code": "not_found", "message": "User Not Found"}]


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def contact(api, **fields):
    fields.setdefault("role", "user")
    return ok(api.post("/contacts", json=fields))


def start(api, contact_id, body="Hello there", **extra):
    message = ok(api.post("/conversations", json={"from": {"type": "user", "id": contact_id}, "body": body, **extra}))
    return message, ok(api.get(f"/conversations/{message['conversation_id']}"))


def admin_reply(api, workspace, cid, body="Hi!", kind="comment", **extra):
    payload = {"message_type": kind, "type": "admin", "admin_id": workspace.owner_id, "body": body, **extra}
    return ok(api.post(f"/conversations/{cid}/reply", json=payload))


def user_reply(api, cid, contact_id, body="Thanks", **extra):
    payload = {"message_type": "comment", "type": "user", "intercom_user_id": contact_id, "body": body, **extra}
    return ok(api.post(f"/conversations/{cid}/reply", json=payload))


def manage(api, workspace, cid, status=200, **body):
    body.setdefault("admin_id", workspace.owner_id)
    return ok(api.post(f"/conversations/{cid}/parts", json=body), status)


def parts(conversation):
    return [p["part_type"] for p in conversation["conversation_parts"]["conversation_parts"]]


def test_create_and_retrieve(api, workspace):
    joe = contact(api, email="joe@example.com", name="Joe", external_id="70")
    message, conv = start(api, joe["id"], "Hello there")
    assert message == {"type": "user_message", "id": message["id"], "created_at": message["created_at"],
                       "body": "Hello there", "message_type": "inapp", "conversation_id": conv["id"]}
    assert conv["source"] == {
        "type": "conversation", "id": message["id"], "delivered_as": "customer_initiated", "subject": "",
        "body": "<p>Hello there</p>", "author": {"type": "user", "id": joe["id"], "name": "Joe", "email": "joe@example.com"},
        "attachments": [], "url": None, "redacted": False,
    }
    assert conv["contacts"] == {"type": "contact.list", "contacts": [{"type": "contact", "id": joe["id"], "external_id": "70"}]}
    assert conv["state"] == "open" and conv["open"] is True and conv["read"] is False
    assert conv["waiting_since"] == message["created_at"]
    assert conv["first_contact_reply"] == {"created_at": message["created_at"], "type": "conversation", "url": None}
    assert conv["admin_assignee_id"] is None and conv["team_assignee_id"] is None
    assert conv["conversation_parts"] == {"type": "conversation_part.list", "conversation_parts": [], "total_count": 0}
    assert conv["tags"] == {"type": "tag.list", "tags": []} and conv["topics"] == {} and conv["ticket"] is None
    assert conv["linked_objects"] == {"type": "list", "data": [], "total_count": 0, "has_more": False}


def test_create_errors(api):
    assert ok(api.post("/conversations", json={"from": {"type": "user", "id": "123_doesnt_exist"}, "body": "x"}), 404)["errors"] == USER_NOT_FOUND
    joe = contact(api, email="a@example.com")
    for body, field in [
        ({"from": {"type": "user", "id": joe["id"]}}, "body"),
        ({"from": {"type": "admin", "id": joe["id"]}, "body": "x"}, "from.type"),
        ({"body": "x"}, "from"),
        ({"from": {"type": "user", "id": joe["id"]}, "body": 5}, "body"),
        ({"from": {"type": "user", "id": joe["id"]}, "body": "x", "attachment_urls": ["ftp://x"]}, "attachment_urls[0]"),
        ({"from": {"type": "user", "id": joe["id"]}, "body": "x", "attachment_urls": ["http://a/b"] * 11}, "attachment_urls"),
    ]:
        error = ok(api.post("/conversations", json=body), 400)["errors"][0]
        assert error["field"] == field, (body, error)
    assert ok(api.get("/conversations"))["total_count"] == 0  # nothing half-written


def test_visitor_becomes_lead(api, workspace, db):
    from opencom.visitors.service import create_visitor

    with db.transaction() as session:
        visitor = create_visitor(session, workspace.id, name="Vera", email="vera@example.com")
        visitor_id = visitor.id
    message = ok(api.post("/conversations", json={"from": {"type": "contact", "id": visitor_id}, "body": "hi"}))
    conv = ok(api.get(f"/conversations/{message['conversation_id']}"))
    lead = ok(api.get(f"/contacts/{conv['contacts']['contacts'][0]['id']}"))
    assert lead["role"] == "lead" and lead["email"] == "vera@example.com"
    assert conv["source"]["author"]["type"] == "lead"
    assert api.get(f"/visitors/{visitor_id}").status_code == 404


def test_unknown_ids_and_plaintext(api, workspace):
    assert ok(api.get("/conversations/999999"), 404)["errors"] == NOT_FOUND
    assert ok(api.get("/conversations/abc"), 404)["errors"] == NOT_FOUND
    joe = contact(api, email="p@example.com")
    _, conv = start(api, joe["id"], "Line one\n\nLine <two>")
    assert conv["source"]["body"] == "<p>Line one</p><p>Line &lt;two&gt;</p>"
    admin_reply(api, workspace, conv["id"], "<html><body><h2>Title</h2><ul><li>Tea</li></ul></body></html>", kind="note")
    plain = ok(api.get(f"/conversations/{conv['id']}", params={"display_as": "plaintext"}))
    assert plain["source"]["body"] == "Line one\nLine <two>"
    assert plain["conversation_parts"]["conversation_parts"][0]["body"] == "Title\nTea"


def test_reply_flow_and_state(api, workspace):
    joe = contact(api, email="r@example.com", name="Joe")
    _, conv = start(api, joe["id"])
    cid = conv["id"]
    clock.advance(0)
    replied = admin_reply(api, workspace, cid, "Hi Joe")
    assert parts(replied) == ["comment"] and replied["waiting_since"] is None
    assert replied["teammates"] == {"type": "admin.list", "teammates": [{"type": "admin", "id": str(workspace.owner_id)}]}
    part = replied["conversation_parts"]["conversation_parts"][0]
    assert part["body"] == "<p>Hi Joe</p>" and part["author"]["type"] == "admin" and part["author"]["id"] == str(workspace.owner_id)
    assert replied["statistics"]["first_admin_reply_at"] == part["created_at"]

    closed = manage(api, workspace, cid, message_type="close", type="admin", body="Goodbye :)")
    assert closed["state"] == "closed" and closed["open"] is False and parts(closed)[-1] == "close"
    assert closed["conversation_parts"]["conversation_parts"][-1]["body"] == "<p>Goodbye :)</p>"

    note = admin_reply(api, workspace, cid, "internal", kind="note")
    assert note["state"] == "closed" and parts(note)[-1] == "note"

    reopened = user_reply(api, cid, joe["id"], "Actually...")
    assert parts(reopened)[-1] == "open" and reopened["state"] == "open" and reopened["read"] is False
    assert reopened["waiting_since"] is not None and reopened["statistics"]["count_reopens"] == 1
    again = user_reply(api, cid, joe["id"], "More")
    assert parts(again)[-1] == "comment" and again["waiting_since"] == reopened["waiting_since"]
    assert again["conversation_parts"]["total_count"] == 5
    assert again["updated_at"] >= conv["updated_at"]

    by_email = ok(api.post(f"/conversations/{cid}/reply", json={"message_type": "comment", "type": "user", "email": "r@example.com", "body": "e"}))
    assert by_email["conversation_parts"]["conversation_parts"][-1]["author"]["id"] == joe["id"]


def test_reply_last_and_errors(api, workspace):
    joe = contact(api, email="l@example.com", external_id="joe-1")
    _, first = start(api, joe["id"], "first")
    clock.advance(2)
    try:
        _, second = start(api, joe["id"], "second")
        clock.advance(2)
        admin_reply(api, workspace, first["id"])  # first is now the most recently updated
        last = ok(api.post("/conversations/last/reply", json={"message_type": "comment", "type": "user", "user_id": "joe-1", "body": "hey"}))
        assert last["id"] == first["id"]
    finally:
        clock.advance(-4)
    other = contact(api, email="o@example.com")
    assert ok(api.post("/conversations/last/reply", json={"message_type": "comment", "type": "user", "intercom_user_id": other["id"], "body": "x"}), 404)["errors"] == NOT_FOUND
    cid = first["id"]
    cases = [
        ({"message_type": "comment", "type": "user", "intercom_user_id": other["id"], "body": "x"}, 400, "intercom_user_id"),
        ({"message_type": "comment", "type": "user", "intercom_user_id": "nope", "body": "x"}, 404, None),
        ({"message_type": "comment", "type": "user", "body": "x"}, 400, "intercom_user_id"),
        ({"message_type": "comment", "type": "user", "intercom_user_id": joe["id"]}, 400, "body"),
        ({"message_type": "close", "type": "admin", "admin_id": workspace.owner_id, "body": "x"}, 400, "message_type"),
        ({"message_type": "comment", "type": "admin", "admin_id": 42, "body": "x"}, 404, "admin_id"),
        ({"message_type": "comment", "type": "admin", "body": "x"}, 400, "admin_id"),
        ({"message_type": "comment", "type": "robot", "body": "x"}, 400, "type"),
        ({"message_type": "comment", "type": "admin", "admin_id": workspace.owner_id, "body": "x", "created_at": "soon"}, 400, "created_at"),
        ({"message_type": "comment", "type": "admin", "admin_id": workspace.owner_id, "body": "x",
          "attachment_files": [{"content_type": "text/plain", "data": "%%%", "name": "a.txt"}]}, 400, "attachment_files[0].data"),
    ]
    for body, status, field in cases:
        error = ok(api.post(f"/conversations/{cid}/reply", json=body), status)["errors"][0]
        assert error.get("field") == field, (body, error)
    assert ok(api.post("/conversations/99999/reply", json=cases[0][0] | {"intercom_user_id": joe["id"]}), 404)["errors"] == NOT_FOUND
    assert ok(api.get(f"/conversations/{cid}"))["conversation_parts"]["total_count"] == 2  # nothing from the failures


def test_attachments(api, workspace):
    joe = contact(api, email="att@example.com")
    _, conv = start(api, joe["id"], "with file", attachment_urls=["https://example.com/files/report.pdf"])
    assert conv["source"]["attachments"] == [{"type": "upload", "name": "report.pdf", "url": "https://example.com/files/report.pdf", "content_type": "application/pdf"}]
    data = base64.b64encode(b"hello world").decode()
    replied = admin_reply(api, workspace, conv["id"], "see file",
                          attachment_files=[{"content_type": "text/plain", "data": data, "name": "hello.txt"}])
    attachment = replied["conversation_parts"]["conversation_parts"][-1]["attachments"][0]
    assert attachment["name"] == "hello.txt" and attachment["filesize"] == 11 and attachment["content_type"] == "text/plain"
    assert attachment["url"].startswith("urn:opencom:attachment:")


def test_snooze_wakes_up_and_assignment(api, workspace, db):
    joe = contact(api, email="s@example.com")
    _, conv = start(api, joe["id"])
    cid = conv["id"]
    until = clock.now() + 3600
    snoozed = manage(api, workspace, cid, message_type="snoozed", snoozed_until=until)
    assert snoozed["state"] == "snoozed" and snoozed["open"] is True and snoozed["snoozed_until"] == until
    found = ok(api.post("/conversations/search", json={"query": {"field": "state", "operator": "=", "value": "snoozed"}}))
    assert [c["id"] for c in found["conversations"]] == [cid]
    clock.advance(3601)
    try:
        woke = ok(api.get(f"/conversations/{cid}"))
        assert woke["state"] == "open" and woke["snoozed_until"] is None
        found = ok(api.post("/conversations/search", json={"query": {"field": "state", "operator": "=", "value": "open"}}))
        assert [c["id"] for c in found["conversations"]] == [cid]
    finally:
        clock.advance(-3601)
    assert manage(api, workspace, cid, 400, message_type="snoozed", snoozed_until=clock.now() - 10)["errors"][0]["field"] == "snoozed_until"
    assert manage(api, workspace, cid, 400, message_type="snoozed")["errors"][0]["field"] == "snoozed_until"

    with db.transaction() as session:
        team = create_team(session, workspace.id, name="Billing")
        team_id = team.id
    manage(api, workspace, cid, message_type="close", type="admin")
    assigned = manage(api, workspace, cid, message_type="assignment", type="admin", assignee_id=str(workspace.owner_id))
    last = assigned["conversation_parts"]["conversation_parts"][-1]
    assert last["part_type"] == "assign_and_reopen" and last["assigned_to"] == {"type": "admin", "id": str(workspace.owner_id)}
    assert assigned["admin_assignee_id"] == workspace.owner_id and assigned["state"] == "open"
    teamed = manage(api, workspace, cid, message_type="assignment", type="team", assignee_id=team_id)
    assert teamed["team_assignee_id"] == team_id and teamed["admin_assignee_id"] == workspace.owner_id
    assert parts(teamed)[-1] == "assignment" and teamed["statistics"]["count_assignments"] == 2
    unassigned = manage(api, workspace, cid, message_type="assignment", type="admin", assignee_id="0")
    assert unassigned["admin_assignee_id"] is None
    assert unassigned["conversation_parts"]["conversation_parts"][-1]["assigned_to"] == {"type": "nobody_admin", "id": None}
    assert manage(api, workspace, cid, 404, message_type="assignment", type="team", assignee_id="999")["errors"][0]["code"] == "assignee_not_found"
    assert manage(api, workspace, cid, 400, message_type="assignment", type="bot", assignee_id="0")["errors"][0]["field"] == "type"
    assert manage(api, workspace, cid, 400, message_type="explode")["errors"][0]["field"] == "message_type"
    for unhashable in ({}, []):  # was a 500 (a dict looked up in a dict)
        assert manage(api, workspace, cid, 400, message_type=unhashable)["errors"][0]["field"] == "message_type"
    assert manage(api, workspace, cid, 404, message_type="open", admin_id="777")["errors"][0]["code"] == "admin_not_found"
    assert manage(api, workspace, "12345678", 404, message_type="open")["errors"] == NOT_FOUND
    opened = manage(api, workspace, cid, message_type="open")
    assert parts(opened)[-1] == "open" and opened["state"] == "open"

    ruled = ok(api.post(f"/conversations/{cid}/run_assignment_rules"))
    last = ruled["conversation_parts"]["conversation_parts"][-1]
    assert last["part_type"] == "default_assignment" and last["assigned_to"] == {"type": "nobody_admin", "id": None}
    assert last["author"]["type"] == "bot" and ruled["team_assignee_id"] == team_id
    assert ok(api.post("/conversations/999999/run_assignment_rules"), 404)["errors"] == NOT_FOUND


def test_update(api, workspace):
    joe = contact(api, email="u@example.com")
    _, conv = start(api, joe["id"])
    updated = ok(api.put(f"/conversations/{conv['id']}", json={"read": True, "title": "Billing", "custom_attributes": {"issue": "refund", "score": 3}}))
    assert updated["read"] is True and updated["title"] == "Billing"
    assert updated["custom_attributes"] == {"issue": "refund", "score": 3}
    assert parts(updated) == ["conversation_attribute_updated_by_admin"]
    cleared = ok(api.put(f"/conversations/{conv['id']}", json={"custom_attributes": {"issue": None}}))
    assert cleared["custom_attributes"] == {"score": 3}
    for body, field in [({"read": "yes"}, "read"), ({"custom_attributes": {"a": {"b": 1}}}, "custom_attributes.a"),
                        ({"custom_attributes": [1]}, "custom_attributes"), ({"title": 5}, "title")]:
        assert ok(api.put(f"/conversations/{conv['id']}", json=body), 400)["errors"][0]["field"] == field
    assert ok(api.put("/conversations/424242", json={"read": True}), 404)["errors"] == NOT_FOUND


def test_list_and_pagination(api, workspace):
    joe = contact(api, email="list@example.com")
    ids = []
    for i in range(5):
        ids.append(start(api, joe["id"], f"message {i}")[1]["id"])
    page = ok(api.get("/conversations", params={"per_page": 2}))
    assert page["type"] == "conversation.list" and page["total_count"] == 5
    assert all("conversation_parts" not in c for c in page["conversations"])
    seen = [c["id"] for c in page["conversations"]]
    while page["pages"].get("next"):
        page = ok(api.get("/conversations", params={"per_page": 2, "starting_after": page["pages"]["next"]["starting_after"]}))
        seen += [c["id"] for c in page["conversations"]]
    assert seen == sorted(ids, key=int, reverse=True)
    assert ok(api.get("/conversations", params={"per_page": 151}), 400)["errors"][0]["field"] == "per_page"
    assert ok(api.get("/conversations", params={"starting_after": "garbage"}), 400)["errors"][0]["field"] == "starting_after"


def test_search(api, workspace):
    joe = contact(api, email="search@example.com", name="Joe Search")
    ann = contact(api, email="ann@example.com")
    m1, c1 = start(api, joe["id"], "I need support with billing")
    _, c2 = start(api, ann["id"], "Hello")
    admin_reply(api, workspace, c2["id"])

    def search(query, **pagination):
        body = {"query": query}
        if pagination:
            body["pagination"] = pagination
        return ok(api.post("/conversations/search", json=body))

    def ids(query):
        return sorted(c["id"] for c in search(query)["conversations"])

    assert ids({"field": "source.body", "operator": "=", "value": "support"}) == [c1["id"]]
    assert ids({"field": "source.body", "operator": "=", "value": "need support"}) == []
    assert ids({"field": "source.body", "operator": "~", "value": "bill"}) == [c1["id"]]
    assert ids({"field": "source.id", "operator": "=", "value": m1["id"]}) == [c1["id"]]
    assert ids({"field": "contact_ids", "operator": "=", "value": ann["id"]}) == [c2["id"]]
    assert ids({"field": "teammate_ids", "operator": "=", "value": str(workspace.owner_id)}) == [c2["id"]]
    assert ids({"field": "waiting_since", "operator": "=", "value": None}) == [c2["id"]]
    assert ids({"field": "source.author.email", "operator": "=", "value": "search@example.com"}) == [c1["id"]]
    assert ids({"field": "source.author.name", "operator": "^", "value": "joe"}) == [c1["id"]]
    assert ids({"field": "created_at", "operator": ">", "value": str(c1["created_at"])}) == sorted([c1["id"], c2["id"]])
    assert ids({"operator": "AND", "value": [{"field": "open", "operator": "=", "value": True},
                                             {"field": "read", "operator": "=", "value": False}]}) == [c1["id"]]
    assert ids({"field": "conversation_rating.score", "operator": "=", "value": 5}) == []
    assert ids({"field": "statistics.count_conversation_parts", "operator": ">", "value": 0}) == [c2["id"]]
    paged = search({"field": "open", "operator": "=", "value": True}, per_page=1)
    assert paged["total_count"] == 2 and len(paged["conversations"]) == 1 and paged["pages"]["next"]
    nxt = search({"field": "open", "operator": "=", "value": True}, per_page=1, starting_after=paged["pages"]["next"]["starting_after"])
    assert nxt["conversations"][0]["id"] != paged["conversations"][0]["id"]
    for body, field in [({"query": {"field": "nope", "operator": "=", "value": 1}}, "query.field"),
                        ({"query": {"field": "created_at", "operator": "~", "value": "1"}}, "query.operator"),
                        ({}, "query"),
                        ({"query": {"field": "open", "operator": "=", "value": True}, "pagination": {"per_page": 500}}, "pagination.per_page"),
                        ({"query": {"field": "open", "operator": "=", "value": True}, "pagination": {"per_page": None}}, "pagination.per_page"),
                        ({"query": {"field": "open", "operator": "=", "value": True}, "pagination": False}, "pagination")]:
        assert ok(api.post("/conversations/search", json=body), 400)["errors"][0]["field"] == field


def test_participants(api, workspace):
    joe = contact(api, email="p1@example.com", external_id="p1")
    ann = contact(api, email="p2@example.com")
    _, conv = start(api, joe["id"])
    cid = conv["id"]
    added = ok(api.post(f"/conversations/{cid}/customers", json={"admin_id": workspace.owner_id, "customer": {"intercom_user_id": ann["id"]}}))
    assert added == {"customers": [{"type": "user", "id": joe["id"]}, {"type": "user", "id": ann["id"]}]}
    by_user_id = ok(api.post(f"/conversations/{cid}/customers", json={"admin_id": workspace.owner_id, "customer": {"user_id": "p1"}}))
    assert len(by_user_id["customers"]) == 2  # already there
    new_lead = ok(api.post(f"/conversations/{cid}/customers", json={"admin_id": workspace.owner_id, "customer": {"email": "new@example.com"}}))
    lead = new_lead["customers"][-1]
    assert lead["type"] == "lead" and ok(api.get(f"/contacts/{lead['id']}"))["email"] == "new@example.com"
    assert ok(api.post(f"/conversations/{cid}/customers", json={"admin_id": workspace.owner_id, "customer": {"intercom_user_id": "nope"}}), 404)["errors"] == USER_NOT_FOUND
    assert ok(api.post("/conversations/999/customers", json={"admin_id": workspace.owner_id, "customer": {"intercom_user_id": ann["id"]}}), 404)["errors"] == NOT_FOUND
    assert ok(api.post(f"/conversations/{cid}/customers", json={"admin_id": workspace.owner_id}), 400)["errors"][0]["field"] == "customer"
    # customer (and the nested customer_request) is a oneOf: exactly one identifier, a string
    for customer, field in [({"intercom_user_id": ann["id"], "customer": {}}, "customer.customer"),
                            ({"intercom_user_id": ann["id"], "user_id": "p1"}, "customer"),
                            ({"email": 5}, "customer")]:
        body = {"admin_id": workspace.owner_id, "customer": customer}
        assert ok(api.post(f"/conversations/{cid}/customers", json=body), 400)["errors"][0]["field"] == field

    removed = ok(api.request("DELETE", f"/conversations/{cid}/customers/{ann['id']}", json={"admin_id": workspace.owner_id}))
    assert [c["id"] for c in removed["customers"]] == [joe["id"], lead["id"]]
    ok(api.request("DELETE", f"/conversations/{cid}/customers/{lead['id']}", json={"admin_id": workspace.owner_id}))
    last = ok(api.request("DELETE", f"/conversations/{cid}/customers/{joe['id']}", json={"admin_id": workspace.owner_id}), 422)
    assert last["errors"] == [{"code": "parameter_invalid", "message": "Removing the last customer is not allowed"}]
    assert ok(api.request("DELETE", f"/conversations/{cid}/customers/{ann['id']}", json={"admin_id": workspace.owner_id}), 404)["errors"] == USER_NOT_FOUND
    assert ok(api.request("DELETE", f"/conversations/9999/customers/{joe['id']}", json={"admin_id": workspace.owner_id}), 404)["errors"] == NOT_FOUND
    assert ok(api.request("DELETE", f"/conversations/{cid}/customers/{joe['id']}", json={}), 400)["errors"][0]["field"] == "admin_id"
    conv = ok(api.get(f"/conversations/{cid}"))
    assert [c["id"] for c in conv["contacts"]["contacts"]] == [joe["id"]]
    assert parts(conv) == ["participant_added", "participant_added", "participant_removed", "participant_removed"]


def test_redact(api, workspace):
    joe = contact(api, email="red@example.com")
    message, conv = start(api, joe["id"], "my card is 4242")
    cid = conv["id"]
    replied = user_reply(api, cid, joe["id"], "secret")
    part_id = replied["conversation_parts"]["conversation_parts"][-1]["id"]
    redacted = ok(api.post("/conversations/redact", json={"type": "conversation_part", "conversation_id": int(cid), "conversation_part_id": int(part_id)}))
    part = redacted["conversation_parts"]["conversation_parts"][-1]
    assert part["body"] == "<p><i>This message was deleted</i></p>" and part["redacted"] is True
    source = ok(api.post("/conversations/redact", json={"type": "source", "conversation_id": cid, "source_id": message["id"]}))
    assert source["source"]["redacted"] is True and source["source"]["body"] == "<p><i>This message was deleted</i></p>"
    assert ok(api.post("/conversations/search", json={"query": {"field": "source.body", "operator": "=", "value": "4242"}}))["total_count"] == 0
    missing = {"code": "conversation_part_or_message_not_found", "message": "Conversation part or message not found"}
    assert ok(api.post("/conversations/redact", json={"type": "conversation_part", "conversation_id": "really_123_doesnt_exist", "conversation_part_id": "x"}), 404)["errors"] == [missing]
    assert ok(api.post("/conversations/redact", json={"type": "source", "conversation_id": cid, "source_id": "1"}), 404)["errors"] == [missing]
    closed = manage(api, workspace, cid, message_type="close", type="admin")
    no_body = closed["conversation_parts"]["conversation_parts"][-1]["id"]
    error = ok(api.post("/conversations/redact", json={"type": "conversation_part", "conversation_id": cid, "conversation_part_id": no_body}), 400)
    assert error["errors"][0]["code"] == "conversation_part_not_redactable"
    assert ok(api.post("/conversations/redact", json={"type": "thing", "conversation_id": cid}), 400)["errors"][0]["field"] == "type"
    assert ok(api.post("/conversations/redact", json={"type": "source", "conversation_id": cid}), 400)["errors"][0]["field"] == "source_id"


def test_tags(api, workspace):
    joe = contact(api, email="tag@example.com")
    _, conv = start(api, joe["id"])
    cid = conv["id"]
    tag = ok(api.post("/tags", json={"name": "Manual tag"}))
    applied = ok(api.post(f"/conversations/{cid}/tags", json={"id": int(tag["id"]), "admin_id": workspace.owner_id}))
    assert applied["id"] == tag["id"] and applied["name"] == "Manual tag" and applied["applied_at"]
    assert applied["applied_by"] == {"type": "admin", "id": str(workspace.owner_id)}
    shown = ok(api.get(f"/conversations/{cid}"))["tags"]
    assert shown["type"] == "tag.list" and [t["id"] for t in shown["tags"]] == [tag["id"]]
    assert ok(api.post("/conversations/search", json={"query": {"field": "tag_ids", "operator": "IN", "value": [tag["id"]]}}))["total_count"] == 1
    assert ok(api.post("/conversations/search", json={"query": {"field": "tag_ids", "operator": "=", "value": "²"}}))["total_count"] == 0
    conv_missing = [{"code": "not_found", "message": "Conversation not found"}]
    assert ok(api.post("/conversations/999/tags", json={"id": tag["id"], "admin_id": workspace.owner_id}), 404)["errors"] == conv_missing
    assert ok(api.post(f"/conversations/{cid}/tags", json={"id": "999", "admin_id": workspace.owner_id}), 404)["errors"][0]["code"] == "tag_not_found"
    assert ok(api.post(f"/conversations/{cid}/tags", json={"id": tag["id"]}), 400)["errors"][0]["field"] == "admin_id"
    assert ok(api.post(f"/conversations/{cid}/tags", json={"admin_id": workspace.owner_id}), 400)["errors"][0]["field"] == "id"
    removed = ok(api.request("DELETE", f"/conversations/{cid}/tags/{tag['id']}", json={"admin_id": workspace.owner_id}))
    assert removed["id"] == tag["id"] and removed["applied_at"] == applied["applied_at"]
    assert ok(api.get(f"/conversations/{cid}"))["tags"]["tags"] == []
    assert ok(api.request("DELETE", f"/conversations/{cid}/tags/{tag['id']}", json={"admin_id": workspace.owner_id}), 404)["errors"][0]["code"] == "tag_not_found"
    assert ok(api.request("DELETE", f"/conversations/999/tags/{tag['id']}", json={"admin_id": workspace.owner_id}), 404)["errors"] == conv_missing
    # deleting a tag removes it from conversations too
    ok(api.post(f"/conversations/{cid}/tags", json={"id": tag["id"], "admin_id": workspace.owner_id}))
    assert api.delete(f"/tags/{tag['id']}").status_code == 200
    assert ok(api.get(f"/conversations/{cid}"))["tags"]["tags"] == []


def test_merge_moves_conversations_and_delete_keeps_them(api, workspace):
    lead = contact(api, role="lead", name="Lead")
    user = contact(api, email="merge@example.com")
    _, conv = start(api, lead["id"], "from the lead")
    user_reply(api, conv["id"], lead["id"], "again")
    ok(api.post("/contacts/merge", json={"from": lead["id"], "into": user["id"]}))
    merged = ok(api.get(f"/conversations/{conv['id']}"))
    assert [c["id"] for c in merged["contacts"]["contacts"]] == [user["id"]]
    assert merged["source"]["author"]["id"] == user["id"]
    assert merged["conversation_parts"]["conversation_parts"][0]["author"]["id"] == user["id"]
    assert ok(api.post("/conversations/last/reply", json={"message_type": "comment", "type": "user", "intercom_user_id": user["id"], "body": "x"}))["id"] == conv["id"]

    ann = contact(api, email="gone@example.com", name="Ann")
    _, kept = start(api, ann["id"])
    ok(api.delete(f"/contacts/{ann['id']}"))
    after = ok(api.get(f"/conversations/{kept['id']}"))
    assert after["contacts"]["contacts"] == [] and after["source"]["author"] == {"type": "user", "id": ann["id"], "name": None}


def test_workspace_isolation(api, workspace, server, validator, db):
    from opencom.workspaces.service import create_workspace
    from tests.support import make_client

    joe = contact(api, email="iso@example.com")
    _, conv = start(api, joe["id"])
    with db.transaction() as session:
        other = create_workspace(session, "Other")
    with make_client(server, other.token, validator) as stranger:
        assert stranger.get(f"/conversations/{conv['id']}").status_code == 404
        assert stranger.get("/conversations").json()["total_count"] == 0


@pytest.mark.parametrize("path", ["/conversations", "/conversations/1"])
def test_unauthorized(anon, path):
    assert anon.get(path).status_code == 401


def test_assignment_shows_in_statistics_and_search(api, workspace):
    joe = contact(api, email="assign@example.com")
    _, conv = start(api, joe["id"])
    _, other = start(api, joe["id"], "Another")
    cid = conv["id"]

    def found(field, operator, value):
        body = {"query": {"field": field, "operator": operator, "value": value}}
        return sorted(c["id"] for c in ok(api.post("/conversations/search", json=body))["conversations"])

    assert found("admin_assignee_id", "=", workspace.owner_id) == []
    assigned = manage(api, workspace, cid, message_type="assignment", type="admin", assignee_id=str(workspace.owner_id))
    stats = assigned["statistics"]
    at = assigned["conversation_parts"]["conversation_parts"][-1]["created_at"]
    assert stats["count_assignments"] == 1 and stats["first_assignment_at"] == stats["last_assignment_at"] == at
    assert stats["time_to_assignment"] == at - assigned["created_at"]
    assert found("admin_assignee_id", "=", workspace.owner_id) == [cid]
    assert found("admin_assignee_id", "=", str(workspace.owner_id)) == [cid]
    assert found("admin_assignee_id", "=", None) == [other["id"]]
    assert found("statistics.count_assignments", ">", 0) == [cid]
    assert found("statistics.first_assignment_at", "=", at) == [cid]
    manage(api, workspace, cid, message_type="assignment", type="admin", assignee_id="0")
    assert found("admin_assignee_id", "=", workspace.owner_id) == []
    assert found("statistics.count_assignments", "=", 1) == [cid]  # unassigning is not an assignment


def test_admin_initiated_source_is_not_redactable(api, workspace, db):
    from opencom.messages.models import Message

    joe = contact(api, email="outbound@example.com")
    message, conv = start(api, joe["id"], "mine")
    with db.transaction() as session:  # as if an admin had sent it (POST /messages)
        session.get(Message, int(message["id"])).direction = "outbound"
    error = ok(api.post("/conversations/redact", json={"type": "source", "conversation_id": conv["id"], "source_id": message["id"]}), 400)
    assert error["errors"][0]["code"] == "conversation_part_not_redactable"
    assert ok(api.get(f"/conversations/{conv['id']}"))["source"]["redacted"] is False
