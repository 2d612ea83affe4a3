"""Messages: POST /messages (admin-initiated in-app or email messages; contact-initiated bodies
are handled as POST /conversations). Conversations themselves are served by
opencom.conversations.routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from opencom.core.auth import CurrentPrincipal
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.messages import schemas, service

router = APIRouter(tags=["Messages"])


@router.post("/messages")
def create_message(principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    message, conversation, admin = service.create_message(session, principal.workspace_id, body)
    return respond(schemas.message_json(message, admin, conversation))
