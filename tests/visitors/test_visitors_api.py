"""Visitors over HTTP: retrieve, update, and convert into a contact."""

from __future__ import annotations

import pytest

from opencom.visitors.service import create_visitor
from tests.people import make_contact


def make_visitor(db, workspace_id: int, **fields) -> dict:
    with db.transaction() as session:
        visitor = create_visitor(session, workspace_id, name=fields.pop("name", None), email=fields.pop("email", None))
        for key, value in fields.items():
            setattr(visitor, key, value)
        return {"id": visitor.id, "user_id": visitor.user_id}


def error(response) -> dict:
    return response.json()["errors"][0]


def test_retrieve_by_user_id(api, db, workspace):
    visitor = make_visitor(db, workspace.id, location={"city_name": "Dublin", "country_code": "IRL"})
    response = api.get("/visitors", params={"user_id": visitor["user_id"]})
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "visitor" and body["id"] == visitor["id"] and body["anonymous"] is True
    assert body["email"] == "" and body["pseudonym"]
    assert body["companies"] == {"type": "company.list", "companies": []}
    assert body["tags"] == {"type": "tag.list", "tags": []}
    assert body["segments"] == {"type": "segment.list", "segments": []}
    assert body["social_profiles"] == {"type": "social_profile.list", "social_profiles": []}
    assert body["location_data"] == {"type": "location_data", "city_name": "Dublin", "country_code": "IRL"}
    assert body["avatar"] == {"type": "avatar", "image_url": None}
    assert body["last_request_at"] is None and body["custom_attributes"] == {}


def test_unknown_visitor(api, db, workspace):
    response = api.get("/visitors", params={"user_id": "fail"})
    assert response.status_code == 404 and error(response) == {"code": "not_found", "message": "Visitor Not Found"}
    response = api.put("/visitors", json={"user_id": "fail", "name": "Christian Fail"})
    assert response.status_code == 404 and error(response)["message"] == "Visitor Not Found"
    assert api.get("/visitors").status_code == 400


def test_update_by_id_or_user_id(api, db, workspace):
    visitor = make_visitor(db, workspace.id)
    response = api.put("/visitors", json={"id": visitor["id"], "name": "Gareth Bale", "custom_attributes": {"paid": True, "spend": 155.5}})
    assert response.status_code == 200
    assert response.json()["name"] == "Gareth Bale"
    assert response.json()["custom_attributes"] == {"paid": True, "spend": 155.5}
    response = api.put("/visitors", json={"user_id": visitor["user_id"], "email": "gb@example.com", "custom_attributes": {"team_mates": 9}})
    body = response.json()
    assert body["email"] == "gb@example.com" and body["name"] == "Gareth Bale"
    assert body["custom_attributes"] == {"paid": True, "spend": 155.5, "team_mates": 9}
    assert api.get("/visitors", params={"user_id": visitor["user_id"]}).json() == body


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "x"}, "id"),
        ({"id": None, "name": "x"}, "id"),
        ({"id": "X", "name": 5}, "name"),
        ({"id": "X", "custom_attributes": {"nested": {"a": 1}}}, "custom_attributes.nested"),
        ({"id": "X", "custom_attributes": "flat"}, "custom_attributes"),
    ],
)
def test_invalid_updates(api, db, workspace, body, field):
    visitor = make_visitor(db, workspace.id)
    if body.get("id") == "X":
        body = {**body, "id": visitor["id"]}
    response = api.put("/visitors", json=body)
    assert response.status_code == 400 and error(response)["field"] == field


def test_convert_to_a_new_user(api, db, workspace):
    visitor = make_visitor(db, workspace.id, name="Visiting Vera", location={"city_name": "Dublin", "country_name": "Ireland"})
    response = api.post("/visitors/convert", json={"visitor": {"user_id": visitor["user_id"]}, "user": {"email": "foo@bar.com"}, "type": "user"})
    assert response.status_code == 200
    contact = response.json()
    assert contact["type"] == "contact" and contact["role"] == "user" and contact["email"] == "foo@bar.com"
    assert contact["name"] == "Visiting Vera" and contact["location"]["city"] == "Dublin"
    assert api.get(f"/contacts/{contact['id']}").json()["email"] == "foo@bar.com"
    assert api.get("/visitors", params={"user_id": visitor["user_id"]}).status_code == 404


