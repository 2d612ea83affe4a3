"""Data attributes over HTTP: the standard ones, creating, updating and archiving custom ones."""

from __future__ import annotations

import pytest

from opencom.core.clock import now
from opencom.core.ids import hex_id
from opencom.segments.models import Segment
from tests.people import make_contact


def create(api, **body):
    return api.post("/data_attributes", json={"model": "contact", "data_type": "string", **body})


def error(response) -> dict:
    return response.json()["errors"][0]


def test_standard_attributes_are_listed_per_model(api):
    body = api.get("/data_attributes").json()
    assert body["type"] == "list"
    models = {a["model"] for a in body["data"]}
    assert models == {"contact", "company"}
    assert all(a["custom"] is False and "id" not in a for a in body["data"])
    contact = {a["full_name"]: a for a in api.get("/data_attributes", params={"model": "contact"}).json()["data"]}
    assert {"name", "email", "phone", "external_id", "owner_id", "created_at", "signed_up_at", "last_seen_at"} <= set(contact)
    assert contact["email"]["data_type"] == "string" and contact["created_at"]["data_type"] == "date"
    assert contact["location.city"]["name"] == "city"
    company = {a["full_name"]: a for a in api.get("/data_attributes", params={"model": "company"}).json()["data"]}
    assert {"name", "company_id", "plan.name", "size", "website", "industry", "monthly_spend", "user_count"} <= set(company)
    assert company["plan.name"]["name"] == "name" and company["monthly_spend"]["data_type"] == "float"
    assert {a["model"] for a in company.values()} == {"company"}


def test_conversation_model_has_no_attributes_and_other_models_are_refused(api):
    assert api.get("/data_attributes", params={"model": "conversation"}).json() == {"type": "list", "data": []}
    assert api.get("/data_attributes", params={"model": "ticket"}).status_code == 400
    # Found by the conformance gate: an empty model listed every attribute.
    assert error(api.get("/data_attributes", params={"model": ""}))["field"] == "model"
    assert api.get("/data_attributes", params={"include_archived": "perhaps"}).status_code == 400


def test_create_a_custom_attribute(api, workspace):
    response = api.post("/data_attributes", json={"name": "Mithril Shirt", "model": "company", "data_type": "string"})
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["id"], int)
    assert body["name"] == "Mithril Shirt" and body["full_name"] == "custom_attributes.Mithril Shirt"
    assert body["label"] == "Mithril Shirt" and body["custom"] is True and body["archived"] is False
    assert body["admin_id"] == str(workspace.owner_id) and body["model"] == "company"
    listed = api.get("/data_attributes", params={"model": "company"}).json()["data"]
    assert listed[-1] == body
    assert all(a["name"] != "Mithril Shirt" for a in api.get("/data_attributes", params={"model": "contact"}).json()["data"])


@pytest.mark.parametrize("data_type", ["string", "integer", "float", "boolean", "date", "datetime"])
def test_every_data_type(api, data_type):
    response = create(api, name=f"attr_{data_type}", data_type=data_type, description="d", messenger_writable=False)
    assert response.status_code == 200
    assert (response.json()["data_type"], response.json()["description"], response.json()["messenger_writable"]) == (data_type, "d", False)


def test_list_attribute_options(api):
    response = create(api, name="Tier", options=[{"value": "gold"}, "silver"])
    assert response.status_code == 200 and response.json()["options"] == ["gold", "silver"]
    # The SDK (later API versions) says data_type "options".
    response = create(api, name="Size band", data_type="options", options=[{"value": "1-10"}, {"value": "11-20"}])
    assert response.status_code == 200 and response.json()["data_type"] == "string"
    too_few = create(api, name="Lonely", options=[{"value": "1-10"}])
    assert too_few.status_code == 400 and error(too_few)["code"] == "parameter_invalid" and error(too_few)["field"] == "options"
    wrong_type = create(api, name="Numbers", data_type="integer", options=["1", "2"])
    assert wrong_type.status_code == 400 and error(wrong_type)["field"] == "options"
    not_array = create(api, name="Weird", options={"value": "1-10"})
    assert not_array.status_code == 400 and error(not_array)["message"] == "Options isn't an array"


