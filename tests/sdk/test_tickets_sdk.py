"""The official python-intercom SDK (5.0.1) against a real Opencom server: ticket types, their
attributes, tickets (create, get, update, reply, search) and ticket tags.

SDK 5 speaks a later API version: it updates tickets with top-level `admin_id`/`assignee_id` and
`ticket_state_id` (accepted alongside 2.10's `assignment`/`state`), and parses `ticket_state` as an
object (the 2.10 string still reaches the caller, unchecked)."""

from __future__ import annotations

import pytest
from intercom import (
    AdminReplyTicketRequest,
    ContactReplyTicketIntercomUserIdRequest,
    CreateOrUpdateTagRequest,
    CreateTicketRequestContactsItemEmail,
    CreateTicketRequestContactsItemId,
    CreateTicketTypeRequest,
    Intercom,
    SingleFilterSearchRequest,
    StartingAfterPaging,
)
from intercom.core.api_error import ApiError


@pytest.fixture
def client(server, workspace):
    return Intercom(token=workspace.token, base_url=server)


def test_ticket_types_and_attributes(client):
    created = client.ticket_types.create(request=CreateTicketTypeRequest(name="Bug", category="Back-office", icon="🐞"))
    assert created.name == "Bug" and created.category == "Back-office"
    attribute = client.ticket_types.attributes.create(
        ticket_type_id=created.id, name="Severity", description="How bad", data_type="list", list_items="Low,High"
    )
    assert attribute.order == 2 and attribute.ticket_type_id == int(created.id)
    updated = client.ticket_types.attributes.update(ticket_type_id=created.id, attribute_id=attribute.id, archived=True)
    assert updated.archived is True
    assert client.ticket_types.update(ticket_type_id=created.id, name="Defect").name == "Defect"
    assert client.ticket_types.get(ticket_type_id=created.id).name == "Defect"
    assert [t.id for t in client.ticket_types.list().data] == [created.id]
    with pytest.raises(ApiError) as raised:  # the SDK maps only 401 to a class of its own here
        client.ticket_types.get(ticket_type_id="999999")
    assert raised.value.status_code == 404


def test_tickets(client, workspace):
    ticket_type = client.ticket_types.create(request=CreateTicketTypeRequest(name="Question"))
    contact = client.contacts.create(request={"email": "sdk@example.com"})
    ticket = client.tickets.create(ticket_type_id=ticket_type.id, contacts=[CreateTicketRequestContactsItemId(id=contact.id)])
    assert ticket.ticket_id == "1" and ticket.contacts.contacts[0].id == contact.id
    by_email = client.tickets.create(ticket_type_id=ticket_type.id, contacts=[CreateTicketRequestContactsItemEmail(email="new@example.com")])
    assert by_email.contacts.contacts[0].id != contact.id

    updated = client.tickets.update(
        ticket_id=ticket.id, ticket_attributes={"_default_title_": "Where is my order?"},
        admin_id=workspace.owner_id, assignee_id=str(workspace.owner_id), ticket_state_id="in_progress",
    )
    assert updated.admin_assignee_id == str(workspace.owner_id)
    assert updated.ticket_attributes["_default_title_"] == "Where is my order?"
    assert client.tickets.get(ticket_id=ticket.id).admin_assignee_id == str(workspace.owner_id)

    note = client.tickets.reply(ticket_id=ticket.id, request=AdminReplyTicketRequest(
        message_type="note", admin_id=str(workspace.owner_id), body="internal"))
    assert note.part_type == "note"
    comment = client.tickets.reply(ticket_id=ticket.id, request=ContactReplyTicketIntercomUserIdRequest(
        body="thanks", intercom_user_id=contact.id))
    assert comment.part_type == "comment" and comment.author.type == "user"

    query = SingleFilterSearchRequest(field="ticket_type_id", operator="=", value=ticket_type.id)
    # The SDK's pager asks for the next page with the first page's pagination again (it never
    # passes `starting_after` on), so iterating it would loop: pages are fetched by hand here.
    first = client.tickets.search(query=query, pagination=StartingAfterPaging(per_page=1))
    assert [t.id for t in first.items] == [ticket.id] and first.has_next
    cursor = first.response.pages.next.starting_after
    second = client.tickets.search(query=query, pagination=StartingAfterPaging(per_page=1, starting_after=cursor))
    assert [t.id for t in second.items] == [by_email.id] and not second.has_next

    tag = client.tags.create(request=CreateOrUpdateTagRequest(name="Escalated"))
    applied = client.tags.tag_ticket(ticket_id=ticket.id, tag_id=tag.id, admin_id=str(workspace.owner_id))
    assert applied.id == tag.id and applied.applied_by.id == str(workspace.owner_id)
    assert client.tags.untag_ticket(ticket_id=ticket.id, tag_id=tag.id, admin_id=str(workspace.owner_id)).id == tag.id
    with pytest.raises(ApiError) as raised:
        client.tickets.get(ticket_id="999999")
    assert raised.value.status_code == 404
