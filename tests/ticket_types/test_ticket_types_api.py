"""Ticket types and their attributes over HTTP."""

from __future__ import annotations

NOT_FOUND = "not_found"


def create_type(api, status=200, **body):
    body.setdefault("name", "Bug")
    response = api.post("/ticket_types", json=body)
    assert response.status_code == status, response.text
    return response.json()


def create_attribute(api, type_id, status=200, **body):
    body.setdefault("name", "Priority")
    body.setdefault("description", "How bad it is")
    body.setdefault("data_type", "string")
    response = api.post(f"/ticket_types/{type_id}/attributes", json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_create_has_defaults(api, workspace):
    created = create_type(api, name="Bug", description="A bug", category="Back-office", icon="🐞")
    assert created["type"] == "ticket_type" and created["id"].isdigit()
    assert (created["name"], created["description"], created["category"], created["icon"]) == ("Bug", "A bug", "Back-office", "🐞")
    assert created["archived"] is False and created["is_internal"] is False
    attrs = created["ticket_type_attributes"]
    assert attrs["type"] == "list"
    title, description = attrs["data"]
    assert (title["name"], title["order"], title["input_options"], title["default"]) == ("_default_title_", 0, {"multiline": False}, True)
    assert (description["name"], description["order"], description["input_options"]) == ("_default_description_", 1, {"multiline": True})
    assert title["ticket_type_id"] == int(created["id"]) and title["data_type"] == "string"
    assert title["workspace_id"] == created["workspace_id"]


def test_create_defaults_and_list(api):
    created = create_type(api, name="Question")
    assert created["icon"] == "🎟️" and created["category"] == "Customer" and created["description"] == ""
    other = create_type(api, name="Incident", category="Tracker")
    listed = api.get("/ticket_types").json()
    assert listed["type"] == "list"
    assert [t["id"] for t in listed["data"]] == [created["id"], other["id"]]
    assert api.get(f"/ticket_types/{created['id']}").json() == created


def test_update_partial_and_archive(api):
    created = create_type(api, name="Bug")
    updated = api.put(f"/ticket_types/{created['id']}", json={"name": "Defect", "archived": True, "is_internal": True}).json()
    assert (updated["name"], updated["archived"], updated["is_internal"]) == ("Defect", True, True)
    assert updated["category"] == "Customer" and updated["icon"] == "🎟️"
    # archived types stay readable and listed
    assert api.get(f"/ticket_types/{created['id']}").json()["archived"] is True
    assert [t["id"] for t in api.get("/ticket_types").json()["data"]] == [created["id"]]
    assert api.put(f"/ticket_types/{created['id']}", json={"archived": False}).json()["archived"] is False


UNKNOWN_TYPE_CASES = ["/ticket_types/999999", "/ticket_types/abc", "/ticket_types/99999999999999999999"]


def test_unknown_type(api):
    for path in UNKNOWN_TYPE_CASES:
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == NOT_FOUND
        assert api.put(path, json={"name": "x"}).status_code == 404
        assert api.post(f"{path}/attributes", json={"name": "a", "description": "b", "data_type": "string"}).status_code == 404


CREATE_TYPE_BAD_INPUT_CASES = [
        ({}, "name", "parameter_not_found"),
        ({"name": ""}, "name", "parameter_invalid"),
        ({"name": 5}, "name", "parameter_invalid"),
        ({"name": "x" * 256}, "name", "parameter_invalid"),
        ({"name": "Bug", "category": "Other"}, "category", "parameter_invalid"),
        ({"name": "Bug", "is_internal": "yes"}, "is_internal", "parameter_invalid"),
        ({"name": "Bug", "icon": ""}, "icon", "parameter_invalid"),
        ({"name": "Bug", "is_internal": None}, "is_internal", "parameter_invalid"),
        ({"name": None}, "name", "parameter_invalid"),
    ]


def test_create_type_bad_input(api):
    for body, field, code in CREATE_TYPE_BAD_INPUT_CASES:
        response = api.post("/ticket_types", json=body)
        assert response.status_code == 400, (body, response.text)
        error = response.json()["errors"][0]
        assert (error["code"], error["field"]) == (code, field)


def test_update_type_bad_input(api):
    created = create_type(api)
    response = api.put(f"/ticket_types/{created['id']}", json={"archived": "no"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "archived"
    assert api.get(f"/ticket_types/{created['id']}").json()["archived"] is False


def test_other_workspace_cannot_see(api, server, db, validator):
    from opencom.workspaces.service import create_workspace
    from tests.support import make_client

    created = create_type(api)
    with db.transaction() as session:
        other = create_workspace(session, "Other")
    with make_client(server, other.token, validator) as client:
        assert client.get(f"/ticket_types/{created['id']}").status_code == 404
        assert client.get("/ticket_types").json()["data"] == []


def test_create_attributes(api):
    ticket_type = create_type(api)
    string = create_attribute(api, ticket_type["id"], name="Steps", multiline=True, required_to_create=True)
    assert string["type"] == "ticket_type_attribute"
    assert (string["order"], string["input_options"], string["default"], string["required_to_create"]) == (2, {"multiline": True}, False, True)
    assert (string["visible_on_create"], string["visible_to_contacts"], string["required_to_create_for_contacts"]) == (True, True, False)
    listed = create_attribute(api, ticket_type["id"], name="Severity", data_type="list", list_items="Low, Medium,High")
    options = listed["input_options"]["list_options"]
    assert [o["label"] for o in options] == ["Low", "Medium", "High"] and listed["order"] == 3
    files = create_attribute(api, ticket_type["id"], name="Screens", data_type="files", allow_multiple_values=True)
    assert files["input_options"] == {"allow_multiple_values": True}
    number = create_attribute(api, ticket_type["id"], name="Count", data_type="integer", visible_to_contacts=False)
    assert number["input_options"] is None and number["visible_to_contacts"] is False
    names = [a["name"] for a in api.get(f"/ticket_types/{ticket_type['id']}").json()["ticket_type_attributes"]["data"]]
    assert names == ["_default_title_", "_default_description_", "Steps", "Severity", "Screens", "Count"]


CREATE_ATTRIBUTE_BAD_INPUT_CASES = [
        ({"name": None}, "name", "parameter_invalid"),
        ({"description": None}, "description", "parameter_invalid"),
        ({"data_type": "date"}, "data_type", "parameter_invalid"),
        ({"data_type": "list"}, "list_items", "parameter_not_found"),
        ({"data_type": "list", "list_items": " , "}, "list_items", "parameter_invalid"),
        ({"data_type": "list", "list_items": "a,A"}, "list_items", "parameter_invalid"),
        ({"data_type": "integer", "multiline": True}, "multiline", "parameter_invalid"),
        ({"data_type": "string", "list_items": "a,b"}, "list_items", "parameter_invalid"),
        ({"data_type": "string", "allow_multiple_values": True}, "allow_multiple_values", "parameter_invalid"),
        ({"required_to_create": "true"}, "required_to_create", "parameter_invalid"),
        ({"name": "_default_title_"}, "name", "parameter_invalid"),
    ]


def test_create_attribute_bad_input(api):
    for body, field, code in CREATE_ATTRIBUTE_BAD_INPUT_CASES:
        ticket_type = create_type(api)
        full = {"name": "Priority", "description": "d", "data_type": "string", **body}
        response = api.post(f"/ticket_types/{ticket_type['id']}/attributes", json=full)
        assert response.status_code == 400, (body, response.text)
        error = response.json()["errors"][0]
        assert (error["code"], error["field"]) == (code, field)


def test_missing_attribute_fields(api):
    ticket_type = create_type(api)
    for missing in ("name", "description", "data_type"):
        body = {"name": "P", "description": "d", "data_type": "string"}
        del body[missing]
        response = api.post(f"/ticket_types/{ticket_type['id']}/attributes", json=body)
        assert response.status_code == 400
        assert response.json()["errors"][0] == {"code": "parameter_not_found", "message": f"{missing} is required", "field": missing}


def test_duplicate_attribute_name(api):
    ticket_type = create_type(api)
    create_attribute(api, ticket_type["id"], name="Priority")
    error = create_attribute(api, ticket_type["id"], 400, name="Priority")["errors"][0]
    assert (error["code"], error["field"]) == ("parameter_invalid", "name")
    # the same name on another type is fine
    create_attribute(api, create_type(api, name="Other")["id"], name="Priority")


def test_update_attribute(api):
    ticket_type = create_type(api)
    attr = create_attribute(api, ticket_type["id"], name="Severity", data_type="list", list_items="Low,High")
    low_id = attr["input_options"]["list_options"][0]["id"]
    url = f"/ticket_types/{ticket_type['id']}/attributes/{attr['id']}"
    updated = api.put(url, json={"description": "New", "list_items": "Low,Medium,High", "visible_on_create": False}).json()
    assert (updated["description"], updated["visible_on_create"], updated["name"]) == ("New", False, "Severity")
    options = updated["input_options"]["list_options"]
    assert [o["label"] for o in options] == ["Low", "Medium", "High"] and options[0]["id"] == low_id
    archived = api.put(url, json={"archived": True}).json()
    assert archived["archived"] is True
    listed = api.get(f"/ticket_types/{ticket_type['id']}").json()["ticket_type_attributes"]["data"]
    assert listed[-1]["archived"] is True
    renamed = api.put(url, json={"name": "Level"}).json()
    assert renamed["name"] == "Level"


def test_update_attribute_errors(api):
    ticket_type = create_type(api)
    other_type = create_type(api, name="Other")
    attr = create_attribute(api, ticket_type["id"], name="Priority")
    create_attribute(api, ticket_type["id"], name="Taken")
    base = f"/ticket_types/{ticket_type['id']}/attributes"
    title_id = ticket_type["ticket_type_attributes"]["data"][0]["id"]
    assert api.put(f"{base}/{title_id}", json={"name": "Title"}).json()["errors"][0]["field"] == "name"
    assert api.put(f"{base}/{attr['id']}", json={"name": "Taken"}).json()["errors"][0]["field"] == "name"
    assert api.put(f"{base}/{attr['id']}", json={"list_items": "a"}).json()["errors"][0]["field"] == "list_items"
    assert api.put(f"{base}/{attr['id']}", json={"archived": 1}).status_code == 400
    assert api.put(f"{base}/999999", json={"name": "x"}).status_code == 404
    # an attribute is only reachable through its own type
    assert api.put(f"/ticket_types/{other_type['id']}/attributes/{attr['id']}", json={"name": "x"}).status_code == 404
    assert api.get(f"/ticket_types/{ticket_type['id']}").json()["ticket_type_attributes"]["data"][2]["name"] == "Priority"
