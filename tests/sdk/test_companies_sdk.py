"""The official python-intercom SDK (5.0.1) against a real Opencom server: companies."""

from __future__ import annotations

import pytest
from intercom import CreateContactRequestWithEmail, CreateOrUpdateCompanyRequest, Intercom, UpdateCompanyRequestBody
from intercom.errors import BadRequestError, NotFoundError


@pytest.fixture
def client(server, workspace):
    return Intercom(token=workspace.token, base_url=server)


def new_contact(client, email: str) -> str:
    return client.contacts.create(request=CreateContactRequestWithEmail(email=email)).id


def test_create_find_update_delete(client):
    created = client.companies.create_or_update(
        request=CreateOrUpdateCompanyRequest(company_id="sdk-1", name="SDK Inc", plan="Pro", monthly_spend=100, size=12)
    )
    assert created.company_id == "sdk-1" and created.plan.name == "Pro" and created.user_count == 0
    assert client.companies.find(company_id=created.id).name == "SDK Inc"
    found = client.companies.retrieve(company_id="sdk-1")
    assert found.type == "list" and [c.id for c in found.data] == [created.id]

    updated = client.companies.update(company_id=created.id, request=UpdateCompanyRequestBody(name="SDK Ltd", industry="Tools"))
    assert updated.name == "SDK Ltd" and updated.industry == "Tools" and updated.size == 12

    deleted = client.companies.delete(company_id=created.id)
    assert deleted.deleted is True and deleted.object == "company"
    with pytest.raises(NotFoundError):
        client.companies.find(company_id=created.id)


def test_attach_list_scroll_detach(client):
    contact_id = new_contact(client, "sdk-user@example.com")
    ids = []
    for n in range(3):
        company = client.companies.create_or_update(request=CreateOrUpdateCompanyRequest(company_id=f"sdk-{n}", name=f"SDK {n}"))
        attached = client.companies.attach_contact(contact_id=contact_id, company_id=company.id)
        assert attached.user_count == 1
        ids.append(company.id)

    listed = [c.id for c in client.companies.list(per_page=2)]
    assert sorted(listed) == sorted(ids)
    scrolled = [c.id for c in client.companies.scroll()]
    assert sorted(scrolled) == sorted(ids)
    contacts = client.companies.list_attached_contacts(company_id=ids[0])
    assert [c.id for c in contacts.data] == [contact_id]
    assert client.companies.list_attached_segments(company_id=ids[0]).data == []

    detached = client.companies.detach_contact(contact_id=contact_id, company_id=ids[0])
    assert detached.user_count == 0
    with pytest.raises(NotFoundError):
        client.companies.attach_contact(contact_id=contact_id, company_id="000000000000000000000000")
    with pytest.raises(BadRequestError):
        client.companies.create_or_update(request=CreateOrUpdateCompanyRequest(name="no company_id"))
