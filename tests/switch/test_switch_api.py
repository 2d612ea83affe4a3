"""POST /phone_call_redirects over HTTP: validation, contact matching, the SMS record and conversation."""

from __future__ import annotations

from sqlalchemy import select

from opencom.messages.models import Message


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def test_redirect_to_existing_contact(api, workspace, db):
    ok(api.post("/data_attributes", json={"name": "issue_type", "model": "contact", "data_type": "string"}))
    joe = ok(api.post("/contacts", json={"email": "joe@example.com", "phone": "+353 83 234 5678"}))
    redirect = ok(api.post("/phone_call_redirects", json={"phone": "+353832345678", "custom_attributes": {"issue_type": "Billing"}}))
    assert redirect["type"] == "phone_call_redirect" and "/msgr/" in redirect["url"]
    assert ok(api.get(f"/contacts/{joe['id']}"))["custom_attributes"]["issue_type"] == "Billing"
    with db.transaction(write=False) as session:
        sms = session.scalar(select(Message).where(Message.workspace_id == workspace.id))
        assert (sms.message_type, sms.to_address, sms.contact_id) == ("sms", "+353832345678", joe["id"])
        assert redirect["url"] in sms.body
    conversations = ok(api.get("/conversations"))["conversations"]
    assert len(conversations) == 1 and conversations[0]["source"]["type"] == "phone_switch"
    conv = ok(api.get(f"/conversations/{conversations[0]['id']}"))
    part = conv["conversation_parts"]["conversation_parts"][0]
    assert part["author"]["type"] == "bot" and redirect["url"] in part["body"]
    assert conv["contacts"]["contacts"][0]["id"] == joe["id"] and conv["state"] == "open"


def test_unknown_phone_creates_lead(api):
    ok(api.post("/phone_call_redirects", json={"phone": "+14155552671"}))
    found = ok(api.post("/contacts/search", json={"query": {"field": "phone", "operator": "=", "value": "+14155552671"}}))
    assert found["total_count"] == 1 and found["data"][0]["role"] == "lead"
    ok(api.post("/phone_call_redirects", json={"phone": "+14155552671"}))  # the same lead again
    assert ok(api.post("/contacts/search", json={"query": {"field": "phone", "operator": "=", "value": "+14155552671"}}))["total_count"] == 1
    assert ok(api.get("/conversations"))["total_count"] == 2


def test_invalid_phone(api):
    invalid = {"error_key": "invalid_phone_number", "message": "Invalid phone number"}
    for body in ({"phone": "12345"}, {"phone": "+1 555"}, {"phone": 353832345678}, {}, {"phone": "+353832345678x"}):
        assert ok(api.post("/phone_call_redirects", json=body), 400) == invalid, body
    assert ok(api.get("/conversations"))["total_count"] == 0


def test_invalid_custom_attributes_write_nothing(api):
    error = ok(api.post("/phone_call_redirects", json={"phone": "+14155552671", "custom_attributes": {"undefined_attr": "x"}}), 422)
    assert error["error_key"] == "invalid_custom_attributes"
    assert ok(api.post("/phone_call_redirects", json={"phone": "+14155552671", "custom_attributes": [1]}), 422)["error_key"] == "invalid_custom_attributes"
    assert ok(api.post("/contacts/search", json={"query": {"field": "phone", "operator": "=", "value": "+14155552671"}}))["total_count"] == 0
    assert ok(api.get("/conversations"))["total_count"] == 0
