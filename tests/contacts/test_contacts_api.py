"""Contacts over HTTP: create, show, update, delete, archive, list, merge and the nested lists.

Searches are in test_contacts_search.py.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select

from opencom.contacts import schemas as contact_schemas
from opencom.contacts.models import Contact, ContactCompany, ContactSubscription, ContactTag
from opencom.core.clock import clock, now
from opencom.data_attributes.models import DataAttribute
from opencom.data_events.models import DataEvent, DataEventSummary
from opencom.notes.models import Note
from opencom.subscription_types.models import SubscriptionType
from opencom.tags.models import Tag
from tests.people import make_company, make_contact
from tests.support import make_client

NOT_FOUND = [{"code": "not_found", "message": "User Not Found"}]


def define_attribute(db, workspace_id: int, name: str, data_type: str) -> None:
    with db.transaction() as session:
        session.add(DataAttribute(
            workspace_id=workspace_id, model="contact", name=name, full_name=f"custom_attributes.{name}",
            label=name, description="", data_type=data_type, custom=True, archived=False,
            api_writable=True, messenger_writable=False, ui_writable=True, created_at=now(), updated_at=now(),
        ))


def make_tags(db, workspace_id: int, contact_id: str, count: int, start: int = 0) -> list[int]:
    with db.transaction() as session:
        tags = [Tag(workspace_id=workspace_id, name=f"t{start + i}", name_key=f"t{start + i}", created_at=now()) for i in range(count)]
        session.add_all(tags)
        session.flush()
        for i, tag in enumerate(tags):
            session.add(ContactTag(contact_id=contact_id, tag_id=tag.id, applied_at=now() + i))
        return [tag.id for tag in tags]


def make_subscription_type(db, workspace_id: int, consent_type: str) -> int:
    with db.transaction() as session:
        row = SubscriptionType(
            workspace_id=workspace_id, state="live", consent_type=consent_type, name=consent_type,
            description="", locale="en", translations=[], content_types=["email"], created_at=now(),
        )
        session.add(row)
        session.flush()
        return row.id


def errors(response) -> list[dict]:
    return response.json()["errors"]


# --- create and show -------------------------------------------------------------------------------


def test_create_with_email_then_show(api, workspace, db):
    response = api.post("/contacts", json={"email": "Joe@Example.COM", "name": "Joe", "phone": "+353871234567"})
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "contact" and len(body["id"]) == 24
    assert body["role"] == "user"
    assert (body["email"], body["email_domain"]) == ("Joe@example.com", "example.com")
    assert body["external_id"] is None and body["avatar"] is None and body["owner_id"] is None
    assert body["social_profiles"] == {"type": "list", "data": []}
    assert body["location"] == {"type": "location", "country": None, "region": None, "city": None, "country_code": None, "continent_code": None}
    assert body["tags"] == {"type": "list", "data": [], "url": f"/contacts/{body['id']}/tags", "total_count": 0, "has_more": False}
    assert body["opted_in_subscription_types"]["url"] == f"/contacts/{body['id']}/subscriptions"
    assert body["created_at"] == body["updated_at"] > 0
    with db.transaction() as session:
        from opencom.workspaces.models import Workspace

        assert body["workspace_id"] == session.get(Workspace, workspace.id).id_code
    assert api.get(f"/contacts/{body['id']}").json() == body


def test_create_lead_by_role_and_user_by_external_id(api, workspace):
    lead = api.post("/contacts", json={"role": "lead"}).json()
    assert lead["role"] == "lead" and lead["email"] == "" and lead["email_domain"] == ""
    user = api.post("/contacts", json={"external_id": 70, "avatar": "https://example.com/a.png", "owner_id": str(workspace.owner_id)}).json()
    assert user["role"] == "user" and user["external_id"] == "70"
    assert user["avatar"] == {"type": "avatar", "image_url": "https://example.com/a.png"}
    assert user["owner_id"] == workspace.owner_id


def test_create_with_custom_attributes_and_timestamps(api, db, workspace):
    define_attribute(db, workspace.id, "plan", "string")
    define_attribute(db, workspace.id, "seats", "integer")
    body = api.post("/contacts", json={
        "email": "a@b.io", "signed_up_at": 1571672154, "last_seen_at": "1571672155",
        "unsubscribed_from_emails": True, "custom_attributes": {"plan": "pro", "seats": 3},
    }).json()
    assert body["signed_up_at"] == 1571672154 and body["last_seen_at"] == 1571672155
    assert body["unsubscribed_from_emails"] is True
    assert body["custom_attributes"] == {"plan": "pro", "seats": 3}


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({}, "parameter_not_found", "email"),
        ({"name": "nobody"}, "parameter_not_found", "email"),
        ({"email": None, "role": None}, "parameter_invalid", "email"),  # null is not a string
        ({"role": "visitor"}, "parameter_invalid", "role"),
        ({"email": "not-an-email"}, "parameter_invalid", "email"),
        ({"email": 12}, "parameter_invalid", "email"),
        ({"role": "user", "name": ["x"]}, "parameter_invalid", "name"),
        ({"role": "user", "name": "x" * 256}, "parameter_invalid", "name"),
        ({"role": "user", "phone": "1\x002"}, "parameter_invalid", "phone"),
        ({"role": "user", "signed_up_at": "soon"}, "parameter_invalid", "signed_up_at"),
        ({"role": "user", "signed_up_at": True}, "parameter_invalid", "signed_up_at"),
        ({"role": "user", "owner_id": 987654321}, "parameter_invalid", "owner_id"),
        ({"role": "user", "owner_id": 2**70}, "parameter_invalid", "owner_id"),
        ({"role": "user", "unsubscribed_from_emails": "yes"}, "parameter_invalid", "unsubscribed_from_emails"),
        ({"role": "user", "custom_attributes": {"nope": 1}}, "parameter_invalid", "custom_attributes.nope"),
        ({"role": "user", "custom_attributes": "plan"}, "parameter_invalid", "custom_attributes"),
        ({"external_id": ""}, "parameter_invalid", "external_id"),
    ],
)
def test_create_refuses_bad_input(api, payload, code, field):
    response = api.post("/contacts", json=payload)
    assert response.status_code == 400, response.text
    assert errors(response)[0]["code"] == code
    assert errors(response)[0].get("field") == field


def test_create_refuses_a_non_object_body(api):
    assert api.post("/contacts", json=["email"]).status_code == 400
    assert api.post("/contacts", content=b"{", headers={"content-type": "application/json"}).status_code == 400


def test_create_refuses_custom_attribute_of_the_wrong_type(api, db, workspace):
    define_attribute(db, workspace.id, "seats", "integer")
    response = api.post("/contacts", json={"role": "user", "custom_attributes": {"seats": "three"}})
    assert response.status_code == 400 and errors(response)[0]["field"] == "custom_attributes.seats"


# --- uniqueness ------------------------------------------------------------------------------------


def test_user_email_is_unique_but_leads_may_share_it(api):
    first = api.post("/contacts", json={"email": "dup@example.com"}).json()
    again = api.post("/contacts", json={"email": "dup@example.com"})
    assert again.status_code == 409
    assert errors(again) == [{"code": "conflict", "message": f"A contact matching those details already exists with id={first['id']}"}]
    lead_one = api.post("/contacts", json={"email": "dup@example.com", "role": "lead"})
    lead_two = api.post("/contacts", json={"email": "dup@example.com", "role": "lead"})
    assert lead_one.status_code == lead_two.status_code == 200


def test_external_id_is_unique_across_roles(api):
    lead = api.post("/contacts", json={"external_id": "x-1", "role": "lead"}).json()
    clash = api.post("/contacts", json={"external_id": "x-1", "role": "user"})
    assert clash.status_code == 409 and lead["id"] in errors(clash)[0]["message"]


def test_update_into_a_taken_email_or_external_id_conflicts(api):
    taken = api.post("/contacts", json={"email": "taken@example.com", "external_id": "taken"}).json()
    other = api.post("/contacts", json={"email": "other@example.com"}).json()
    for change in ({"email": "taken@example.com"}, {"external_id": "taken"}):
        response = api.put(f"/contacts/{other['id']}", json=change)
        assert response.status_code == 409 and taken["id"] in errors(response)[0]["message"]
    assert api.get(f"/contacts/{other['id']}").json()["email"] == "other@example.com"


def test_concurrent_creates_of_one_email_make_one_contact(server, workspace, validator, api):
    results: list[int] = []

    def create() -> None:
        with make_client(server, workspace.token, validator) as client:
            results.append(client.post("/contacts", json={"email": "race@example.com"}).status_code)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200] + [409] * 5
    found = api.post("/contacts/search", json={"query": {"field": "email", "operator": "=", "value": "race@example.com"}})
    assert found.json()["total_count"] == 1


# --- update ----------------------------------------------------------------------------------------


def test_update_changes_fields_and_updated_at(api, db, workspace):
    define_attribute(db, workspace.id, "plan", "string")
    define_attribute(db, workspace.id, "seats", "integer")
    contact = api.post("/contacts", json={"email": "u@example.com", "name": "U", "custom_attributes": {"plan": "free", "seats": 1}}).json()
    clock.advance(5)
    try:
        response = api.put(f"/contacts/{contact['id']}", json={
            "name": None, "phone": "123", "email": "new@example.org", "owner_id": workspace.owner_id,
            "custom_attributes": {"plan": "pro", "seats": None},
        })
    finally:
        clock.reset()
    body = response.json()
    assert response.status_code == 200
    assert body["name"] is None and body["phone"] == "123"
    assert (body["email"], body["email_domain"]) == ("new@example.org", "example.org")
    assert body["owner_id"] == workspace.owner_id
    assert body["custom_attributes"] == {"plan": "pro"}
    assert body["updated_at"] >= contact["updated_at"] + 5
    assert body["created_at"] == contact["created_at"]
    assert api.get(f"/contacts/{contact['id']}").json() == body


def test_update_role_lead_to_user_only(api):
    lead = api.post("/contacts", json={"role": "lead", "email": "l@example.com"}).json()
    user = api.put(f"/contacts/{lead['id']}", json={"role": "user"})
    assert user.status_code == 200 and user.json()["role"] == "user"
    back = api.put(f"/contacts/{lead['id']}", json={"role": "lead"})
    assert back.status_code == 400 and errors(back)[0] == {"code": "parameter_invalid", "message": "A user cannot be turned back into a lead", "field": "role"}
    anonymous = api.post("/contacts", json={"role": "lead"}).json()
    refused = api.put(f"/contacts/{anonymous['id']}", json={"role": "user"})
    assert refused.status_code == 400 and errors(refused)[0]["field"] == "role"
    allowed = api.put(f"/contacts/{anonymous['id']}", json={"role": "user", "external_id": "e1"})
    assert allowed.json()["role"] == "user"


def test_update_refuses_bad_input(api):
    contact = api.post("/contacts", json={"email": "v@example.com"}).json()
    for payload, field in [
        ({"email": None}, "email"), ({"role": "admin"}, "role"), ({"email": "nope"}, "email"),
        ({"owner_id": "abc"}, "owner_id"), ({"custom_attributes": {"x": 1}}, "custom_attributes.x"),
        ({"last_seen_at": 1.5}, "last_seen_at"),
    ]:
        response = api.put(f"/contacts/{contact['id']}", json=payload)
        assert response.status_code == 400, payload
        assert errors(response)[0]["field"] == field
    assert api.get(f"/contacts/{contact['id']}").json()["email"] == "v@example.com"


# --- delete, archive, 404s ---------------------------------------------------------------------------


def test_delete_removes_the_contact_and_its_rows(api, db, workspace):
    contact = api.post("/contacts", json={"external_id": "gone", "email": "gone@example.com"}).json()
    make_tags(db, workspace.id, contact["id"], 2)
    response = api.delete(f"/contacts/{contact['id']}")
    assert response.json() == {"type": "contact", "id": contact["id"], "external_id": "gone", "deleted": True}
    assert api.get(f"/contacts/{contact['id']}").json()["errors"] == NOT_FOUND
    assert api.delete(f"/contacts/{contact['id']}").status_code == 404
    with db.transaction() as session:
        assert session.scalars(select(ContactTag).where(ContactTag.contact_id == contact["id"])).all() == []
    # Its email and external_id are free again.
    assert api.post("/contacts", json={"external_id": "gone", "email": "gone@example.com"}).status_code == 200


def test_archive_and_unarchive_are_idempotent(api):
    contact = api.post("/contacts", json={"email": "arch@example.com"}).json()
    cid = contact["id"]
    for _ in range(2):
        assert api.post(f"/contacts/{cid}/archive").json() == {"type": "contact", "id": cid, "external_id": None, "archived": True}
    assert api.get(f"/contacts/{cid}").status_code == 200
    assert cid not in [c["id"] for c in api.get("/contacts").json()["data"]]
    search = {"query": {"field": "email", "operator": "=", "value": "arch@example.com"}}
    assert api.post("/contacts/search", json=search).json()["total_count"] == 0
    for _ in range(2):
        assert api.post(f"/contacts/{cid}/unarchive").json()["archived"] is False
    assert [c["id"] for c in api.get("/contacts").json()["data"]] == [cid]
    assert api.post("/contacts/search", json=search).json()["total_count"] == 1


def test_unknown_contact_is_user_not_found_everywhere(api, db, server, validator):
    from opencom.workspaces.service import create_workspace

    with db.transaction() as session:
        other = create_workspace(session, "Other").workspace.id
    foreign = make_contact(db, other, email="f@example.com")
    lead = api.post("/contacts", json={"role": "lead"}).json()["id"]
    for cid in ("5ba682d23d7cf92bef87bfd4", "nope", foreign):
        for method, path in [("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/archive"), ("POST", "/unarchive")]:
            response = api.request(method, f"/contacts/{cid}{path}", json={} if method == "PUT" else None)
            assert response.status_code == 404, (method, path)
            assert errors(response) == NOT_FOUND
        assert errors(api.post("/contacts/merge", json={"from": lead, "into": cid})) == NOT_FOUND
        assert errors(api.post("/contacts/merge", json={"from": cid, "into": lead})) == NOT_FOUND


def test_requests_need_a_token(anon):
    assert anon.get("/contacts").status_code == 401
    assert anon.post("/contacts", json={"role": "lead"}).status_code == 401


# --- list ------------------------------------------------------------------------------------------


def test_list_pages_through_every_contact_once(api, db, workspace):
    ids = [make_contact(db, workspace.id, email=f"p{i}@example.com", created_at=1_700_000_000 + i // 2) for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"per_page": 3, **({"starting_after": cursor} if cursor else {})}
        body = api.get("/contacts", params=params).json()
        pages += 1
        assert body["type"] == "list" and body["total_count"] == 7
        assert body["pages"]["per_page"] == 3 and body["pages"]["total_pages"] == 3
        assert body["pages"]["page"] == pages
        seen += [c["id"] for c in body["data"]]
        cursor = (body["pages"].get("next") or {}).get("starting_after")
        if not cursor:
            break
    assert pages == 3 and seen == sorted(ids, key=lambda i: (1_700_000_000 + ids.index(i) // 2, i))


def test_list_defaults_and_bad_params(api, db, workspace):
    empty = api.get("/contacts").json()
    assert empty == {"type": "list", "data": [], "total_count": 0, "pages": {"type": "pages", "page": 1, "per_page": 50, "total_pages": 0}}
    for params in ({"per_page": 0}, {"per_page": 151}, {"per_page": "x"}, {"starting_after": "garbage!"}):
        response = api.get("/contacts", params=params)
        assert response.status_code == 400 and errors(response)[0]["code"] == "parameter_invalid"


# --- nested lists ------------------------------------------------------------------------------------


def test_nested_lists_show_ten_items_and_totals(api, db, workspace):
    cid = make_contact(db, workspace.id, email="n@example.com")
    tag_ids = make_tags(db, workspace.id, cid, 12)
    companies = [make_company(db, workspace.id, f"co-{i}") for i in range(2)]
    opt_in = make_subscription_type(db, workspace.id, "opt_in")
    opt_out = make_subscription_type(db, workspace.id, "opt_out")
    with db.transaction() as session:
        for i, company in enumerate(companies):
            session.add(ContactCompany(contact_id=cid, company_id=company, created_at=now() + i))
        notes = [Note(workspace_id=workspace.id, contact_id=cid, body=f"n{i}", created_at=now() + i) for i in range(3)]
        session.add_all(notes)
        session.add(ContactSubscription(contact_id=cid, subscription_type_id=opt_in, consent="opt_in", created_at=now()))
        session.add(ContactSubscription(contact_id=cid, subscription_type_id=opt_out, consent="opt_out", created_at=now()))
        session.flush()
        note_ids = [str(n.id) for n in notes]
    body = api.get(f"/contacts/{cid}").json()
    assert body["tags"]["total_count"] == 12 and body["tags"]["has_more"] is True
    assert [t["id"] for t in body["tags"]["data"]] == [str(t) for t in tag_ids[:10]]
    assert body["tags"]["data"][0] == {"type": "tag", "id": str(tag_ids[0]), "url": f"/tags/{tag_ids[0]}"}
    assert [c["id"] for c in body["companies"]["data"]] == companies
    assert body["companies"]["data"][0]["type"] == "company" and body["companies"]["has_more"] is False
    assert [n["id"] for n in body["notes"]["data"]] == note_ids[::-1]
    assert [s["id"] for s in body["opted_in_subscription_types"]["data"]] == [str(opt_in)]
    assert [s["id"] for s in body["opted_out_subscription_types"]["data"]] == [str(opt_out)]
    assert body["opted_out_subscription_types"]["total_count"] == 1


def test_nested_lists_take_a_constant_number_of_queries(db, workspace):
    ids = [make_contact(db, workspace.id, email=f"q{i}@example.com") for i in range(12)]
    for cid in ids:
        make_tags(db, workspace.id, cid, 2, start=ids.index(cid) * 2)

    def count_queries(contact_ids: list[str]) -> int:
        statements: list[str] = []

        def record(*args) -> None:
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        event.listen(db.write_engine, "before_cursor_execute", record) if db.write_engine is not db.engine else None
        try:
            with db.transaction(write=False) as session:
                contacts = list(session.scalars(select(Contact).where(Contact.id.in_(contact_ids))))
                statements.clear()
                bodies = contact_schemas.contacts_json(session, contacts, "code")
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
            if db.write_engine is not db.engine:
                event.remove(db.write_engine, "before_cursor_execute", record)
        assert all(b["tags"]["total_count"] == 2 for b in bodies)
        return len(statements)

    assert count_queries(ids[:1]) == count_queries(ids) == 1  # all four lists in one UNION ALL


# --- merge -----------------------------------------------------------------------------------------


def test_merge_moves_everything_into_the_user(api, db, workspace):
    define_attribute(db, workspace.id, "plan", "string")
    define_attribute(db, workspace.id, "seats", "integer")
    lead = api.post("/contacts", json={
        "role": "lead", "email": "lead@example.com", "phone": "555", "name": "Lead name", "external_id": "lead-ext",
        "custom_attributes": {"plan": "lead-plan", "seats": 4},
    }).json()
    user = api.post("/contacts", json={"email": "user@example.com", "name": "User name", "custom_attributes": {"plan": "user-plan"}}).json()
    shared_tag, lead_tag = make_tags(db, workspace.id, lead["id"], 2)
    with db.transaction() as session:
        session.add(ContactTag(contact_id=user["id"], tag_id=shared_tag, applied_at=now()))
    company = make_company(db, workspace.id, "acme")
    opt_in = make_subscription_type(db, workspace.id, "opt_in")
    with db.transaction() as session:
        session.add(ContactCompany(contact_id=lead["id"], company_id=company, created_at=now()))
        session.add(ContactSubscription(contact_id=lead["id"], subscription_type_id=opt_in, consent="opt_in", created_at=now()))
        session.add(Note(workspace_id=workspace.id, contact_id=lead["id"], body="hi", created_at=now()))
        session.add(DataEvent(workspace_id=workspace.id, contact_id=lead["id"], event_name="login", created_at=100, metadata_={}))
        session.add(DataEventSummary(contact_id=lead["id"], event_name="login", count=2, first=100, last=300))
        session.add(DataEventSummary(contact_id=user["id"], event_name="login", count=3, first=200, last=250))
        session.add(DataEventSummary(contact_id=lead["id"], event_name="signup", count=1, first=50, last=50))

    response = api.post("/contacts/merge", json={"from": lead["id"], "into": user["id"]})
    assert response.status_code == 200, response.text
    merged = response.json()
    assert merged["id"] == user["id"] and merged["role"] == "user"
    assert merged["email"] == "user@example.com" and merged["name"] == "User name"  # into wins
    assert merged["phone"] == "555" and merged["external_id"] == "lead-ext"  # filled from the lead
    assert merged["custom_attributes"] == {"plan": "user-plan", "seats": 4}
    assert sorted(t["id"] for t in merged["tags"]["data"]) == sorted([str(shared_tag), str(lead_tag)])
    assert [c["id"] for c in merged["companies"]["data"]] == [company]
    assert merged["notes"]["total_count"] == 1
    assert [s["id"] for s in merged["opted_in_subscription_types"]["data"]] == [str(opt_in)]
    assert errors(api.get(f"/contacts/{lead['id']}")) == NOT_FOUND
    assert [c["id"] for c in api.get("/contacts").json()["data"]] == [user["id"]]
    with db.transaction() as session:
        events = select(DataEvent.contact_id).where(DataEvent.workspace_id == workspace.id)
        assert session.scalars(events).all() == [user["id"]]
        mine = select(DataEventSummary).where(DataEventSummary.contact_id.in_([user["id"], lead["id"]]))
        summaries = {s.event_name: (s.contact_id, s.count, s.first, s.last) for s in session.scalars(mine)}
    assert summaries == {"login": (user["id"], 5, 100, 300), "signup": (user["id"], 1, 50, 50)}


def test_merge_refuses_wrong_roles_and_bad_bodies(api):
    lead = api.post("/contacts", json={"role": "lead"}).json()["id"]
    user = api.post("/contacts", json={"email": "m@example.com"}).json()["id"]
    other_lead = api.post("/contacts", json={"role": "lead"}).json()["id"]
    for body, field in [
        ({"from": user, "into": lead}, "from"), ({"from": lead, "into": other_lead}, "into"), ({"from": lead, "into": lead}, "from"),
    ]:
        response = api.post("/contacts/merge", json=body)
        assert response.status_code == 400 and errors(response)[0] == {**errors(response)[0], "code": "parameter_invalid", "field": field}
    missing = api.post("/contacts/merge", json={"from": lead})
    assert missing.status_code == 400 and errors(missing)[0]["field"] == "into"
    assert api.get(f"/contacts/{lead}").status_code == 200


def test_create_refuses_null_identity_fields(api):
    # Found by the conformance gate: `"email": null` on create made a contact without email.
    for field in ("email", "external_id", "role"):
        response = api.post("/contacts", json={"external_id": "x-1", "role": "user", field: None})
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "parameter_invalid" and response.json()["errors"][0]["field"] == field
    assert api.get("/contacts").json()["data"] == []


def test_search_refuses_a_null_per_page(api):
    # Found by the conformance gate: a null per_page was taken as the default.
    query = {"field": "role", "operator": "=", "value": "user"}
    response = api.post("/contacts/search", json={"query": query, "pagination": {"per_page": None}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parameter_invalid"
    assert response.json()["errors"][0]["field"] == "pagination.per_page"
    ok = api.post("/contacts/search", json={"query": query, "pagination": {"starting_after": None}})
    assert ok.status_code == 200


def test_merge_keeps_one_copy_of_an_event_both_contacts_sent(api, workspace, db):
    lead = api.post("/contacts", json={"role": "lead", "email": "twin@example.com"}).json()
    user = api.post("/contacts", json={"email": "twin@example.com"}).json()
    for contact in (lead, user):
        event = {"event_name": "opened", "created_at": 1700000000, "id": contact["id"]}
        assert api.post("/events", json=event).status_code == 202
    assert api.post("/events", json={"event_name": "clicked", "created_at": 1700000001, "id": lead["id"]}).status_code == 202
    assert api.post("/contacts/merge", json={"from": lead["id"], "into": user["id"]}).status_code == 200
    with db.transaction() as session:
        names = sorted(session.scalars(select(DataEvent.event_name).where(DataEvent.workspace_id == workspace.id)))
    assert names == ["clicked", "opened"]


def test_merge_moves_the_leads_tickets(api, workspace):
    lead = api.post("/contacts", json={"role": "lead", "email": "t@example.com"}).json()
    user = api.post("/contacts", json={"email": "t-user@example.com"}).json()
    ticket_type = api.post("/ticket_types", json={"name": "Bug"}).json()
    ticket = api.post(
        "/tickets",
        json={"ticket_type_id": ticket_type["id"], "contacts": [{"id": lead["id"]}],
              "ticket_attributes": {"_default_title_": "Broken"}},
    ).json()
    api.post("/contacts/merge", json={"from": lead["id"], "into": user["id"]})
    contacts = api.get(f"/tickets/{ticket['id']}").json()["contacts"]["contacts"]
    assert [c["id"] for c in contacts] == [user["id"]]
