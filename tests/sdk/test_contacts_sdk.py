"""The official python-intercom SDK (5.0.1) against a real Opencom server: contacts."""

from __future__ import annotations

import pytest
from intercom import Intercom
from intercom.core.api_error import ApiError as SdkApiError
from intercom.types import CreateContactRequestWithEmail, CreateContactRequestWithRole, SingleFilterSearchRequest, StartingAfterPaging

from opencom.contacts.models import Contact
from opencom.core.clock import now
from opencom.core.ids import hex_id


@pytest.fixture
def client(server, workspace):
    return Intercom(token=workspace.token, base_url=server)


def test_create_find_update_search_delete(client):
    created = client.contacts.create(request=CreateContactRequestWithEmail(email="sdk@example.com", name="Sdk"))
    assert created.role == "user" and created.email == "sdk@example.com"
    found = client.contacts.find(contact_id=created.id)
    assert found.id == created.id and found.tags.total_count == 0
    updated = client.contacts.update(created.id, name="Renamed", external_id="sdk-1")
    assert updated.name == "Renamed" and updated.external_id == "sdk-1" and updated.email == "sdk@example.com"
    page = client.contacts.search(
        query=SingleFilterSearchRequest(field="external_id", operator="=", value="sdk-1"),
        pagination=StartingAfterPaging(per_page=5),
    )
    assert [c.id for c in page.items] == [created.id]
    deleted = client.contacts.delete(created.id)
    assert deleted.deleted is True and deleted.id == created.id
    # The SDK maps only 401 for find; a 404 arrives as its base ApiError (NotFoundError's parent).
    with pytest.raises(SdkApiError) as raised:
        client.contacts.find(contact_id=created.id)
    assert raised.value.status_code == 404
    assert raised.value.body["errors"][0]["message"] == "User Not Found"


def test_archive_and_merge(client):
    lead = client.contacts.create(request=CreateContactRequestWithRole(role="lead", phone="555"))
    user = client.contacts.create(request=CreateContactRequestWithEmail(email="into@example.com"))
    assert client.contacts.archive(user.id).archived is True
    assert client.contacts.unarchive(user.id).archived is False
    merged = client.contacts.merge_lead_in_user(lead_id=lead.id, contact_id=user.id)
    assert merged.id == user.id and merged.phone == "555"


def test_list_iterates_every_contact_exactly_once(client, db, workspace):
    with db.transaction() as session:  # one transaction for all 250: much faster than make_contact
        contacts = [
            Contact(id=hex_id(), workspace_id=workspace.id, role="lead", created_at=1_700_000_000 + i // 7,
                    updated_at=now(), custom_attributes={})
            for i in range(250)
        ]
        session.add_all(contacts)
        made = {c.id for c in contacts}
    seen = [contact.id for contact in client.contacts.list(per_page=60)]
    assert len(seen) == 250 and set(seen) == made
