"""The official python-intercom SDK (5.0.1) against a real Opencom server: tags, segments, notes."""

from __future__ import annotations

import pytest
from intercom import (
    CreateOrUpdateTagRequest,
    Intercom,
    TagCompanyRequest,
    TagCompanyRequestCompaniesItem,
    TagMultipleUsersRequest,
    TagMultipleUsersRequestUsersItem,
    UntagCompanyRequest,
    UntagCompanyRequestCompaniesItem,
)
from intercom.errors import BadRequestError, NotFoundError

from opencom.segments.service import create_segment
from tests.people import make_company, make_contact


@pytest.fixture
def client(server, workspace):
    return Intercom(token=workspace.token, base_url=server)


def test_tags(client, db, workspace):
    contact = make_contact(db, workspace.id)
    company = make_company(db, workspace.id, "acme")
    tag = client.tags.create(request=CreateOrUpdateTagRequest(name="VIP"))
    assert tag.type == "tag" and tag.name == "VIP"
    assert client.tags.find(tag_id=tag.id).name == "VIP"
    assert client.tags.create(request=CreateOrUpdateTagRequest(name="Gold", id=tag.id)).name == "Gold"
    assert [t.id for t in client.tags.list().data] == [tag.id]

    applied = client.tags.tag_contact(contact_id=contact, tag_id=tag.id)
    assert applied.applied_by.id == str(workspace.owner_id) and applied.applied_at
    assert client.tags.untag_contact(contact_id=contact, tag_id=tag.id).id == tag.id

    users = TagMultipleUsersRequest(name="Gold", users=[TagMultipleUsersRequestUsersItem(id=contact)])
    assert client.tags.create(request=users).id == tag.id
    companies = TagCompanyRequest(name="Gold", companies=[TagCompanyRequestCompaniesItem(company_id="acme")])
    assert client.tags.create(request=companies).id == tag.id
    untag = UntagCompanyRequest(name="Gold", companies=[UntagCompanyRequestCompaniesItem(id=company, untag=True)])
    assert client.tags.create(request=untag).id == tag.id

    assert client.tags.delete(tag_id=tag.id) is None
    with pytest.raises(NotFoundError):
        client.tags.find(tag_id=tag.id)


def test_tag_errors(client, db, workspace):
    with pytest.raises(NotFoundError):
        client.tags.create(request=TagCompanyRequest(name="T", companies=[TagCompanyRequestCompaniesItem(company_id="123")]))
    with pytest.raises(NotFoundError):
        client.tags.tag_contact(contact_id="6657ac4c6abd0166b52ae228", tag_id="1")
    tag = client.tags.create(request=CreateOrUpdateTagRequest(name="Used"))
    with db.transaction() as session:
        create_segment(session, workspace.id, "Seg 1", {"field": "tag_id", "operator": "=", "value": tag.id})
    with pytest.raises(BadRequestError) as raised:
        client.tags.delete(tag_id=tag.id)
    assert raised.value.body["errors"][0]["code"] == "tag_has_dependent_objects"


def test_segments(client, db, workspace):
    make_contact(db, workspace.id, role="lead")
    listed = client.segments.list(include_count=True).segments
    counts = {s.name: s.count for s in listed}
    assert counts == {"All users": 0, "All leads": 1}
    leads = next(s for s in listed if s.name == "All leads")
    assert leads.person_type == "contact"
    assert client.segments.find(segment_id=leads.id).name == "All leads"
    with pytest.raises(NotFoundError):
        client.segments.find(segment_id="6657ad3a6abd0166b52ae2e8")


def test_notes(client, db, workspace):
    contact = make_contact(db, workspace.id)
    first = client.notes.create(contact_id=contact, body="First", admin_id=str(workspace.owner_id))
    second = client.notes.create(contact_id=contact, body="<p>Second</p>")
    assert first.body == "<p>First</p>" and second.author.id == str(workspace.owner_id)
    assert client.notes.find(note_id=first.id).contact.id == contact
    assert [n.id for n in client.notes.list(contact_id=contact, per_page=1)] == [second.id, first.id]
    with pytest.raises(NotFoundError):
        client.notes.create(contact_id=contact, body="x", admin_id="123456789")
    with pytest.raises(NotFoundError):
        client.notes.list(contact_id="6657ac4c6abd0166b52ae228")