def test_names_are_unique_across_models(api):
    assert api.post("/data_attributes", json={"name": "The One Ring", "model": "company", "data_type": "string"}).status_code == 200
    for model, kind in (("company", "company"), ("contact", "people")):
        response = api.post("/data_attributes", json={"name": "The One Ring", "model": model, "data_type": "integer"})
        assert response.status_code == 400
        assert error(response) == {
            "code": "parameter_invalid", "field": "name",
            "message": f"You already have 'The One Ring' in your company data. To save this as new {kind} data, use a different name.",
        }
    # A standard attribute's name is taken within its model.
    assert create(api, name="email").status_code == 400
    assert api.post("/data_attributes", json={"name": "email", "model": "company", "data_type": "string"}).status_code == 200


INVALID_CREATES = [
    ({"name": "!nv@l!d n@me", "model": "company", "data_type": "string"}, "name",
     "Your name for this attribute must only contain alphanumeric characters, currency symbols, and hyphens"),
    ({"name": "dotted.name", "model": "company", "data_type": "string"}, "name", None),
    ({"name": "   ", "model": "company", "data_type": "string"}, "name", None),
    ({"name": 12, "model": "company", "data_type": "string"}, "name", None),
    ({"name": "The Second Ring", "model": "company", "data_type": "mithril"}, "data_type", "Data Type isn't an option"),
    ({"name": "x", "model": "conversation", "data_type": "string"}, "model", "model must be contact or company"),
    ({"name": "x", "model": "contact", "data_type": "string", "description": 5}, "description", None),
    ({"name": "x", "model": "contact", "data_type": "string", "messenger_writable": "yes"}, "messenger_writable", None),
]


def test_invalid_create_bodies(api):
    # One workspace for every case: each is refused, so none changes what the next one sees.
    for body, field, message in INVALID_CREATES:
        response = api.post("/data_attributes", json=body)
        assert response.status_code == 400, body
        assert error(response)["code"] == "parameter_invalid" and error(response)["field"] == field, body
        if message:
            assert error(response)["message"] == message
    assert all(not a["custom"] for a in api.get("/data_attributes").json()["data"])


@pytest.mark.parametrize("missing", ["name", "model", "data_type"])
def test_missing_create_fields(api, missing):
    body = {"name": "x", "model": "contact", "data_type": "string"}
    del body[missing]
    response = api.post("/data_attributes", json=body)
    assert response.status_code == 400 and error(response) == {"code": "parameter_not_found", "message": f"{missing} is required", "field": missing}


def test_non_object_body(api):
    assert api.post("/data_attributes", json=["name"]).status_code == 400
    assert api.post("/data_attributes", content=b"{", headers={"content-type": "application/json"}).status_code == 400


def test_currency_symbols_and_unicode_letters_are_allowed(api):
    assert create(api, name="Spend in €-£ Über_total").status_code == 200


