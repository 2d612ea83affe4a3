"""POST /conversations/{id}/convert: a conversation becomes a Customer ticket."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("opencom.conversations") is None,
    reason="the conversations domain (opencom.conversations) is not in this tree yet",
)


def make_type(api, category):
    response = api.post("/ticket_types", json={"name": category, "category": category})
    assert response.status_code == 200, response.text
    return response.json()


def start_conversation(api, body="Help, the export fails"):
    contact = api.post("/contacts", json={"email": "joe@example.com", "name": "Joe"}).json()
    response = api.post("/conversations", json={"from": {"type": "user", "id": contact["id"]}, "body": body})
    assert response.status_code == 200, response.text
    return contact, response.json()["conversation_id"]


def test_convert(api, workspace):
    contact, conversation_id = start_conversation(api)
    reply = {"message_type": "comment", "type": "admin", "admin_id": workspace.owner_id, "body": "Looking into it"}
    assert api.post(f"/conversations/{conversation_id}/reply", json=reply).status_code == 200
    customer = make_type(api, "Customer")
    response = api.post(f"/conversations/{conversation_id}/convert", json={"ticket_type_id": int(customer["id"]),
                                                                           "attributes": {"_default_title_": "Export"}})
    assert response.status_code == 200, response.text
    ticket = response.json()
    assert ticket["type"] == "ticket" and ticket["ticket_state"] == "submitted" and ticket["open"] is True
    assert ticket["is_shared"] is True and ticket["category"] == "Customer"
    assert ticket["ticket_attributes"]["_default_title_"] == "Export"
    assert ticket["contacts"]["contacts"][0]["id"] == contact["id"]
    assert ticket["linked_objects"]["data"] == [{"type": "conversation", "id": str(conversation_id), "category": None}]
    parts = ticket["ticket_parts"]["ticket_parts"]
    assert [p["part_type"] for p in parts] == ["comment", "comment", "ticket_state_updated_by_admin"]
    assert parts[0]["body"] == "Help, the export fails" and parts[0]["author"]["type"] == "user"
    assert parts[0]["author"]["name"] == "Joe"
    assert parts[1]["author"] == {"id": str(workspace.owner_id), "type": "admin", "name": parts[1]["author"]["name"],
                                  "email": parts[1]["author"]["email"]}
    assert api.get(f"/tickets/{ticket['id']}").json() == ticket
    # a second conversion of the same conversation is refused
    again = api.post(f"/conversations/{conversation_id}/convert", json={"ticket_type_id": customer["id"]})
    assert again.status_code == 400


def test_convert_errors(api):
    _, conversation_id = start_conversation(api)
    back_office = make_type(api, "Back-office")
    response = api.post(f"/conversations/{conversation_id}/convert", json={"ticket_type_id": back_office["id"]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Ticket type is not a customer ticket type"
    customer = make_type(api, "Customer")
    cases = [
        ("/conversations/999999/convert", {"ticket_type_id": customer["id"]}, 404, "not_found"),
        (f"/conversations/{conversation_id}/convert", {"ticket_type_id": "999999"}, 404, "not_found"),
        (f"/conversations/{conversation_id}/convert", {}, 400, "parameter_not_found"),
        (f"/conversations/{conversation_id}/convert", {"ticket_type_id": customer["id"], "attributes": {"Nope": 1}}, 400, "parameter_invalid"),
        (f"/conversations/{conversation_id}/convert", {"ticket_type_id": customer["id"], "attributes": []}, 400, "parameter_invalid"),
    ]
    for url, body, status, code in cases:
        response = api.post(url, json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["errors"][0]["code"] == code
    assert api.post("/tickets/search", json={"query": {"field": "open", "operator": "=", "value": True}}).json()["total_count"] == 0


def test_converted_conversation_links_its_ticket(api, workspace):
    contact, conversation_id = start_conversation(api)
    other = api.post("/conversations", json={"from": {"type": "user", "id": contact["id"]}, "body": "Unrelated"})
    other_id = other.json()["conversation_id"]
    ticket = api.post(f"/conversations/{conversation_id}/convert", json={"ticket_type_id": make_type(api, "Customer")["id"]}).json()
    link = {"type": "ticket", "id": ticket["id"], "category": "Customer"}
    linked = {"type": "list", "data": [link], "total_count": 1, "has_more": False}
    conversation = api.get(f"/conversations/{conversation_id}").json()
    assert conversation["linked_objects"] == linked
    assert conversation["ticket"] == {**link, "ticket_id": ticket["ticket_id"], "ticket_state": "submitted"}
    listed = {c["id"]: c for c in api.get("/conversations").json()["conversations"]}
    assert listed[str(conversation_id)]["linked_objects"] == linked
    assert listed[str(other_id)]["linked_objects"]["data"] == [] and listed[str(other_id)]["ticket"] is None
    query = {"field": "id", "operator": "IN", "value": [str(conversation_id), str(other_id)]}
    found = {c["id"]: c for c in api.post("/conversations/search", json={"query": query}).json()["conversations"]}
    assert found[str(conversation_id)]["linked_objects"] == linked and found[str(other_id)]["ticket"] is None
    # the ticket's state change shows through the conversation's reference
    assert api.put(f"/tickets/{ticket['id']}", json={"state": "in_progress"}).status_code == 200
    assert api.get(f"/conversations/{conversation_id}").json()["ticket"]["ticket_state"] == "in_progress"
