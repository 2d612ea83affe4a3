"""The official python-intercom SDK (5.0.1) against a real Opencom server: subscription types,
data attributes, data events and visitors."""

from __future__ import annotations

import pytest
from intercom import (
    CreateDataAttributeRequestOne,
    CreateDataEventRequestWithId,
    CreateDataEventRequestWithUserId,
    Intercom,
    UpdateDataAttributeRequestOptions,
    UpdateDataAttributeRequestOptionsOptionsItem,
    UpdateVisitorRequestWithUserId,
)
from intercom.errors import BadRequestError, NotFoundError
from intercom.events.types import CreateDataEventSummariesRequestEventSummaries
from intercom.visitors import UserWithId, UserWithUserId, VisitorWithId, VisitorWithUserId

from opencom.core.clock import now
from opencom.visitors.service import create_visitor
from tests.people import make_contact


@pytest.fixture
def client(server, workspace):
    return Intercom(token=workspace.token, base_url=server)


def make_visitor(db, workspace_id: int) -> tuple[str, str]:
    with db.transaction() as session:
        visitor = create_visitor(session, workspace_id, name="Anon")
        return visitor.id, visitor.user_id


def test_subscription_types(client, db, workspace):
    types = client.subscription_types.list().data
    assert [t.consent_type for t in types] == ["opt_out", "opt_in"]
    contact = make_contact(db, workspace.id, email="sdk@example.com")
    attached = client.contacts.attach_subscription(contact_id=contact, subscription_id=types[1].id, consent_type="opt_in")
    assert attached.id == types[1].id and attached.default_translation.locale == "en"
    assert [t.id for t in client.contacts.list_attached_subscriptions(contact_id=contact).data] == [types[1].id]
    client.contacts.detach_subscription(contact_id=contact, subscription_id=types[1].id)
    assert client.contacts.list_attached_subscriptions(contact_id=contact).data == []
    with pytest.raises(NotFoundError):
        client.contacts.attach_subscription(contact_id="000000000000000000000000", subscription_id=types[0].id, consent_type="opt_out")


def test_data_attributes(client):
    created = client.data_attributes.create(
        request=CreateDataAttributeRequestOne(data_type="string", name="Mithril Shirt", model="company")
    )
    assert created.full_name == "custom_attributes.Mithril Shirt" and created.custom is True
    updated = client.data_attributes.update(
        data_attribute_id=created.id,
        request=UpdateDataAttributeRequestOptions(
            options=[UpdateDataAttributeRequestOptionsOptionsItem(value="1-10"), UpdateDataAttributeRequestOptionsOptionsItem(value="11-20")]
        ),
    )
    assert updated.options == ["1-10", "11-20"]
    archived = client.data_attributes.update(data_attribute_id=created.id, request={"archived": True})
    assert archived.archived is True
    names = [a.name for a in client.data_attributes.list(model="company").data]
    assert "Mithril Shirt" not in names and "website" in names
    assert "Mithril Shirt" in [a.name for a in client.data_attributes.list(model="company", include_archived=True).data]
    with pytest.raises(BadRequestError):
        client.data_attributes.create(request=CreateDataAttributeRequestOne(data_type="mithril", name="x", model="company"))
    with pytest.raises(NotFoundError):
        client.data_attributes.update(data_attribute_id=987654321, request={"description": "x"})


def test_events(client, db, workspace):
    contact = make_contact(db, workspace.id, email="ev@example.com", external_id="ev-1")
    client.events.create(request=CreateDataEventRequestWithId(id=contact, event_name="invited-friend", created_at=now() - 10))
    client.events.create(
        request=CreateDataEventRequestWithUserId(user_id="ev-1", event_name="updated-plan", created_at=now(), metadata={"plan": "pro"})
    )
    client.events.summaries(
        user_id="ev-1", event_summaries=CreateDataEventSummariesRequestEventSummaries(event_name="invited-friend", count=2, first=now() - 100, last=now() - 50)
    )
    summary = client.events.list(type="user", user_id="ev-1", summary=True)
    assert summary.type == "event.summary"
    assert {e.name: e.count for e in summary.events} == {"invited-friend": 3, "updated-plan": 1}
    listed = client.events.list(type="user", intercom_user_id=contact, per_page=1)
    assert listed.type == "event.list" and len(listed.events) == 1
    with pytest.raises(Exception) as raised:  # the SDK only names 401s; a 404 is its generic ApiError
        client.events.create(request=CreateDataEventRequestWithUserId(user_id="nobody", event_name="x", created_at=now()))
    assert raised.value.status_code == 404


def test_visitors(client, db, workspace):
    visitor_id, user_id = make_visitor(db, workspace.id)
    assert client.visitors.find(user_id=user_id).id == visitor_id
    updated = client.visitors.update(request=UpdateVisitorRequestWithUserId(user_id=user_id, name="Gareth Bale", custom_attributes={"team": "red"}))
    assert updated.name == "Gareth Bale" and updated.custom_attributes == {"team": "red"}
    contact = client.visitors.merge_to_contact(type="lead", user=UserWithUserId(user_id="from-visitor"), visitor=VisitorWithUserId(user_id=user_id))
    assert contact.role == "lead" and contact.external_id == "from-visitor" and contact.name == "Gareth Bale"
    with pytest.raises(NotFoundError):
        client.visitors.find(user_id=user_id)
    second_id, second_user_id = make_visitor(db, workspace.id)
    merged = client.visitors.merge_to_contact(type="user", user=UserWithId(id=contact.id), visitor=VisitorWithId(id=second_id))
    assert merged.id == contact.id
    with pytest.raises(NotFoundError):
        client.visitors.find(user_id=second_user_id)
