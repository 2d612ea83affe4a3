"""Companies over HTTP: upsert, retrieve, update, archive, attach/detach contacts, lists, scroll."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select

from opencom.companies.models import Company, CompanyTag
from opencom.companies.search import company_condition
from opencom.contacts.models import Contact, ContactCompany
from opencom.core.clock import clock, now
from opencom.core.errors import ApiError
from opencom.core.ids import hex_id
from opencom.data_attributes.models import DataAttribute
from opencom.tags.models import Tag
from tests.people import make_company, make_contact


def create(api, company_id: str = "acme", **fields) -> dict:
    response = api.post("/companies", json={"company_id": company_id, **fields})
    assert response.status_code == 200, response.text
    return response.json()


def attach(api, contact_id: str, company_id: str) -> dict:
    response = api.post(f"/contacts/{contact_id}/companies", json={"id": company_id})
    assert response.status_code == 200, response.text
    return response.json()


def error(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    item = response.json()["errors"][0]
    assert item["code"] == code
    if field is not None:
        assert item.get("field") == field
    return item


def define_attribute(db, workspace_id: int, name: str, data_type: str) -> None:
    with db.transaction() as session:
        session.add(DataAttribute(
            workspace_id=workspace_id, model="company", name=name, full_name=f"custom_attributes.{name}",
            label=name, data_type=data_type, custom=True, created_at=now(), updated_at=now(),
        ))


def tag_company(db, workspace_id: int, company_id: str, name: str) -> int:
    with db.transaction() as session:
        tag = session.scalar(select(Tag).where(Tag.workspace_id == workspace_id, Tag.name_key == name.lower()))
        if tag is None:
            tag = Tag(workspace_id=workspace_id, name=name, name_key=name.lower(), created_at=now())
            session.add(tag)
            session.flush()
        session.add(CompanyTag(company_id=company_id, tag_id=tag.id, applied_at=now()))
        return tag.id


def seed_with_user(db, workspace_id: int, count: int, **fields) -> list[str]:
    """`count` companies sharing one attached user, inserted in bulk."""
    user = make_contact(db, workspace_id, email=f"{hex_id()}@example.com")
    rows = [
        {"id": hex_id(), "workspace_id": workspace_id, "company_id": f"bulk-{n}", "name": f"Bulk {n}",
         "created_at": now(), "updated_at": now(), "custom_attributes": {}, "user_count": 0,
         "session_count": 0, "archived": False, **fields}
        for n in range(count)
    ]
    with db.transaction() as session:
        session.execute(insert(Company), rows)
        session.execute(insert(ContactCompany), [{"contact_id": user, "company_id": r["id"], "created_at": now()} for r in rows])
    return [r["id"] for r in rows]


# --- create or update -------------------------------------------------------------------------


def test_create_matches_the_example_shape(api, workspace):
    body = create(api, "company_remote_id", name="my company", remote_created_at=1374138000)
    assert body["type"] == "company" and len(body["id"]) == 24
    assert body["company_id"] == "company_remote_id" and body["name"] == "my company"
    assert body["remote_created_at"] == 1374138000
    assert body["monthly_spend"] == 0 and body["session_count"] == 0 and body["user_count"] == 0
    assert body["tags"] == {"type": "tag.list", "tags": []}
    assert body["segments"] == {"type": "segment.list", "segments": []}
    assert body["plan"] == {} and body["custom_attributes"] == {}
    assert "last_request_at" not in body and body["created_at"] == body["updated_at"]


def test_create_then_upsert_updates_the_same_company(api):
    first = create(api, "c-1", name="One", plan="Pro", size=10, website="not a url", industry="Software")
    second = create(api, "c-1", name="Renamed", monthly_spend=155.98)
    assert second["id"] == first["id"]
    assert second["name"] == "Renamed" and second["monthly_spend"] == 155
    assert second["size"] == 10 and second["website"] == "not a url" and second["industry"] == "Software"
    assert api.get("/companies", params={"company_id": "c-1"}).json()["total_count"] == 1


def test_plan_ids_are_stable_per_name(api):
    a = create(api, "a", plan="Pro")["plan"]
    b = create(api, "b", plan="Pro")["plan"]
    c = create(api, "c", plan="Enterprise")["plan"]
    assert a == b == {"type": "plan", "id": a["id"], "name": "Pro"} and a["id"].isdigit()
    assert c["id"] != a["id"]
    assert create(api, "d")["plan"] == {}


def test_null_fields_are_refused(api):
    # Found by the conformance gate: no create_or_update_company_request field is nullable.
    created = create(api, "nul", plan="Pro", custom_attributes={})
    for field in ("name", "plan", "size", "custom_attributes", "company_id"):
        error(api.post("/companies", json={"company_id": "nul", field: None}), 400, "parameter_invalid", field)
        error(api.put(f"/companies/{created['id']}", json={field: None}), 400, "parameter_invalid", field)
    assert api.get(f"/companies/{created['id']}").json()["plan"]["name"] == "Pro"


def test_numbers_are_coerced_and_bounded(api):
    body = create(api, "n", size="100", monthly_spend=2**31 - 1)
    assert body["size"] == 100 and body["monthly_spend"] == 2**31 - 1
    assert create(api, 12345)["company_id"] == "12345"
    error(api.post("/companies", json={"company_id": "n", "monthly_spend": 2**31}), 400, "parameter_invalid", "monthly_spend")
    error(api.post("/companies", json={"company_id": "n", "monthly_spend": -1}), 400, "parameter_invalid", "monthly_spend")
    error(api.post("/companies", json={"company_id": "n", "size": 1.5}), 400, "parameter_invalid", "size")
    error(api.post("/companies", json={"company_id": "n", "size": True}), 400, "parameter_invalid", "size")
    error(api.post("/companies", json={"company_id": "n", "remote_created_at": "soon"}), 400, "parameter_invalid", "remote_created_at")


def test_create_errors(api):
    error(api.post("/companies", json={"name": "no id"}), 400, "parameter_not_found", "company_id")
    error(api.post("/companies"), 400, "parameter_not_found", "company_id")
    item = error(api.post("/companies", json={"test": "invalid"}), 400, "bad_request")
    assert item["message"] == "bad 'test' parameter"
    error(api.post("/companies", json=["x"]), 400, "bad_request")
    error(api.post("/companies", content=b"{not json", headers={"content-type": "application/json"}), 400, "bad_request")
    error(api.post("/companies", json={"company_id": ""}), 400, "parameter_invalid", "company_id")
    error(api.post("/companies", json={"company_id": "x", "name": 5}), 400, "parameter_invalid", "name")
    error(api.post("/companies", json={"company_id": "x", "name": "a" * 256}), 400, "parameter_invalid", "name")
    error(api.post("/companies", json={"company_id": "x", "name": "a\x00b"}), 400, "parameter_invalid", "name")
    error(api.post("/companies", json={"company_id": "x", "custom_attributes": "no"}), 400, "parameter_invalid", "custom_attributes")


def test_custom_attributes_are_checked_and_merged(api, db, workspace):
    define_attribute(db, workspace.id, "tier", "string")
    define_attribute(db, workspace.id, "seats", "integer")
    body = create(api, "ca", custom_attributes={"tier": "gold", "seats": 3})
    assert body["custom_attributes"] == {"tier": "gold", "seats": 3}
    body = create(api, "ca", custom_attributes={"seats": None})
    assert body["custom_attributes"] == {"tier": "gold"}
    error(api.post("/companies", json={"company_id": "ca", "custom_attributes": {"nope": 1}}), 400, "parameter_invalid", "custom_attributes.nope")
    # A rejected request writes nothing, not even a new company.
    response = api.post("/companies", json={"company_id": "fresh", "custom_attributes": {"seats": "three"}})
    error(response, 400, "parameter_invalid", "custom_attributes.seats")
    error(api.get("/companies", params={"company_id": "fresh"}), 404, "company_not_found")


# --- retrieve, update, delete -----------------------------------------------------------------


def test_retrieve_by_id_and_not_found(api, db, workspace):
    company = create(api, "r")
    assert api.get(f"/companies/{company['id']}").json() == company
    error(api.get("/companies/5f4d3c1c7b1b4d7da97e6095"), 404, "company_not_found")
    arranged = make_company(db, workspace.id, "arranged")
    assert api.get(f"/companies/{arranged}").json()["company_id"] == "arranged"


def test_other_workspaces_companies_are_not_found(api, db, server, validator):
    from opencom.workspaces.service import create_workspace
    from tests.support import make_client

    company = create(api, "private")
    with db.transaction() as session:
        token = create_workspace(session, "Stranger").token
    with make_client(server, token, validator) as stranger:
        error(stranger.get(f"/companies/{company['id']}"), 404, "company_not_found")
        error(stranger.get("/companies", params={"company_id": "private"}), 404, "company_not_found")
        error(stranger.put(f"/companies/{company['id']}", json={"name": "x"}), 404, "company_not_found")


def test_update_by_id(api):
    company = create(api, "u", name="Before", size=5)
    response = api.put(f"/companies/{company['id']}", json={"name": "After", "company_id": "ignored", "plan": "Pro"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "After" and body["company_id"] == "u" and body["size"] == 5
    assert body["plan"]["name"] == "Pro"
    assert api.get(f"/companies/{company['id']}").json()["name"] == "After"
    error(api.put("/companies/000000000000000000000000", json={"name": "x"}), 404, "company_not_found")
    error(api.put(f"/companies/{company['id']}", json={"bogus": 1}), 400, "bad_request")
    error(api.put(f"/companies/{company['id']}", json={"size": "many"}), 400, "parameter_invalid", "size")


def test_delete_archives_and_detaches(api, db, workspace):
    company = create(api, "d")
    contact = make_contact(db, workspace.id, email="d@example.com")
    attach(api, contact, company["id"])
    response = api.delete(f"/companies/{company['id']}")
    assert response.status_code == 200
    assert response.json() == {"id": company["id"], "object": "company", "deleted": True}
    error(api.get(f"/companies/{company['id']}"), 404, "company_not_found")
    error(api.delete(f"/companies/{company['id']}"), 404, "company_not_found")
    error(api.get("/companies", params={"company_id": "d"}), 404, "company_not_found")
    assert api.get(f"/contacts/{contact}/companies").json()["data"] == []
    with db.transaction() as session:
        row = session.get(Company, company["id"])
        assert row.archived is True
        assert session.scalar(select(ContactCompany).where(ContactCompany.company_id == company["id"])) is None
    # The same company_id makes a new company afterwards.
    again = create(api, "d")
    assert again["id"] != company["id"] and again["user_count"] == 0


# --- attach and detach ------------------------------------------------------------------------


def test_attach_and_detach_show_on_both_sides(api, db, workspace):
    company = create(api, "team")
    user = make_contact(db, workspace.id, email="u@example.com")
    lead = make_contact(db, workspace.id, role="lead")
    body = attach(api, user, company["id"])
    assert body["id"] == company["id"] and body["user_count"] == 1
    assert attach(api, user, company["id"])["user_count"] == 1  # attaching twice changes nothing
    assert attach(api, lead, company["id"])["user_count"] == 1  # leads are not users
    listed = api.get(f"/contacts/{user}/companies").json()
    assert [c["id"] for c in listed["data"]] == [company["id"]] and listed["total_count"] == 1
    assert listed["pages"] == {"type": "pages", "next": None, "page": 1, "per_page": 50, "total_pages": 1}
    assert api.get(f"/companies/{company['id']}").json()["user_count"] == 1

    detached = api.delete(f"/contacts/{user}/companies/{company['id']}")
    assert detached.status_code == 200 and detached.json()["user_count"] == 0
    assert api.get(f"/contacts/{user}/companies").json()["data"] == []
    error(api.delete(f"/contacts/{user}/companies/{company['id']}"), 404, "company_not_found")


def test_attached_contacts_of_a_company(api, db, workspace):
    pytest.importorskip("opencom.contacts.schemas").contacts_json  # the Contacts domain renders them
    company = create(api, "people")
    ids = [make_contact(db, workspace.id, email=f"p{n}@example.com") for n in range(3)]
    for contact in ids:
        attach(api, contact, company["id"])
    body = api.get(f"/companies/{company['id']}/contacts", params={"per_page": 2}).json()
    assert body["type"] == "list" and body["total_count"] == 3
    assert body["pages"] == {"type": "pages", "page": 1, "per_page": 2, "total_pages": 2}
    second = api.get(f"/companies/{company['id']}/contacts", params={"per_page": 2, "page": 2}).json()
    walked = [c["id"] for c in body["data"] + second["data"]]
    assert sorted(walked) == sorted(ids)  # attach order, ties (same second) broken by id
    assert body["data"][0]["type"] == "contact"
    empty = api.get(f"/companies/{create(api, 'nobody')['id']}/contacts").json()
    assert empty == {"type": "list", "data": [], "total_count": 0, "pages": {"type": "pages", "page": 1, "per_page": 50, "total_pages": 0}}
    error(api.get("/companies/000000000000000000000000/contacts"), 404, "company_not_found")


def test_attach_errors(api, db, workspace):
    company = create(api, "e")
    contact = make_contact(db, workspace.id, email="e@example.com")
    item = error(api.post(f"/contacts/{contact}/companies", json={}), 400, "parameter_not_found")
    assert item["message"] == "company not specified"
    error(api.post(f"/contacts/{contact}/companies", content=b"null", headers={"content-type": "application/json"}), 400, "parameter_not_found")
    error(api.post(f"/contacts/{contact}/companies", json={"id": ""}), 400, "parameter_not_found")
    error(api.post(f"/contacts/{contact}/companies", json={"id": "123"}), 404, "company_not_found")
    error(api.post(f"/contacts/{contact}/companies", json={"id": 123}), 404, "company_not_found")
    item = error(api.post("/contacts/000000000000000000000000/companies", json={"id": company["id"]}), 404, "not_found")
    assert item["message"] == "User Not Found"
    item = error(api.delete(f"/contacts/000000000000000000000000/companies/{company['id']}"), 404, "not_found")
    assert item["message"] == "User Not Found"
    error(api.delete(f"/contacts/{contact}/companies/000000000000000000000000"), 404, "company_not_found")
    error(api.get("/contacts/000000000000000000000000/companies"), 404, "not_found")
    error(api.get(f"/contacts/{contact}/companies", params={"per_page": 0}), 400, "parameter_invalid", "per_page")


def test_a_contact_holds_at_most_1000_companies(api, db, workspace):
    ids = seed_with_user(db, workspace.id, 1000)
    with db.transaction() as session:
        contact = session.scalar(select(ContactCompany.contact_id).where(ContactCompany.company_id == ids[0]))
    extra = create(api, "one-too-many")
    item = error(api.post(f"/contacts/{contact}/companies", json={"id": extra["id"]}), 400, "contact_company_limit_exceeded")
    assert item["message"] == "Contact has reached the maximum of 1000 company associations"
    assert attach(api, contact, ids[5])["id"] == ids[5]  # re-attaching one it has is fine


def test_user_count_follows_contact_deletion(api, db, workspace):
    company = create(api, "gone")
    users = [make_contact(db, workspace.id, email=f"g{n}@example.com") for n in range(2)]
    for user in users:
        attach(api, user, company["id"])
    with db.transaction() as session:  # as DELETE /contacts/{id} does: the join rows cascade
        session.execute(delete(Contact).where(Contact.id == users[0]))
    assert api.get(f"/companies/{company['id']}").json()["user_count"] == 1


def test_contact_companies_pages_link(api, db, workspace):
    contact = make_contact(db, workspace.id, email="many@example.com")
    ids = [create(api, f"m{n}")["id"] for n in range(3)]
    for company_id in ids:
        attach(api, contact, company_id)
    first = api.get(f"/contacts/{contact}/companies", params={"per_page": 2}).json()
    assert first["total_count"] == 3 and first["pages"]["total_pages"] == 2
    assert "page=2" in first["pages"]["next"]
    second = api.get(first["pages"]["next"]).json()
    assert second["pages"]["next"] is None
    assert sorted(c["id"] for c in first["data"] + second["data"]) == sorted(ids)


# --- lists ------------------------------------------------------------------------------------


def test_list_orders_by_last_request_and_hides_companies_without_users(api, db, workspace):
    user = make_contact(db, workspace.id, email="l@example.com")
    stamps = {"a": 100, "b": 300, "c": 200, "d": None}
    ids = {}
    for name, stamp in stamps.items():
        ids[name] = make_company(db, workspace.id, name, last_request_at=stamp)
        attach(api, user, ids[name])
    make_company(db, workspace.id, "lonely", last_request_at=999)
    desc = api.post("/companies/list").json()
    assert [c["company_id"] for c in desc["data"]] == ["b", "c", "a", "d"]
    assert desc["total_count"] == 4 and desc["pages"]["per_page"] == 15
    asc = api.post("/companies/list", params={"order": "asc"}).json()
    assert [c["company_id"] for c in asc["data"]] == ["d", "a", "c", "b"]
    page2 = api.post("/companies/list", params={"per_page": 3, "page": 2}).json()
    assert [c["company_id"] for c in page2["data"]] == ["d"]
    assert page2["pages"] == {"type": "pages", "next": None, "page": 2, "per_page": 3, "total_pages": 2}
    # Zero-user companies stay retrievable directly.
    assert api.get("/companies", params={"company_id": "lonely"}).json()["data"][0]["user_count"] == 0


def test_list_bad_input(api):
    error(api.post("/companies/list", params={"order": "sideways"}), 400, "parameter_invalid", "order")
    error(api.post("/companies/list", params={"per_page": "x"}), 400, "parameter_invalid", "per_page")
    error(api.post("/companies/list", params={"per_page": 61}), 400, "parameter_invalid", "per_page")
    error(api.post("/companies/list", params={"page": 0}), 400, "parameter_invalid", "page")
    error(api.post("/companies/list", params={"page": 668, "per_page": 15}), 400, "parameter_invalid", "page")
    assert api.post("/companies/list", params={"page": 667, "per_page": 15}).json()["data"] == []


def test_retrieve_by_name_company_id_and_tag(api, db, workspace):
    user = make_contact(db, workspace.id, email="t@example.com")
    acme = create(api, "acme", name="Acme")
    beta = create(api, "beta", name="Beta")
    for company in (acme, beta):
        attach(api, user, company["id"])
    by_name = api.get("/companies", params={"name": "Acme"}).json()
    assert [c["id"] for c in by_name["data"]] == [acme["id"]] and by_name["total_count"] == 1
    error(api.get("/companies", params={"name": "Nope"}), 404, "company_not_found")
    error(api.get("/companies", params={"company_id": "nope"}), 404, "company_not_found")
    tag_id = tag_company(db, workspace.id, beta["id"], "VIP")
    tagged = api.get("/companies", params={"tag_id": str(tag_id)}).json()
    assert [c["id"] for c in tagged["data"]] == [beta["id"]]
    assert tagged["data"][0]["tags"]["tags"] == [{"type": "tag", "id": str(tag_id), "name": "VIP"}]
    assert api.get("/companies", params={"tag_id": "999999999"}).json()["data"] == []
    assert api.get("/companies", params={"tag_id": "abc"}).json()["data"] == []
    assert api.get("/companies", params={"tag_id": "²"}).json()["data"] == []  # "²".isdigit(): was a 500
    everything = api.get("/companies").json()
    assert {c["id"] for c in everything["data"]} == {acme["id"], beta["id"]}
    error(api.get("/companies", params={"per_page": "lots"}), 400, "parameter_invalid", "per_page")


def test_retrieve_by_segment(api, db, workspace):
    segments = pytest.importorskip("opencom.segments.service")
    user = make_contact(db, workspace.id, email="s@example.com")
    big = create(api, "big", size=500)
    small = create(api, "small", size=5)
    for company in (big, small):
        attach(api, user, company["id"])
    with db.transaction() as session:
        segment = segments.create_segment(
            session, workspace.id, "Big companies", {"field": "size", "operator": ">", "value": 100}, "company"
        )
    found = api.get("/companies", params={"segment_id": segment.id}).json()
    assert [c["id"] for c in found["data"]] == [big["id"]]
    assert [s["id"] for s in found["data"][0]["segments"]["segments"]] == [segment.id]
    attached = api.get(f"/companies/{big['id']}/segments").json()
    assert attached["type"] == "list" and [s["id"] for s in attached["data"]] == [segment.id]
    assert api.get(f"/companies/{small['id']}/segments").json()["data"] == []
    error(api.get("/companies/000000000000000000000000/segments"), 404, "company_not_found")
    assert api.get("/companies", params={"segment_id": "000000000000000000000000"}).status_code == 400


# --- scroll -----------------------------------------------------------------------------------


def test_scroll_walks_every_company_once_then_ends(api, db, workspace):
    ids = seed_with_user(db, workspace.id, 60)
    make_company(db, workspace.id, "no-users")
    first = api.get("/companies/scroll").json()
    assert first["pages"] is None and first["total_count"] is None
    seen, param = [c["id"] for c in first["data"]], first["scroll_param"]
    error(api.get("/companies/scroll"), 400, "scroll_exists")  # one open scroll per workspace
    while True:
        page = api.get("/companies/scroll", params={"scroll_param": param}).json()
        if not page["data"]:
            break
        seen += [c["id"] for c in page["data"]]
        param = page["scroll_param"]
    assert sorted(seen) == sorted(ids) and len(seen) == 60
    error(api.get("/companies/scroll", params={"scroll_param": param}), 404, "scroll_param_not_found")
    assert api.get("/companies/scroll").status_code == 200  # the scroll ended: a new one may start


def test_an_idle_scroll_expires(api, db, workspace):
    seed_with_user(db, workspace.id, 2)
    try:
        clock.freeze()
        param = api.get("/companies/scroll").json()["scroll_param"]
        clock.advance(61)
        error(api.get("/companies/scroll", params={"scroll_param": param}), 404, "scroll_param_not_found")
        assert api.get("/companies/scroll").status_code == 200
    finally:
        clock.reset()


# --- search -----------------------------------------------------------------------------------


def test_company_condition_compiles_every_field_kind(api, db, workspace):
    define_attribute(db, workspace.id, "tier", "string")
    user = make_contact(db, workspace.id, email="q@example.com")
    a = create(api, "qa", name="Alpha Inc", plan="Pro", size=50, custom_attributes={"tier": "gold"})
    b = create(api, "qb", name="Beta LLC", plan="Free", size=5)
    attach(api, user, a["id"])
    tag_id = tag_company(db, workspace.id, b["id"], "Churn")

    def matching(query) -> set[str]:
        with db.transaction() as session:
            condition = company_condition(session, workspace.id, query, "UTC")
            return set(session.scalars(select(Company.id).where(Company.workspace_id == workspace.id, condition)))

    assert matching({"field": "name", "operator": "~", "value": "alpha"}) == {a["id"]}
    assert matching({"field": "plan", "operator": "=", "value": "Free"}) == {b["id"]}
    assert matching({"field": "size", "operator": ">", "value": 10}) == {a["id"]}
    assert matching({"field": "user_count", "operator": "=", "value": 0}) == {b["id"]}
    assert matching({"field": "tag_id", "operator": "=", "value": str(tag_id)}) == {b["id"]}
    assert matching({"field": "tag_id", "operator": "!=", "value": tag_id}) == {a["id"]}
    assert matching({"field": "custom_attributes.tier", "operator": "=", "value": "gold"}) == {a["id"]}
    assert matching({"field": "created_at", "operator": "=", "value": a["created_at"]}) == {a["id"], b["id"]}
    assert matching({"operator": "AND", "value": [
        {"field": "size", "operator": "<", "value": 100}, {"field": "company_id", "operator": "^", "value": "q"},
    ]}) == {a["id"], b["id"]}
    for bad in ({"field": "nope", "operator": "=", "value": 1}, {"field": "custom_attributes.nope", "operator": "=", "value": 1},
                {"field": "size", "operator": "~", "value": 1}):
        with pytest.raises(ApiError) as raised, db.transaction() as session:
            company_condition(session, workspace.id, bad, "UTC")
        assert raised.value.status == 400


def test_unauthenticated(anon):
    error(anon.get("/companies/scroll"), 401, "unauthorized")
    error(anon.post("/companies", json={"company_id": "x"}), 401, "unauthorized")


def test_ids_with_nul_characters_are_simply_not_found(api, db, workspace):
    # PostgreSQL refuses NUL in any text comparison: these must stay 404s, not 500s.
    contact = make_contact(db, workspace.id, email="nul@example.com")
    error(api.get("/companies/a%00b"), 404, "company_not_found")
    error(api.delete("/companies/a%00b"), 404, "company_not_found")
    error(api.get("/companies/a%00b/contacts"), 404, "company_not_found")
    error(api.get("/contacts/a%00b/companies"), 404, "not_found")
    error(api.get("/companies", params={"name": "a\x00"}), 404, "company_not_found")
    error(api.get("/companies", params={"company_id": "a\x00"}), 404, "company_not_found")
    error(api.post(f"/contacts/{contact}/companies", json={"id": "x\x00"}), 404, "company_not_found")
    error(api.get("/companies/scroll", params={"scroll_param": "a\x00"}), 404, "scroll_param_not_found")


def test_concurrent_upserts_make_one_company(api, server, workspace):
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    def upsert(n: int) -> httpx.Response:
        headers = {"Authorization": f"Bearer {workspace.token}"}
        return httpx.post(f"{server}/companies", json={"company_id": "race", "size": n}, headers=headers, timeout=30)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(upsert, range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    assert len({r.json()["id"] for r in responses}) == 1
    assert api.get("/companies", params={"company_id": "race"}).json()["total_count"] == 1
