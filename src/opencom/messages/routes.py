"""Messages: POST /messages (admin-initiated in-app or email messages; contact-initiated bodies
are handled as POST /conversations). Conversations themselves are served by
opencom.conversations.routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from opencom.contacts.models import Contact
from opencom.core.auth import CurrentPrincipal
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.messages import schemas, service
from opencom.webhooks.publish import publish
from opencom.webhooks.watch import inserted, publish_new_contacts

router = APIRouter(route_class=TransactionRoute, tags=["Messages"])


@router.post("/messages")
def create_message(principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    with inserted(session, Contact) as contacts:  # a visitor who writes in becomes a lead
        message, conversation, admin = service.create_message(session, principal.workspace_id, body)
    publish_new_contacts(session, principal, contacts)
    if conversation is not None:  # an admin's message without create_conversation_without_contact_reply has none yet
        from opencom.conversations.schemas import one_conversation_json

        topic = "conversation.user.created" if admin is None else "conversation.admin.single.created"
        publish(session, principal, topic, one_conversation_json(session, conversation, principal.workspace_code))
    return respond(schemas.message_json(message, admin, conversation))
