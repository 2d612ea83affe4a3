"""Tags over HTTP: the five forms of POST /tags, find, list, delete, and tagging contacts."""

from __future__ import annotations

import pytest

from opencom.companies.models import CompanyTag
from opencom.segments.service import create_segment
from tests.people import make_company, make_contact

NOT_FOUND = [{"code": "not_found", "message": "Resource Not Found"}]
USER_NOT_FOUND = [{"code": "not_found", "message": "User Not Found"}]


def create(api, body, status=200):
    response = api.post("/tags", json=body)
    assert response.status_code == status, response.text
    return response.json()


def company_tag_ids(db, company_id):
    with db.transaction(write=False) as session:
        return [row.tag_id for row in session.query(CompanyTag).filter_by(company_id=company_id)]


def test_create_find_list(api):
    tag = create(api, {"name": "VIP"})
    assert tag == {"type": "tag", "id": tag["id"], "name": "VIP"}
    assert tag["id"].isdigit()
    assert api.get(f"/tags/{tag['id']}").json() == tag
    other = create(api, {"name": "Churned"})
    assert api.get("/tags").json() == {"type": "list", "data": [tag, other]}


def test_names_are_case_insensitive(api):
    tag = create(api, {"name": "vip"})
    assert create(api, {"name": "VIP"}) == tag
    assert create(api, {"name": "  Vip "}) == tag
    assert len(api.get("/tags").json()["data"]) == 1


def test_rename_by_id(api):
    tag = create(api, {"name": "Old"})
    renamed = create(api, {"id": tag["id"], "name": "New"})
    assert renamed == {"type": "tag", "id": tag["id"], "name": "New"}
    assert api.get(f"/tags/{tag['id']}").json()["name"] == "New"
    # numeric ids are accepted, and a change of case only is a rename of the same tag
    assert create(api, {"id": int(tag["id"]), "name": "NEW"})["name"] == "NEW"


def test_rename_errors(api):
    tag = create(api, {"name": "One"})
    create(api, {"name": "Two"})
    assert create(api, {"id": "999999", "name": "X"}, 404)["errors"] == NOT_FOUND
    clash = create(api, {"id": tag["id"], "name": "two"}, 400)["errors"][0]
    assert clash["code"] == "parameter_invalid" and clash["field"] == "name"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"test": "invalid"}, None),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 12}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "t", "users": "abc"}, "users"),
        ({"name": "t", "users": []}, "users"),
        ({"name": "t", "users": [{"id": "a"}] * 1001}, "users"),
        ({"name": "t", "users": [{"id": 5}]}, "users[0].id"),
        ({"name": "t", "users": ["abc"]}, "users[0]"),
        ({"name": "t", "companies": [{}]}, "companies[0]"),
        ({"name": "t", "companies": [{"id": 1}]}, "companies[0].id"),
        ({"name": "t", "companies": [{"company_id": "c", "untag": "yes"}]}, "companies[0].untag"),
        ({"users": [{"id": "x"}]}, "name"),
        ([1, 2], None),
        # Found by the conformance gate: a null id created a tag.
        ({"name": "t", "id": None}, "id"),
        ({"name": "t", "id": True}, "id"),
        ({"name": "t", "id": ["1"]}, "id"),
    ],
)
def test_invalid_tag_parameters(api, body, field):
    error = create(api, body, 400)["errors"][0]
    assert error["code"] == "parameter_invalid" and error["message"] == "invalid tag parameters"
    assert error.get("field") == field
    assert api.get("/tags").json()["data"] == []


def test_tag_users(api, db, workspace):
    first, second = make_contact(db, workspace.id), make_contact(db, workspace.id, role="lead")
    tag = create(api, {"name": "Beta", "users": [{"id": first}, {"id": second}]})
    for contact_id in (first, second):
        data = api.get(f"/contacts/{contact_id}/tags").json()["data"]
        assert [t["id"] for t in data] == [tag["id"]]
        assert data[0]["applied_by"] == {"type": "admin", "id": str(workspace.owner_id)}


def test_tag_users_unknown_user_tags_no_one(api, db, workspace):
    known = make_contact(db, workspace.id)
    body = create(api, {"name": "Beta", "users": [{"id": known}, {"id": "123"}]}, 404)
    assert body["errors"] == USER_NOT_FOUND
    assert api.get(f"/contacts/{known}/tags").json()["data"] == []
    assert api.get("/tags").json()["data"] == []


def test_tag_and_untag_companies(api, db, workspace):
    acme = make_company(db, workspace.id, "acme")
    globex = make_company(db, workspace.id, "globex")
    tag = create(api, {"name": "Enterprise", "companies": [{"id": acme}, {"company_id": "globex"}]})
    assert company_tag_ids(db, acme) == [int(tag["id"])]
    assert company_tag_ids(db, globex) == [int(tag["id"])]
    # tagging again is harmless; the tag is found by name in any case
    assert create(api, {"name": "enterprise", "companies": [{"id": acme}]}) == tag
    untagged = create(api, {"name": "Enterprise", "companies": [{"company_id": "acme", "untag": True}]})
    assert untagged == tag
    assert company_tag_ids(db, acme) == []
    assert company_tag_ids(db, globex) == [int(tag["id"])]