def test_convert_to_a_lead_with_an_external_id(api, db, workspace):
    visitor = make_visitor(db, workspace.id, email="v@example.com")
    response = api.post("/visitors/convert", json={"visitor": {"id": visitor["id"]}, "user": {"user_id": "ext-1"}, "type": "lead"})
    assert response.status_code == 200
    contact = response.json()
    assert (contact["role"], contact["external_id"], contact["email"]) == ("lead", "ext-1", "v@example.com")


def test_convert_merges_into_an_existing_user(api, db, workspace):
    existing = make_contact(db, workspace.id, email="known@example.com", name="Known", external_id="k-1")
    for user in ({"id": existing}, {"user_id": "k-1"}, {"email": "known@example.com"}):
        visitor = make_visitor(db, workspace.id, name="Anon", phone="+353 1 234", utm_source="ads")
        response = api.post("/visitors/convert", json={"visitor": {"user_id": visitor["user_id"]}, "user": user, "type": "user"})
        assert response.status_code == 200
        contact = response.json()
        assert contact["id"] == existing
        # The contact's own values win; the visitor fills the gaps.
        assert (contact["name"], contact["phone"], contact["utm_source"]) == ("Known", "+353 1 234", "ads")
        assert api.get("/visitors", params={"user_id": visitor["user_id"]}).status_code == 404
    assert api.post("/contacts/search", json={"query": {"field": "email", "operator": "=", "value": "known@example.com"}}).json()["total_count"] == 1


def test_convert_carries_defined_custom_attributes_only(api, db, workspace):
    api.post("/data_attributes", json={"name": "plan", "model": "contact", "data_type": "string"})
    visitor = make_visitor(db, workspace.id, custom_attributes={"plan": "pro", "undefined": "x", "wrong_type": 1})
    response = api.post("/visitors/convert", json={"visitor": {"id": visitor["id"]}, "user": {"email": "ca@example.com"}, "type": "user"})
    assert response.json()["custom_attributes"] == {"plan": "pro"}


def test_convert_errors(api, db, workspace):
    visitor = make_visitor(db, workspace.id)
    ok_user = {"email": "x@example.com"}
    response = api.post("/visitors/convert", json={"visitor": {"user_id": "nope"}, "user": ok_user, "type": "user"})
    assert response.status_code == 404 and error(response)["message"] == "Visitor Not Found"
    response = api.post("/visitors/convert", json={"visitor": {"id": visitor["id"]}, "user": {"id": "000000000000000000000000"}, "type": "user"})
    assert response.status_code == 404 and error(response)["message"] == "User Not Found"
    response = api.post("/visitors/convert", json={"visitor": {"id": visitor["id"]}, "user": ok_user, "type": "visitor"})
    assert response.status_code == 400 and error(response)["field"] == "type"
    response = api.post("/visitors/convert", json={"visitor": {"id": visitor["id"]}, "user": {}, "type": "user"})
    assert response.status_code == 400 and error(response)["field"] == "user"
    response = api.post("/visitors/convert", json={"visitor": {}, "user": ok_user, "type": "user"})
    assert response.status_code == 400 and error(response)["field"] == "visitor"
    for missing in ("visitor", "user", "type"):
        body = {"visitor": {"id": visitor["id"]}, "user": ok_user, "type": "user"}
        del body[missing]
        response = api.post("/visitors/convert", json=body)
        assert response.status_code == 400 and error(response) == {"code": "parameter_not_found", "message": f"{missing} is required", "field": missing}
    # Nothing above converted the visitor.
    assert api.get("/visitors", params={"user_id": visitor["user_id"]}).status_code == 200


def test_convert_conflict_leaves_the_visitor(api, db, workspace):
    make_contact(db, workspace.id, email="taken@example.com")
    visitor = make_visitor(db, workspace.id, email="taken@example.com")
    response = api.post("/visitors/convert", json={"visitor": {"id": visitor["id"]}, "user": {"user_id": "new-ext"}, "type": "user"})
    assert response.status_code == 409 and error(response)["code"] == "conflict"
    assert api.get("/visitors", params={"user_id": visitor["user_id"]}).status_code == 200


def test_visitors_of_other_workspaces_are_not_found(api, db):
    from opencom.workspaces.service import create_workspace

    with db.transaction() as session:
        other = create_workspace(session, "Other").workspace.id
    visitor = make_visitor(db, other)
    assert api.get("/visitors", params={"user_id": visitor["user_id"]}).status_code == 404


def test_needs_a_token(anon):
    assert anon.get("/visitors", params={"user_id": "x"}).status_code == 401