def test_update_description_options_and_messenger_writable(api):
    created = create(api, name="The One Ring", options=["a", "b"]).json()
    response = api.put(
        f"/data_attributes/{created['id']}",
        json={"description": "Just a plain old ring", "options": [{"value": "1-10"}, {"value": "11-20"}], "messenger_writable": False},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["options"] == ["1-10", "11-20"] and body["description"] == "Just a plain old ring"
    assert body["messenger_writable"] is False and body["updated_at"] >= created["updated_at"]
    bad = api.put(f"/data_attributes/{created['id']}", json={"options": {"value": "1-10"}})
    assert bad.status_code == 400 and error(bad)["message"] == "Options isn't an array"
    assert api.put(f"/data_attributes/{created['id']}", json={"archived": "yes"}).status_code == 400
    numeric = create(api, name="Count", data_type="integer").json()
    assert api.put(f"/data_attributes/{numeric['id']}", json={"options": ["1", "2"]}).status_code == 400


def test_archive_hides_and_unarchive_shows(api):
    created = create(api, name="Old thing").json()
    archived = api.put(f"/data_attributes/{created['id']}", json={"archived": True})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    names = [a["name"] for a in api.get("/data_attributes", params={"model": "contact"}).json()["data"]]
    assert "Old thing" not in names
    everything = api.get("/data_attributes", params={"model": "contact", "include_archived": "true"}).json()["data"]
    assert [a["archived"] for a in everything if a["name"] == "Old thing"] == [True]
    # An archived attribute's name stays taken.
    assert create(api, name="Old thing").status_code == 400
    assert api.put(f"/data_attributes/{created['id']}", json={"archived": False}).json()["archived"] is False
    assert "Old thing" in [a["name"] for a in api.get("/data_attributes").json()["data"]]


def test_archiving_refused_while_a_segment_uses_it(api, db, workspace):
    used = create(api, name="plan tier").json()
    unused = create(api, name="plan").json()
    query = {"operator": "AND", "value": [{"field": "custom_attributes.plan tier", "operator": "=", "value": "gold"}]}
    with db.transaction() as session:
        session.add(Segment(id=hex_id(), workspace_id=workspace.id, name="Gold", person_type="user", query=query, created_at=now(), updated_at=now()))
    response = api.put(f"/data_attributes/{used['id']}", json={"description": "Trying to archive", "archived": True})
    assert response.status_code == 422
    assert error(response) == {"code": "data_invalid", "message": "The Data Attribute you are trying to archive has a dependant object"}
    assert api.get("/data_attributes", params={"model": "contact"}).json()["data"][-2].get("description") is None  # rolled back
    # "custom_attributes.plan" is a prefix of the used field, but nothing filters on it.
    assert api.put(f"/data_attributes/{unused['id']}", json={"archived": True}).status_code == 200


def test_unknown_and_standard_attributes_cannot_be_updated(api, db, workspace):
    from sqlalchemy import select

    from opencom.data_attributes.models import DataAttribute

    with db.transaction() as session:
        standard = session.scalar(select(DataAttribute.id).where(DataAttribute.workspace_id == workspace.id, DataAttribute.custom.is_(False)))
    for attribute_id in ("999999999", "abc", "²", str(standard)):  # "²".isdigit() was a 500
        response = api.put(f"/data_attributes/{attribute_id}", json={"description": "x"})
        assert response.status_code == 404
        assert error(response) == {"code": "field_not_found", "message": "We couldn't find that data attribute to update"}


def test_custom_attribute_is_accepted_on_contacts_until_archived(api, db, workspace):
    attribute = create(api, name="paid_subscriber", data_type="boolean").json()
    contact = make_contact(db, workspace.id, email="ca@example.com")
    accepted = api.put(f"/contacts/{contact}", json={"custom_attributes": {"paid_subscriber": True}})
    assert accepted.status_code == 200 and accepted.json()["custom_attributes"]["paid_subscriber"] is True
    wrong = api.put(f"/contacts/{contact}", json={"custom_attributes": {"paid_subscriber": "yes"}})
    assert wrong.status_code == 400 and error(wrong)["field"] == "custom_attributes.paid_subscriber"
    api.put(f"/data_attributes/{attribute['id']}", json={"archived": True})
    refused = api.put(f"/contacts/{contact}", json={"custom_attributes": {"paid_subscriber": False}})
    assert refused.status_code == 400


def test_date_attributes_take_unix_seconds(db, workspace, api):
    from opencom.core.errors import ApiError
    from opencom.data_attributes.service import check_custom_attributes

    create(api, name="renewal", data_type="date")
    with db.transaction() as session:
        assert check_custom_attributes(session, workspace.id, "contact", {"renewal": 1717021972}) == {"renewal": 1717021972}
        with pytest.raises(ApiError):
            check_custom_attributes(session, workspace.id, "contact", {"renewal": "2024-05-01"})
        with pytest.raises(ApiError):
            check_custom_attributes(session, workspace.id, "company", {"renewal": 1})


def test_needs_a_token(anon):
    assert anon.get("/data_attributes").status_code == 401
    assert anon.post("/data_attributes", json={}).status_code == 401


def test_null_fields_are_refused(api):
    # Found by the conformance gate: explicit nulls were taken as "not sent".
    for field in ("description", "messenger_writable", "options"):
        response = create(api, name=f"nul {field}", **{field: None})
        assert response.status_code == 400 and error(response) == {**error(response), "code": "parameter_invalid", "field": field}
    created = create(api, name="kept", description="d").json()
    for field in ("description", "messenger_writable", "options", "archived"):
        response = api.put(f"/data_attributes/{created['id']}", json={field: None})
        assert response.status_code == 400 and error(response)["field"] == field
    assert all(a["name"] != "nul description" for a in api.get("/data_attributes").json()["data"])