def test_company_errors(api, db, workspace):
    acme = make_company(db, workspace.id, "acme")
    body = create(api, {"name": "T", "companies": [{"id": acme}, {"company_id": "123"}]}, 404)
    assert body["errors"] == [{"code": "company_not_found", "message": "Company Not Found"}]
    assert company_tag_ids(db, acme) == [] and api.get("/tags").json()["data"] == []
    archived = make_company(db, workspace.id, "gone", archived=True)
    assert create(api, {"name": "T", "companies": [{"id": archived}]}, 404)["errors"][0]["code"] == "company_not_found"
    # untagging with a tag that doesn't exist
    assert create(api, {"name": "Nope", "companies": [{"id": acme, "untag": True}]}, 404)["errors"] == NOT_FOUND


def test_find_unknown_tag(api):
    for tag_id in ("999999", "abc", "99999999999999999999999", "-1", "²"):
        response = api.get(f"/tags/{tag_id}")
        assert response.status_code == 404 and response.json()["errors"] == NOT_FOUND


def test_tags_are_per_workspace(api, db, server, validator):
    from opencom.workspaces.service import create_workspace
    from tests.support import make_client

    tag = create(api, {"name": "Mine"})
    with db.transaction() as session:
        token = create_workspace(session, "Other").token
    with make_client(server, token, validator) as other:
        assert other.get(f"/tags/{tag['id']}").status_code == 404
        assert other.get("/tags").json()["data"] == []
        assert other.post("/tags", json={"id": tag["id"], "name": "Theirs"}).status_code == 404


def test_delete_tag_removes_taggings(api, db, workspace):
    contact = make_contact(db, workspace.id)
    company = make_company(db, workspace.id, "acme")
    tag = create(api, {"name": "Temp", "users": [{"id": contact}]})
    create(api, {"name": "Temp", "companies": [{"id": company}]})
    response = api.delete(f"/tags/{tag['id']}")
    assert response.status_code == 200 and response.content == b""
    assert api.get(f"/tags/{tag['id']}").status_code == 404
    assert api.get(f"/contacts/{contact}/tags").json()["data"] == []
    assert company_tag_ids(db, company) == []
    assert api.delete(f"/tags/{tag['id']}").json()["errors"] == NOT_FOUND
    # the name is free again
    assert create(api, {"name": "temp"})["name"] == "temp"


def test_tag_used_by_a_segment_cannot_be_deleted(api, db, workspace):
    tag = create(api, {"name": "Watched"})
    with db.transaction() as session:
        for name in ("Seg 1", "Seg 2"):
            create_segment(session, workspace.id, name, {
                "operator": "AND",
                "value": [{"field": "role", "operator": "=", "value": "user"},
                          {"field": "tag_id", "operator": "=", "value": tag["id"]}],
            })
    response = api.delete(f"/tags/{tag['id']}")
    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "code": "tag_has_dependent_objects",
        "message": "Unable to delete Tag with dependent objects. Segments: Seg 1, Seg 2.",
    }]
    assert api.get(f"/tags/{tag['id']}").status_code == 200
    # a segment naming another tag's id does not block this one
    other = create(api, {"name": "Free"})
    assert api.delete(f"/tags/{other['id']}").status_code == 200


def test_attach_list_detach_contact_tag(api, db, workspace):
    contact = make_contact(db, workspace.id)
    tag = create(api, {"name": "Manual tag"})
    attached = api.post(f"/contacts/{contact}/tags", json={"id": int(tag["id"])}).json()
    assert attached["id"] == tag["id"] and attached["name"] == "Manual tag"
    assert attached["applied_by"] == {"type": "admin", "id": str(workspace.owner_id)}
    assert isinstance(attached["applied_at"], int)
    # attaching twice keeps the first tagging
    assert api.post(f"/contacts/{contact}/tags", json={"id": tag["id"]}).json() == attached
    assert api.get(f"/contacts/{contact}/tags").json() == {"type": "list", "data": [attached]}
    detached = api.delete(f"/contacts/{contact}/tags/{tag['id']}")
    assert detached.status_code == 200 and detached.json() == attached
    assert api.get(f"/contacts/{contact}/tags").json()["data"] == []
    # detaching a tag the contact doesn't have returns the tag, without tagging details
    assert api.delete(f"/contacts/{contact}/tags/{tag['id']}").json() == tag


def test_contact_tag_errors(api, db, workspace):
    contact = make_contact(db, workspace.id)
    tag = create(api, {"name": "T"})
    assert api.post("/contacts/123/tags", json={"id": tag["id"]}).json()["errors"] == USER_NOT_FOUND
    assert api.post(f"/contacts/{contact}/tags", json={"id": "999999"}).json()["errors"] == NOT_FOUND
    assert api.delete(f"/contacts/123/tags/{tag['id']}").json()["errors"] == USER_NOT_FOUND
    assert api.delete(f"/contacts/{contact}/tags/999999").json()["errors"] == NOT_FOUND
    assert api.get("/contacts/123/tags").json()["errors"] == USER_NOT_FOUND
    missing = api.post(f"/contacts/{contact}/tags", json={})
    assert missing.status_code == 400 and missing.json()["errors"][0]["code"] == "parameter_not_found"
    for bad in ({"id": True}, {"id": [1]}, {"id": None}):
        response = api.post(f"/contacts/{contact}/tags", json=bad)
        assert response.status_code == 400, bad
    assert api.get(f"/contacts/{contact}/tags").json()["data"] == []
