"""Tickets over HTTP: create, get, update, reply, search and tagging."""

from __future__ import annotations

from opencom.teams.service import create_team

import pytest


TICKET_NOT_FOUND = {"code": "ticket_not_found", "message": "Ticket not found"}


def make_type(api, category="Customer", **body):
    response = api.post("/ticket_types", json={"name": f"{category} type", "category": category, **body})
    assert response.status_code == 200, response.text
    return response.json()


def make_attribute(api, type_id, **body):
    body = {"name": "Priority", "description": "d", "data_type": "string", **body}
    response = api.post(f"/ticket_types/{type_id}/attributes", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def make_contact(api, **body):
    response = api.post("/contacts", json=body or {"email": "joe@example.com"})
    assert response.status_code == 200, response.text
    return response.json()


def create(api, status=200, **body):
    response = api.post("/tickets", json=body)
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def setup(api):
    ticket_type = make_type(api)
    contact = make_contact(api, email="joe@example.com", external_id="ext-1")
    return ticket_type, contact


def new_ticket(api, setup, **extra):
    ticket_type, contact = setup
    body = {"ticket_type_id": ticket_type["id"], "contacts": [{"id": contact["id"]}],
            "ticket_attributes": {"_default_title_": "Broken", "_default_description_": "It fails"}}
    body.update(extra)
    return create(api, **body)


def test_create_ticket(api, workspace, setup):
    ticket_type, contact = setup
    ticket = new_ticket(api, setup)
    assert ticket["type"] == "ticket" and ticket["id"].isdigit() and ticket["ticket_id"] == "1"
    assert ticket["ticket_attributes"] == {"_default_title_": "Broken", "_default_description_": "It fails"}
    assert (ticket["ticket_state"], ticket["ticket_state_internal_label"], ticket["ticket_state_external_label"]) == ("submitted", "Submitted", "Submitted")
    assert ticket["ticket_type"]["id"] == ticket_type["id"] and ticket["ticket_type"]["ticket_type_attributes"]["type"] == "list"
    assert ticket["contacts"] == {"type": "contact.list", "contacts": [{"type": "contact", "id": contact["id"], "external_id": "ext-1"}]}
    assert (ticket["admin_assignee_id"], ticket["team_assignee_id"]) == ("0", "0")
    assert ticket["open"] is True and ticket["category"] == "Customer" and ticket["is_shared"] is True
    assert "snoozed_until" not in ticket
    assert ticket["linked_objects"] == {"type": "list", "data": [], "total_count": 0, "has_more": False}
    parts = ticket["ticket_parts"]
    assert parts["type"] == "ticket_part.list" and parts["total_count"] == 1
    part = parts["ticket_parts"][0]
    assert (part["part_type"], part["previous_ticket_state"], part["ticket_state"]) == ("ticket_state_updated_by_admin", "submitted", "submitted")
    assert part["author"]["type"] == "admin" and part["author"]["id"] == str(workspace.owner_id)
    assert api.get(f"/tickets/{ticket['id']}").json() == ticket
    second = new_ticket(api, setup)
    assert second["ticket_id"] == "2"


def test_create_by_external_id_and_email(api, setup):
    ticket_type, contact = setup
    by_external = create(api, ticket_type_id=int(ticket_type["id"]), contacts=[{"external_id": "ext-1"}])
    assert by_external["contacts"]["contacts"][0]["id"] == contact["id"]
    # unset attributes show as null
    assert by_external["ticket_attributes"] == {"_default_title_": None, "_default_description_": None}
    by_email = create(api, ticket_type_id=ticket_type["id"], contacts=[{"email": "joe@EXAMPLE.com"}])
    assert by_email["contacts"]["contacts"][0]["id"] == contact["id"]
    fresh = create(api, ticket_type_id=ticket_type["id"], contacts=[{"email": "new@example.com"}])
    new_id = fresh["contacts"]["contacts"][0]["id"]
    made = api.get(f"/contacts/{new_id}").json()
    assert made["role"] == "user" and made["email"] == "new@example.com"


def test_back_office_ticket_is_not_shared(api, setup):
    back_office = make_type(api, "Back-office")
    ticket = create(api, ticket_type_id=back_office["id"], contacts=[{"id": setup[1]["id"]}])
    assert ticket["category"] == "Back-office" and ticket["is_shared"] is False


def test_company(api, setup):
    response = api.post("/companies", json={"company_id": "acme", "name": "Acme"})
    assert response.status_code == 200
    new_ticket(api, setup, company_id="acme")
    error = new_ticket_error(api, setup, company_id="nope")
    assert error.status_code == 404 and error.json()["errors"][0]["code"] == "company_not_found"


def new_ticket_error(api, setup, **extra):
    ticket_type, contact = setup
    body = {"ticket_type_id": ticket_type["id"], "contacts": [{"id": contact["id"]}], **extra}
    return api.post("/tickets", json=body)


def test_typed_attributes(api, setup):
    ticket_type, contact = setup
    tid = ticket_type["id"]
    make_attribute(api, tid, name="Count", data_type="integer")
    make_attribute(api, tid, name="Cost", data_type="decimal")
    make_attribute(api, tid, name="Urgent", data_type="boolean")
    make_attribute(api, tid, name="Due", data_type="datetime")
    level = make_attribute(api, tid, name="Level", data_type="list", list_items="Low,High")
    make_attribute(api, tid, name="Shots", data_type="files", allow_multiple_values=True)
    high_id = level["input_options"]["list_options"][1]["id"]
    attrs = {"Count": 3, "Cost": 2.5, "Urgent": True, "Due": 1700000000, "Level": high_id,
             "Shots": ["https://example.com/a.png"]}
    ticket = new_ticket(api, setup, ticket_attributes=attrs)
    shown = ticket["ticket_attributes"]
    assert (shown["Count"], shown["Cost"], shown["Urgent"], shown["Due"], shown["Level"]) == (3, 2.5, True, 1700000000, "High")
    assert shown["Shots"] == [{"type": "upload", "name": "a.png", "url": "https://example.com/a.png"}]
    # a label works as well as the item id
    assert new_ticket(api, setup, ticket_attributes={"Level": "Low"})["ticket_attributes"]["Level"] == "Low"


BAD_ATTRIBUTE_VALUES_CASES = [
        ({"Count": "3"}, "ticket_attributes.Count"),
        ({"Count": True}, "ticket_attributes.Count"),
        ({"Cost": "x"}, "ticket_attributes.Cost"),
        ({"Urgent": "yes"}, "ticket_attributes.Urgent"),
        ({"Due": "2024-01-01"}, "ticket_attributes.Due"),
        ({"Level": "Medium"}, "ticket_attributes.Level"),
        ({"_default_title_": 5}, "ticket_attributes._default_title_"),
        ({"Unknown": "x"}, "ticket_attributes.Unknown"),
        ({"Shots": ["a", "b"]}, "ticket_attributes.Shots"),
    ]


def test_bad_attribute_values(api, setup):
    tid = setup[0]["id"]
    make_attribute(api, tid, name="Count", data_type="integer")
    make_attribute(api, tid, name="Cost", data_type="decimal")
    make_attribute(api, tid, name="Urgent", data_type="boolean")
    make_attribute(api, tid, name="Due", data_type="datetime")
    make_attribute(api, tid, name="Level", data_type="list", list_items="Low,High")
    make_attribute(api, tid, name="Shots", data_type="files")
    for attrs, field in BAD_ATTRIBUTE_VALUES_CASES:
        response = new_ticket_error(api, setup, ticket_attributes=attrs)
        assert response.status_code == 400, (attrs, response.text)
        error = response.json()["errors"][0]
        assert (error["code"], error["field"]) == ("parameter_invalid", field)
        assert api.post("/tickets/search", json={"query": {"field": "open", "operator": "=", "value": True}}).json()["total_count"] == 0


def test_required_and_archived_attributes(api, setup):
    tid = setup[0]["id"]
    required = make_attribute(api, tid, name="Steps", required_to_create=True)
    response = new_ticket_error(api, setup)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parameter_not_found"
    assert response.json()["errors"][0]["field"] == "ticket_attributes.Steps"
    ticket = new_ticket(api, setup, ticket_attributes={"Steps": "1. click"})
    api.put(f"/ticket_types/{tid}/attributes/{required['id']}", json={"archived": True})
    # archived: no longer required nor settable, but kept on existing tickets
    new_ticket(api, setup)
    assert new_ticket_error(api, setup, ticket_attributes={"Steps": "x"}).status_code == 400
    assert api.get(f"/tickets/{ticket['id']}").json()["ticket_attributes"]["Steps"] == "1. click"


CREATE_BAD_INPUT_CASES = [
        ({"contacts": [{"id": "x"}]}, 400, "parameter_not_found", "ticket_type_id"),
        ({"ticket_type_id": "1"}, 400, "parameter_not_found", "contacts"),
        ({"ticket_type_id": "999999", "contacts": [{"email": "a@b.co"}]}, 404, "not_found", None),
        ({"ticket_type_id": True, "contacts": [{"email": "a@b.co"}]}, 400, "parameter_invalid", "ticket_type_id"),
        ({"contacts": []}, 400, "parameter_invalid", "contacts"),
        ({"contacts": [{"id": "a"}, {"id": "b"}]}, 400, "parameter_invalid", "contacts"),
        ({"contacts": [{}]}, 400, "parameter_not_found", "contacts[0]"),
        ({"contacts": [{"id": "unknown"}]}, 404, "not_found", None),
        ({"contacts": [{"external_id": "nobody"}]}, 404, "not_found", None),
        ({"contacts": [{"email": "not-an-email"}]}, 400, "parameter_invalid", "email"),
        ({"contacts": "x"}, 400, "parameter_invalid", "contacts"),
        ({"ticket_attributes": "x"}, 400, "parameter_invalid", "ticket_attributes"),
        ({"company_id": None}, 400, "parameter_invalid", "company_id"),
    ]


def test_create_bad_input(api, setup):
    for body, status, code, field in CREATE_BAD_INPUT_CASES:
        full = {"ticket_type_id": setup[0]["id"], "contacts": [{"id": setup[1]["id"]}], **body}
        if field in ("ticket_type_id", "contacts") and code == "parameter_not_found":
            del full[field]  # the case is about a missing field
        response = api.post("/tickets", json=full)
        assert response.status_code == status, (body, response.text)
        error = response.json()["errors"][0]
        assert (error["code"], error.get("field")) == (code, field), body


def test_archived_type_cannot_be_used(api, setup):
    api.put(f"/ticket_types/{setup[0]['id']}", json={"archived": True})
    response = new_ticket_error(api, setup)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "ticket_type_id"


UNKNOWN_TICKET_CASES = ["999999", "abc", "-1"]


def test_unknown_ticket(api):
    for ticket_id in UNKNOWN_TICKET_CASES:
        for response in (api.get(f"/tickets/{ticket_id}"), api.put(f"/tickets/{ticket_id}", json={"open": False})):
            assert response.status_code == 404 and response.json()["errors"] == [TICKET_NOT_FOUND]


def test_update_state_attributes_assignment_snooze(api, workspace, db, setup):
    ticket = new_ticket(api, setup)
    with db.transaction() as session:
        team = create_team(session, workspace.id, name="Tier 2")
    body = {
        "ticket_attributes": {"_default_title_": "Very broken", "_default_description_": "It fails"},
        "state": "in_progress",
        "assignment": {"admin_id": str(workspace.owner_id), "assignee_id": workspace.owner_id},
        "snoozed_until": 1717084800,
    }
    updated = api.put(f"/tickets/{ticket['id']}", json=body).json()
    assert updated["ticket_state"] == "in_progress" and updated["ticket_state_internal_label"] == "In progress"
    assert updated["ticket_attributes"]["_default_title_"] == "Very broken"
    assert updated["admin_assignee_id"] == str(workspace.owner_id) and updated["team_assignee_id"] == "0"
    assert updated["snoozed_until"] == 1717084800 and updated["open"] is True
    types = [p["part_type"] for p in updated["ticket_parts"]["ticket_parts"]]
    assert types == ["ticket_state_updated_by_admin", "ticket_attribute_updated_by_admin",
                     "ticket_state_updated_by_admin", "assignment", "snoozed"]
    state_part = updated["ticket_parts"]["ticket_parts"][2]
    assert (state_part["previous_ticket_state"], state_part["ticket_state"]) == ("submitted", "in_progress")
    assert updated["ticket_parts"]["ticket_parts"][3]["assigned_to"] == {"type": "admin", "id": str(workspace.owner_id)}
    # team assignment, then unassign
    teamed = api.put(f"/tickets/{ticket['id']}", json={"assignment": {"assignee_id": str(team.id)}}).json()
    assert teamed["team_assignee_id"] == str(team.id)
    cleared = api.put(f"/tickets/{ticket['id']}", json={"assignment": {"assignee_id": "0"}}).json()
    assert (cleared["admin_assignee_id"], cleared["team_assignee_id"]) == ("0", "0")
    # closing unsnoozes
    closed = api.put(f"/tickets/{ticket['id']}", json={"open": False, "state": "resolved", "is_shared": False}).json()
    assert closed["open"] is False and "snoozed_until" not in closed and closed["is_shared"] is False
    assert closed["ticket_state"] == "resolved"
    assert closed["updated_at"] >= ticket["updated_at"]


def test_sdk_style_update(api, workspace, setup):
    ticket = new_ticket(api, setup)
    updated = api.put(f"/tickets/{ticket['id']}", json={"admin_id": workspace.owner_id, "assignee_id": str(workspace.owner_id),
                                                        "ticket_state_id": "waiting_on_customer"}).json()
    assert updated["admin_assignee_id"] == str(workspace.owner_id)
    assert updated["ticket_state"] == "waiting_on_customer"


UPDATE_BAD_INPUT_CASES = [
        ({"state": "submitted"}, 400, "parameter_invalid", "state"),
        ({"state": "closed"}, 400, "parameter_invalid", "state"),
        ({"open": "no"}, 400, "parameter_invalid", "open"),
        ({"snoozed_until": "soon"}, 400, "parameter_invalid", "snoozed_until"),
        ({"is_shared": 1}, 400, "parameter_invalid", "is_shared"),
        ({"snoozed_until": None}, 400, "parameter_invalid", "snoozed_until"),
        ({"open": None}, 400, "parameter_invalid", "open"),
        ({"assignment": {"assignee_id": None}}, 400, "parameter_invalid", "assignment.assignee_id"),
        ({"ticket_attributes": {"Nope": 1}}, 400, "parameter_invalid", "ticket_attributes.Nope"),
        ({"assignment": {"admin_id": "987654321", "assignee_id": "0"}}, 404, "assignee_not_found", None),
        ({"assignment": {"assignee_id": "987654322"}}, 404, "assignee_not_found", None),
        ({"assignment": {"assignee_id": "99999999999999999999999"}}, 404, "assignee_not_found", None),
    ]


def test_update_bad_input(api, setup):
    for body, status, code, field in UPDATE_BAD_INPUT_CASES:
        ticket = new_ticket(api, setup)
        response = api.put(f"/tickets/{ticket['id']}", json={"state": "in_progress", **body} if "state" not in body else body)
        assert response.status_code == status, (body, response.text)
        error = response.json()["errors"][0]
        assert (error["code"], error.get("field")) == (code, field), body
        assert api.get(f"/tickets/{ticket['id']}").json() == ticket  # nothing half-written


def test_replies(api, workspace, setup):
    ticket = new_ticket(api, setup)
    contact = setup[1]
    url = f"/tickets/{ticket['id']}/reply"
    comment = api.post(url, json={"message_type": "comment", "type": "user", "body": "Any news?", "intercom_user_id": contact["id"]}).json()
    assert comment["type"] == "ticket_part" and comment["part_type"] == "comment" and comment["body"] == "Any news?"
    assert comment["author"] == {"id": contact["id"], "type": "user", "name": None, "email": "joe@example.com"}
    by_email = api.post(url, json={"message_type": "comment", "type": "user", "body": "Hi", "email": "joe@example.com",
                                   "attachment_urls": ["https://example.com/x.png"]}).json()
    assert by_email["attachments"] == [{"type": "upload", "name": "x.png", "url": "https://example.com/x.png", "content_type": "image/png"}]
    by_user_id = api.post(url, json={"message_type": "comment", "type": "user", "body": "Hi", "user_id": "ext-1"}).json()
    assert by_user_id["author"]["id"] == contact["id"]
    note = api.post(url, json={"message_type": "note", "type": "admin", "admin_id": workspace.owner_id, "body": "<p>internal</p>"}).json()
    assert note["part_type"] == "note" and note["author"]["type"] == "admin" and note["author"]["id"] == str(workspace.owner_id)
    quick = api.post(url, json={"message_type": "quick_reply", "type": "admin", "admin_id": str(workspace.owner_id),
                                "reply_options": [{"text": "Yes", "uuid": "a3f1c2d4-1111-4222-8333-444455556666"}]}).json()
    assert quick["part_type"] == "quick_reply" and quick["body"] is None
    parts = api.get(f"/tickets/{ticket['id']}").json()["ticket_parts"]
    assert parts["total_count"] == 6
    assert [p["part_type"] for p in parts["ticket_parts"]][-2:] == ["note", "quick_reply"]


REPLY_BAD_INPUT_CASES = [
        ({"message_type": "comment", "type": "user", "body": "x"}, 400, "parameter_not_found", "intercom_user_id"),
        ({"message_type": "comment", "type": "user", "intercom_user_id": "x"}, 400, "parameter_not_found", "body"),
        ({"message_type": "comment", "type": "user", "body": "x", "email": "who@example.com"}, 404, "not_found", None),
        ({"message_type": "note", "type": "user", "body": "x", "email": "joe@example.com"}, 400, "parameter_invalid", "message_type"),
        ({"message_type": "comment", "type": "admin", "body": "x"}, 400, "parameter_not_found", "admin_id"),
        ({"message_type": "comment", "type": "admin", "admin_id": "999999", "body": "x"}, 404, "admin_not_found", None),
        ({"message_type": "note", "type": "admin", "admin_id": "OWNER"}, 400, "parameter_not_found", "body"),
        ({"message_type": "quick_reply", "type": "admin", "admin_id": "OWNER"}, 400, "parameter_not_found", "reply_options"),
        ({"message_type": "quick_reply", "type": "admin", "admin_id": "OWNER", "reply_options": [{"text": "a"}]}, 400, "parameter_not_found", "reply_options.0.uuid"),
        ({"message_type": "close", "type": "admin", "admin_id": "OWNER"}, 400, "parameter_invalid", "message_type"),
        ({"message_type": "comment", "type": "bot", "body": "x"}, 400, "parameter_invalid", "type"),
        ({"message_type": "comment", "body": "x"}, 400, "parameter_not_found", "type"),
        ({"message_type": "note", "type": "admin", "admin_id": "OWNER", "body": "x", "attachment_urls": ["u"] * 11}, 400, "parameter_invalid", "attachment_urls"),
    ]


def test_reply_bad_input(api, workspace, setup):
    for body, status, code, field in REPLY_BAD_INPUT_CASES:
        ticket = new_ticket(api, setup)
        if body.get("admin_id") == "OWNER":
            body = {**body, "admin_id": workspace.owner_id}
        response = api.post(f"/tickets/{ticket['id']}/reply", json=body)
        assert response.status_code == status, (body, response.text)
        error = response.json()["errors"][0]
        assert (error["code"], error.get("field")) == (code, field), body
        assert api.get(f"/tickets/{ticket['id']}").json()["ticket_parts"]["total_count"] == 1


def test_reply_unknown_ticket(api):
    response = api.post("/tickets/999999/reply", json={"message_type": "note", "type": "admin", "admin_id": "1", "body": "x"})
    assert response.status_code == 404 and response.json()["errors"][0] == {"code": "not_found", "message": "Resource Not Found"}
    assert api.post("/tickets/1/reply", json=[1]).status_code == 400


def search(api, query, status=200, **pagination):
    body = {"query": query}
    if pagination:
        body["pagination"] = pagination
    response = api.post("/tickets/search", json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_search(api, workspace, setup):
    tid = setup[0]["id"]
    level = make_attribute(api, tid, name="Count", data_type="integer")
    first = new_ticket(api, setup, ticket_attributes={"_default_title_": "Login broken", "Count": 5})
    second = new_ticket(api, setup, ticket_attributes={"_default_title_": "Billing question", "Count": 1})
    api.put(f"/tickets/{second['id']}", json={"state": "resolved", "open": False,
                                              "assignment": {"assignee_id": str(workspace.owner_id)}})
    back_office = make_type(api, "Back-office")
    third = create(api, ticket_type_id=back_office["id"], contacts=[{"email": "other@example.com"}])

    def ids(query, **pagination):
        return [t["id"] for t in search(api, query, **pagination)["tickets"]]

    assert ids({"field": "title", "operator": "~", "value": "broken"}) == [first["id"]]
    assert ids({"field": "open", "operator": "=", "value": False}) == [second["id"]]
    assert ids({"field": "state", "operator": "IN", "value": ["submitted"]}) == [first["id"], third["id"]]
    assert ids({"field": "category", "operator": "=", "value": "Back-office"}) == [third["id"]]
    assert ids({"field": "ticket_type_id", "operator": "=", "value": tid}) == [first["id"], second["id"]]
    assert ids({"field": "contact_ids", "operator": "=", "value": setup[1]["id"]}) == [first["id"], second["id"]]
    assert ids({"field": "contact_ids", "operator": "!=", "value": setup[1]["id"]}) == [third["id"]]
    assert ids({"field": "admin_assignee_id", "operator": "=", "value": str(workspace.owner_id)}) == [second["id"]]
    assert ids({"field": "admin_assignee_id", "operator": "=", "value": "0"}) == [first["id"], third["id"]]
    assert ids({"field": "teammate_ids", "operator": "=", "value": str(workspace.owner_id)}) == [first["id"], second["id"], third["id"]]
    assert ids({"field": "id", "operator": "=", "value": int(first["id"])}) == [first["id"]]
    assert ids({"field": f"ticket_attribute.{level['id']}", "operator": ">", "value": 2}) == [first["id"]]
    assert ids({"field": "created_at", "operator": ">", "value": first["created_at"]}) == [first["id"], second["id"], third["id"]]
    assert ids({"field": "created_at", "operator": "<", "value": first["created_at"] - 1}) == []
    assert ids({"operator": "AND", "value": [{"field": "open", "operator": "=", "value": True},
                                             {"field": "category", "operator": "=", "value": "Customer"}]}) == [first["id"]]
    page = search(api, {"field": "open", "operator": "!=", "value": False}, per_page=2)
    assert page["type"] == "ticket.list" and page["total_count"] == 2 and "next" not in page["pages"]


def test_search_pagination(api, setup):
    made = [new_ticket(api, setup)["id"] for _ in range(3)]
    query = {"field": "state", "operator": "=", "value": "submitted"}
    first = search(api, query, per_page=2)
    assert first["total_count"] == 3 and first["pages"]["total_pages"] == 2
    assert [t["id"] for t in first["tickets"]] == made[:2]
    cursor = first["pages"]["next"]["starting_after"]
    second = search(api, query, per_page=2, starting_after=cursor)
    assert [t["id"] for t in second["tickets"]] == made[2:] and "next" not in second["pages"]
    assert second["pages"]["page"] == 2


SEARCH_BAD_INPUT_CASES = [
        ({"query": {"field": "nope", "operator": "=", "value": "x"}}, "query.field"),
        ({"query": {"field": "open", "operator": "~", "value": "x"}}, "query.operator"),
        ({"query": {"field": "created_at", "operator": "=", "value": "soon"}}, "query.value"),
        ({"query": {"field": "ticket_attribute.999999", "operator": "=", "value": "x"}}, "query.field"),
        ({"query": {"field": "open", "operator": "=", "value": True}, "pagination": {"per_page": 151}}, "pagination.per_page"),
        ({"query": {"field": "open", "operator": "=", "value": True}, "pagination": {"starting_after": "zz"}}, "pagination.starting_after"),
        ({"query": {"field": "open", "operator": "=", "value": True}, "pagination": {"per_page": None}}, "pagination.per_page"),
        ({}, "query"),
    ]


def test_search_bad_input(api):
    for body, field in SEARCH_BAD_INPUT_CASES:
        response = api.post("/tickets/search", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["errors"][0]["field"] == field


def test_tags(api, workspace, setup):
    ticket = new_ticket(api, setup)
    tag = api.post("/tags", json={"name": "Urgent"}).json()
    applied = api.post(f"/tickets/{ticket['id']}/tags", json={"id": int(tag["id"]), "admin_id": workspace.owner_id}).json()
    assert applied["id"] == tag["id"] and applied["name"] == "Urgent"
    assert applied["applied_by"] == {"type": "admin", "id": str(workspace.owner_id)} and applied["applied_at"] > 0
    again = api.post(f"/tickets/{ticket['id']}/tags", json={"id": tag["id"], "admin_id": str(workspace.owner_id)}).json()
    assert again == applied
    removed = api.request("DELETE", f"/tickets/{ticket['id']}/tags/{tag['id']}", json={"admin_id": workspace.owner_id})
    assert removed.status_code == 200 and removed.json()["id"] == tag["id"]
    gone = api.request("DELETE", f"/tickets/{ticket['id']}/tags/{tag['id']}", json={"admin_id": workspace.owner_id})
    assert gone.status_code == 404 and gone.json()["errors"][0] == {"code": "tag_not_found", "message": "Tag not found"}
    # deleting the tag itself removes its ticket taggings too
    api.post(f"/tickets/{ticket['id']}/tags", json={"id": tag["id"], "admin_id": workspace.owner_id})
    assert api.delete(f"/tags/{tag['id']}").status_code == 200


def test_tag_errors(api, workspace, setup):
    ticket = new_ticket(api, setup)
    tag = api.post("/tags", json={"name": "Urgent"}).json()
    owner = workspace.owner_id
    cases = [
        ("POST", "/tickets/999999/tags", {"id": tag["id"], "admin_id": owner}, 404, "ticket_not_found"),
        ("POST", f"/tickets/{ticket['id']}/tags", {"id": "999999", "admin_id": owner}, 404, "tag_not_found"),
        ("POST", f"/tickets/{ticket['id']}/tags", {"id": tag["id"], "admin_id": "999999"}, 404, "admin_not_found"),
        ("POST", f"/tickets/{ticket['id']}/tags", {"id": tag["id"]}, 400, "parameter_not_found"),
        ("POST", f"/tickets/{ticket['id']}/tags", {"admin_id": owner}, 400, "parameter_not_found"),
        ("POST", f"/tickets/{ticket['id']}/tags", {"id": [1], "admin_id": owner}, 400, "parameter_invalid"),
        ("DELETE", f"/tickets/999999/tags/{tag['id']}", {"admin_id": owner}, 404, "ticket_not_found"),
        ("DELETE", f"/tickets/{ticket['id']}/tags/999999", {"admin_id": owner}, 404, "tag_not_found"),
        ("DELETE", f"/tickets/{ticket['id']}/tags/{tag['id']}", {}, 400, "parameter_not_found"),
    ]
    for method, url, body, status, code in cases:
        response = api.request(method, url, json=body)
        assert response.status_code == status, (url, body, response.text)
        assert response.json()["errors"][0]["code"] == code


def test_workspace_isolation(api, server, db, validator, setup):
    from opencom.workspaces.service import create_workspace
    from tests.support import make_client

    ticket = new_ticket(api, setup)
    with db.transaction() as session:
        other = create_workspace(session, "Other")
    with make_client(server, other.token, validator) as client:
        assert client.get(f"/tickets/{ticket['id']}").status_code == 404
        assert client.post("/tickets/search", json={"query": {"field": "open", "operator": "=", "value": True}}).json()["total_count"] == 0
        response = client.post("/tickets", json={"ticket_type_id": setup[0]["id"], "contacts": [{"id": setup[1]["id"]}]})
        assert response.status_code == 404


def test_deleting_contact_keeps_ticket(api, setup):
    ticket = new_ticket(api, setup)
    assert api.delete(f"/contacts/{setup[1]['id']}").status_code == 200
    assert api.get(f"/tickets/{ticket['id']}").json()["contacts"]["contacts"] == []


def test_merge_hook_moves_tickets(api, db, setup):
    from opencom.tickets.service import move_contact_tickets

    ticket = new_ticket(api, setup)
    into = make_contact(api, email="into@example.com")
    with db.transaction() as session:
        move_contact_tickets(session, setup[1]["id"], into["id"])
    assert api.get(f"/tickets/{ticket['id']}").json()["contacts"]["contacts"][0]["id"] == into["id"]
