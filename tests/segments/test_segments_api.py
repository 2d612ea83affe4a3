"""Segments over HTTP: the seeded defaults, stored queries, membership and counts computed from them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from opencom.companies.models import Company
from opencom.contacts.models import Contact, ContactCompany
from opencom.core.clock import now
from opencom.core.errors import ApiError
from opencom.segments import service
from tests.people import make_company, make_contact

TAGGED_USERS = {"operator": "AND", "value": [
    {"field": "role", "operator": "=", "value": "user"},
    {"field": "email", "operator": "$", "value": "@example.com"},
]}


def segments(api, **params):
    body = api.get("/segments", params=params).json()
    assert body["type"] == "segment.list"
    return {s["name"]: s for s in body["segments"]}


def add_segment(db, workspace_id, name, query, person_type="user"):
    with db.transaction() as session:
        return service.create_segment(session, workspace_id, name, query, person_type).id


def test_a_new_workspace_has_all_users_and_all_leads(api):
    found = segments(api)
    assert set(found) == {"All users", "All leads"}
    assert found["All users"]["person_type"] == "user"
    assert found["All leads"]["person_type"] == "contact"
    for segment in found.values():
        assert len(segment["id"]) == 24 and "count" not in segment
        assert isinstance(segment["created_at"], int) and segment["updated_at"] == segment["created_at"]


def test_counts_follow_the_contacts(api, db, workspace):
    counts = {name: s["count"] for name, s in segments(api, include_count="true").items()}
    assert counts == {"All users": 0, "All leads": 0}
    make_contact(db, workspace.id)
    make_contact(db, workspace.id)
    lead = make_contact(db, workspace.id, role="lead")
    make_contact(db, workspace.id, role="lead", archived=True)  # archived contacts are in no segment
    counts = {name: s["count"] for name, s in segments(api, include_count=True).items()}
    assert counts == {"All users": 2, "All leads": 1}
    all_leads = segments(api)["All leads"]
    assert [s["id"] for s in api.get(f"/contacts/{lead}/segments").json()["data"]] == [all_leads["id"]]
    assert "count" not in segments(api, include_count="false")["All users"]


def test_include_count_must_be_a_boolean(api):
    response = api.get("/segments", params={"include_count": "maybe"})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "parameter_invalid", "message": "include_count must be true or false", "field": "include_count",
    }


def test_retrieve_segment(api):
    listed = segments(api)["All users"]
    assert api.get(f"/segments/{listed['id']}").json() == listed
    for unknown in ("6657ad3a6abd0166b52ae2e8", "123"):
        response = api.get(f"/segments/{unknown}")
        assert response.status_code == 404
        assert response.json()["errors"] == [{"code": "not_found", "message": "Resource Not Found"}]


def test_segments_are_per_workspace(api, db, server, validator):
    from opencom.workspaces.service import create_workspace
    from tests.support import make_client

    mine = segments(api)["All users"]["id"]
    with db.transaction() as session:
        token = create_workspace(session, "Other").token
    with make_client(server, token, validator) as other:
        assert other.get(f"/segments/{mine}").status_code == 404
        assert mine not in {s["id"] for s in other.get("/segments").json()["segments"]}


def test_contact_segments_follow_a_stored_query(api, db, workspace):
    segment_id = add_segment(db, workspace.id, "Example users", TAGGED_USERS)
    inside = make_contact(db, workspace.id, email="ann@example.com")
    outside = make_contact(db, workspace.id, email="bob@elsewhere.org")
    lead = make_contact(db, workspace.id, role="lead", email="cy@example.com")
    names = lambda contact: [s["name"] for s in api.get(f"/contacts/{contact}/segments").json()["data"]]  # noqa: E731
    assert names(inside) == ["All users", "Example users"]
    assert names(outside) == ["All users"]
    assert names(lead) == ["All leads"]
    assert segments(api, include_count="true")["Example users"]["count"] == 1
    assert api.get(f"/segments/{segment_id}").json()["person_type"] == "user"


def test_segment_on_a_tag(api, db, workspace):
    tag = api.post("/tags", json={"name": "VIP"}).json()
    add_segment(db, workspace.id, "VIPs", {"field": "tag_id", "operator": "=", "value": tag["id"]})
    contact = make_contact(db, workspace.id)
    assert segments(api, include_count="true")["VIPs"]["count"] == 0
    api.post(f"/contacts/{contact}/tags", json={"id": tag["id"]})
    assert segments(api, include_count="true")["VIPs"]["count"] == 1
    assert "VIPs" in [s["name"] for s in api.get(f"/contacts/{contact}/segments").json()["data"]]


def test_contact_segments_unknown_contact(api):
    response = api.get("/contacts/6657ad3a6abd0166b52ae2e8/segments")
    assert response.status_code == 404
    assert response.json()["errors"] == [{"code": "not_found", "message": "User Not Found"}]


@pytest.mark.parametrize(
    "name, query, person_type, field",
    [
        ("", {"field": "role", "operator": "=", "value": "user"}, "user", "name"),
        ("x", {"field": "role", "operator": "=", "value": "user"}, "visitor", "person_type"),
        ("x", {"field": "nope", "operator": "=", "value": "user"}, "user", "query.field"),
        ("x", {"field": "role", "operator": "<", "value": "user"}, "user", "query.operator"),
        ("x", ["role"], "user", "query"),
        ("x", {"field": "role", "operator": "=", "value": "user"}, "company", "query.field"),
    ],
)
def test_create_segment_checks_its_query(db, workspace, name, query, person_type, field):
    with db.transaction() as session:
        with pytest.raises(ApiError) as raised:
            service.create_segment(session, workspace.id, name, query, person_type)
    assert raised.value.status == 400 and raised.value.code == "parameter_invalid"
    if field is not None:
        assert raised.value.field == field


def test_segment_condition_for_searches(db, workspace):
    user = make_contact(db, workspace.id, email="ann@example.com")
    make_contact(db, workspace.id, email="bob@elsewhere.org")
    segment_id = add_segment(db, workspace.id, "Example users", TAGGED_USERS)
    with db.transaction(write=False) as session:
        condition = service.segment_condition(session, workspace.id, segment_id)
        found = session.scalars(select(Contact.id).where(Contact.workspace_id == workspace.id, condition)).all()
        assert found == [user]
        with pytest.raises(ApiError) as raised:
            service.segment_condition(session, workspace.id, "6657ad3a6abd0166b52ae2e8")
    assert (raised.value.status, raised.value.code, raised.value.field) == (400, "parameter_invalid", "segment_id")


def test_company_segments(api, db, workspace):
    big = make_company(db, workspace.id, "big", size=500)
    small = make_company(db, workspace.id, "small", size=5)
    make_company(db, workspace.id, "gone", size=900, archived=True)
    segment_id = add_segment(db, workspace.id, "Large", {"field": "size", "operator": ">", "value": 100}, "company")
    employee = make_contact(db, workspace.id, email="e@big.com")
    with db.transaction() as session:
        session.add(ContactCompany(contact_id=employee, company_id=big, created_at=now()))
    # company segments aren't in GET /segments, but can be retrieved; they have no person_type
    assert "Large" not in segments(api)
    assert "person_type" not in api.get(f"/segments/{segment_id}").json()
    with db.transaction(write=False) as session:
        companies = {c.id: c for c in session.scalars(select(Company).where(Company.workspace_id == workspace.id))}
        assert [s.id for s in service.segments_for_company(session, workspace.id, companies[big])] == [segment_id]
        assert service.segments_for_company(session, workspace.id, companies[small]) == []
        condition = service.segment_condition(session, workspace.id, segment_id)
        assert session.scalars(select(Company.id).where(Company.workspace_id == workspace.id, condition)).all() == [big]
        # across tables: the contacts of member companies, and the companies of member contacts
        over_contacts = service.segment_condition(session, workspace.id, segment_id, over="contact")
        assert session.scalars(select(Contact.id).where(over_contacts)).all() == [employee]
        all_users = next(s.id for s in service.list_segments(session, workspace.id) if s.name == "All users")
        over_companies = service.segment_condition(session, workspace.id, all_users, over="company")
        assert session.scalars(select(Company.id).where(over_companies)).all() == [big]


def test_a_broken_stored_query_matches_nothing(api, db, workspace):
    from opencom.segments.models import Segment

    make_contact(db, workspace.id)
    with db.transaction() as session:
        segment = session.get(Segment, add_segment(db, workspace.id, "Broken", TAGGED_USERS))
        segment.query = {"field": "custom_attributes.deleted", "operator": "=", "value": "x"}
    assert segments(api, include_count="true")["Broken"]["count"] == 0
