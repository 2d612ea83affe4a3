"""The official python-intercom SDK (5.0.1) against a real Opencom server: conversations, messages,
conversation tags and Switch."""

from __future__ import annotations

import pytest
from intercom import (
    AdminReplyConversationRequest,
    ContactReplyIntercomUserIdRequest,
    CreateContactRequestWithRole,
    CreateMessageRequest_Inapp,
    CreateMessageRequestFrom,
    CreateMessageRequestTo,
    CreateOrUpdateTagRequest,
    CreatePhoneSwitchRequest,
    Intercom,
    RedactConversationRequest_ConversationPart,
    SingleFilterSearchRequest,
    StartingAfterPaging,
)
from intercom.conversations import (
    AttachContactToConversationRequestCustomerIntercomUserId,
    ConversationsManageRequestBody_Assignment,
    ConversationsManageRequestBody_Close,
    ConversationsManageRequestBody_Open,
    ConversationsManageRequestBody_Snoozed,
    CreateConversationRequestFrom,
)
from intercom.errors import NotFoundError

from opencom.core.clock import clock


@pytest.fixture
def client(server, workspace):
    return Intercom(token=workspace.token, base_url=server)


def test_conversations(client, workspace):
    admin = str(workspace.owner_id)
    joe = client.contacts.create(request=CreateContactRequestWithRole(role="user", email="joe@example.com"))
    ann = client.contacts.create(request=CreateContactRequestWithRole(role="lead", email="ann@example.com"))
    message = client.conversations.create(from_=CreateConversationRequestFrom(type="user", id=joe.id), body="Hello")
    assert message.type == "user_message" and message.conversation_id
    cid = message.conversation_id
    conversation = client.conversations.find(conversation_id=cid)
    assert conversation.state == "open" and conversation.source.body == "<p>Hello</p>"

    replied = client.conversations.reply(conversation_id=cid, request=AdminReplyConversationRequest(
        message_type="comment", admin_id=admin, body="Hi Joe"))
    assert replied.conversation_parts.conversation_parts[-1].part_type == "comment"
    replied = client.conversations.reply(conversation_id="last", request=ContactReplyIntercomUserIdRequest(
        intercom_user_id=joe.id, body="Thanks"))
    assert replied.id == cid and replied.waiting_since

    client.conversations.manage(conversation_id=cid, request=ConversationsManageRequestBody_Close(admin_id=admin, body="Bye"))
    assert client.conversations.find(conversation_id=cid).state == "closed"
    snoozed = client.conversations.manage(conversation_id=cid, request=ConversationsManageRequestBody_Snoozed(
        admin_id=admin, snoozed_until=clock.now() + 600))
    assert snoozed.state == "snoozed"
    opened = client.conversations.manage(conversation_id=cid, request=ConversationsManageRequestBody_Open(admin_id=admin))
    assert opened.state == "open"
    assigned = client.conversations.manage(conversation_id=cid, request=ConversationsManageRequestBody_Assignment(
        type="admin", admin_id=admin, assignee_id=admin))
    assert assigned.admin_assignee_id == workspace.owner_id
    assert client.conversations.run_assignment_rules(conversation_id=cid).id == cid

    updated = client.conversations.update(conversation_id=cid, read=True, title="Billing", custom_attributes={"issue": "refund"})
    assert updated.read is True and updated.title == "Billing" and updated.custom_attributes == {"issue": "refund"}

    client.conversations.attach_contact_as_admin(
        conversation_id=cid, admin_id=admin, customer=AttachContactToConversationRequestCustomerIntercomUserId(intercom_user_id=ann.id))
    client.conversations.detach_contact_as_admin(conversation_id=cid, contact_id=ann.id, admin_id=admin)
    assert [c.id for c in client.conversations.find(conversation_id=cid).contacts.contacts] == [joe.id]

    part_id = client.conversations.find(conversation_id=cid).conversation_parts.conversation_parts[1].id
    redacted = client.conversations.redact_conversation_part(
        request=RedactConversationRequest_ConversationPart(conversation_id=cid, conversation_part_id=part_id))
    assert [p.redacted for p in redacted.conversation_parts.conversation_parts if p.id == part_id] == [True]

    tag = client.tags.create(request=CreateOrUpdateTagRequest(name="VIP"))
    applied = client.tags.tag_conversation(conversation_id=cid, tag_id=tag.id, admin_id=admin)
    assert applied.applied_by.id == admin
    assert client.tags.untag_conversation(conversation_id=cid, tag_id=tag.id, admin_id=admin).id == tag.id

    client.conversations.create(from_=CreateConversationRequestFrom(type="lead", id=ann.id), body="Second")
    listed = [c.id for c in client.conversations.list(per_page=1)]
    assert len(listed) == 2 and cid in listed
    found = client.conversations.search(query=SingleFilterSearchRequest(field="contact_ids", operator="=", value=joe.id),
                                        pagination=StartingAfterPaging(per_page=5))
    assert [c.id for c in found] == [cid]
    with pytest.raises(NotFoundError):
        client.conversations.find(conversation_id="999999")


def test_messages_and_switch(client, workspace):
    joe = client.contacts.create(request=CreateContactRequestWithRole(role="user", email="m@example.com"))
    sent = client.messages.create(request=CreateMessageRequest_Inapp(
        body="heyy", from_=CreateMessageRequestFrom(id=workspace.owner_id), to=CreateMessageRequestTo(type="user", id=joe.id),
        create_conversation_without_contact_reply=True))
    assert sent.type == "admin_message" and sent.message_type == "inapp" and sent.conversation_id
    redirect = client.phone_call_redirects.create(request=CreatePhoneSwitchRequest(phone="+14155552671"))
    assert redirect.type == "phone_call_redirect"
