"""Subscription types and a contact's explicit subscription choices, over HTTP."""

from __future__ import annotations

import pytest

from tests.people import make_contact


def types_by_consent(api) -> dict[str, dict]:
    body = api.get("/subscription_types").json()
    return {t["consent_type"]: t for t in body["data"]}


def test_new_workspace_has_an_opt_out_email_type_and_an_opt_in_sms_type(api):
    response = api.get("/subscription_types")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "list"
    newsletter, sms = body["data"]
    assert newsletter["type"] == "subscription" and newsletter["state"] == "live"
    assert (newsletter["consent_type"], newsletter["content_types"]) == ("opt_out", ["email"])
    assert newsletter["default_translation"] == {"name": "Newsletters", "description": newsletter["default_translation"]["description"], "locale": "en"}
    assert newsletter["translations"] == [newsletter["default_translation"]]
    assert (sms["consent_type"], sms["content_types"]) == ("opt_in", ["sms_message"])
    assert newsletter["id"].isdigit()


def test_attach_list_detach(api, db, workspace):
    contact = make_contact(db, workspace.id, email="sub@example.com")
    types = types_by_consent(api)
    assert api.get(f"/contacts/{contact}/subscriptions").json() == {"type": "list", "data": []}

    out = api.post(f"/contacts/{contact}/subscriptions", json={"id": types["opt_out"]["id"], "consent_type": "opt_out"})
    assert out.status_code == 200 and out.json() == types["opt_out"]
    # The examples send the id as a number.
    into = api.post(f"/contacts/{contact}/subscriptions", json={"id": int(types["opt_in"]["id"]), "consent_type": "opt_in"})
    assert into.status_code == 200 and into.json()["id"] == types["opt_in"]["id"]
    # Attaching twice is harmless.
    assert api.post(f"/contacts/{contact}/subscriptions", json={"id": types["opt_in"]["id"], "consent_type": "opt_in"}).status_code == 200

    listed = api.get(f"/contacts/{contact}/subscriptions").json()["data"]
    assert [t["id"] for t in listed] == [types["opt_out"]["id"], types["opt_in"]["id"]]

    detached = api.delete(f"/contacts/{contact}/subscriptions/{types['opt_out']['id']}")
    assert detached.status_code == 200 and detached.json() == types["opt_out"]
    listed = api.get(f"/contacts/{contact}/subscriptions").json()["data"]
    assert [t["id"] for t in listed] == [types["opt_in"]["id"]]
    # Detaching what is not attached still answers the type.
    assert api.delete(f"/contacts/{contact}/subscriptions/{types['opt_out']['id']}").status_code == 200


def test_choices_belong_to_one_contact(api, db, workspace):
    first = make_contact(db, workspace.id, email="a@example.com")
    second = make_contact(db, workspace.id, email="b@example.com")
    sms = types_by_consent(api)["opt_in"]
    api.post(f"/contacts/{first}/subscriptions", json={"id": sms["id"], "consent_type": "opt_in"})
    assert api.get(f"/contacts/{second}/subscriptions").json()["data"] == []


def test_consent_type_must_match_the_type(api, db, workspace):
    contact = make_contact(db, workspace.id, email="c@example.com")
    types = types_by_consent(api)
    response = api.post(f"/contacts/{contact}/subscriptions", json={"id": types["opt_out"]["id"], "consent_type": "opt_in"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parameter_invalid"
    assert response.json()["errors"][0]["field"] == "consent_type"
    response = api.post(f"/contacts/{contact}/subscriptions", json={"id": types["opt_out"]["id"], "consent_type": "maybe"})
    assert response.status_code == 400
    assert api.get(f"/contacts/{contact}/subscriptions").json()["data"] == []


@pytest.mark.parametrize(
    "body, field",
    [({"consent_type": "opt_in"}, "id"), ({"id": "1"}, "consent_type"), ({"id": ["1"], "consent_type": "opt_in"}, "id")],
)
def test_bad_attach_bodies(api, db, workspace, body, field):
    contact = make_contact(db, workspace.id)
    response = api.post(f"/contacts/{contact}/subscriptions", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_unknown_contact_and_unknown_type(api, db, workspace):
    sms = types_by_consent(api)["opt_in"]
    for response in (
        api.post("/contacts/000000000000000000000000/subscriptions", json={"id": sms["id"], "consent_type": "opt_in"}),
        api.delete(f"/contacts/000000000000000000000000/subscriptions/{sms['id']}"),
        api.get("/contacts/000000000000000000000000/subscriptions"),
    ):
        assert response.status_code == 404
        assert response.json()["errors"][0] == {"code": "not_found", "message": "User Not Found"}
    contact = make_contact(db, workspace.id)
    for response in (
        api.post(f"/contacts/{contact}/subscriptions", json={"id": "invalid_id", "consent_type": "opt_in"}),
        api.post(f"/contacts/{contact}/subscriptions", json={"id": 99999999, "consent_type": "opt_in"}),
        api.delete(f"/contacts/{contact}/subscriptions/99999999"),
        api.delete(f"/contacts/{contact}/subscriptions/²"),  # "²".isdigit() is true, int("²") fails
    ):
        assert response.status_code == 404
        assert response.json()["errors"][0] == {"code": "not_found", "message": "Resource Not Found"}


def test_other_workspaces_types_are_not_found(api, db, workspace):
    from opencom.subscription_types.models import SubscriptionType
    from opencom.workspaces.service import create_workspace

    with db.transaction() as session:
        other = create_workspace(session, "Other").workspace.id
    with db.transaction() as session:
        foreign = session.query(SubscriptionType).filter_by(workspace_id=other).first().id
    contact = make_contact(db, workspace.id)
    response = api.post(f"/contacts/{contact}/subscriptions", json={"id": foreign, "consent_type": "opt_out"})
    assert response.status_code == 404


def test_needs_a_token(anon):
    assert anon.get("/subscription_types").status_code == 401
