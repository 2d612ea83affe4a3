"""Conversations: GET/POST /conversations, GET/PUT /conversations/{id}, POST /conversations/search,
POST /conversations/{id}/reply, /parts, /run_assignment_rules, /customers,
DELETE /conversations/{conversation_id}/customers/{contact_id}, POST /conversations/redact,
and conversation tagging: POST /conversations/{conversation_id}/tags,
DELETE /conversations/{conversation_id}/tags/{id}.

Served elsewhere: POST /conversations/{id}/convert (conversation -> ticket) lives in
opencom.tickets.routes, reading opencom.conversations.models.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query

from opencom.conversations import schemas, service
from opencom.core.auth import CurrentPrincipal
from opencom.core.errors import parameter_invalid, parameter_not_found
from opencom.core.pagination import check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.tags.schemas import tag_json

router = APIRouter(tags=["Conversations"])

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 150



def _one(session, principal, conversation, display_as: str | None = None):
    plaintext = (display_as or "").lower() == "plaintext"
    return respond(schemas.one_conversation_json(session, conversation, principal.workspace_code, plaintext=plaintext))


@router.get("/conversations")
def list_conversations(
    principal: CurrentPrincipal,
    session: DbSession,
    per_page: str | None = Query(None),
    starting_after: str | None = Query(None),
):
    page = service.list_conversations(
        session, principal.workspace_id,
        per_page=check_per_page(per_page, default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE),
        starting_after=starting_after,
    )
    return respond(schemas.conversation_list_json(session, page, principal.workspace_code))


@router.post("/conversations")
def create_conversation(principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    message, conversation = service.create_conversation(session, principal.workspace_id, body)
    return respond(schemas.user_message_json(message, conversation))


@router.post("/conversations/search")
def search_conversations(principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    if not isinstance(body, dict) or "query" not in body:
        raise parameter_not_found("query is required", "query")
    pagination = body.get("pagination")
    pagination = {} if pagination is None else pagination  # null is "no pagination"; false is not an object
    if not isinstance(pagination, dict):
        raise parameter_invalid("pagination must be an object", "pagination")
    if "per_page" in pagination and pagination["per_page"] is None:  # absent is the default; null is not an integer
        raise parameter_invalid("pagination.per_page must be an integer", "pagination.per_page")
    per_page = check_per_page(pagination.get("per_page"), default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE,
                              field="pagination.per_page")
    starting_after = pagination.get("starting_after")
    if starting_after is not None and not isinstance(starting_after, str):
        raise parameter_invalid("pagination.starting_after must be a string", "pagination.starting_after")
    page = service.search_conversations(session, principal.workspace_id, body["query"],
                                        per_page=per_page, starting_after=starting_after)
    return respond(schemas.conversation_list_json(session, page, principal.workspace_code))


@router.post("/conversations/redact")
def redact_conversation(principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    return _one(session, principal, service.redact(session, principal.workspace_id, body))


@router.get("/conversations/{id}")
def retrieve_conversation(id: str, principal: CurrentPrincipal, session: DbSession, display_as: str | None = Query(None)):
    return _one(session, principal, service.get_conversation(session, principal.workspace_id, id), display_as)


@router.put("/conversations/{id}")
def update_conversation(id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None),
                        display_as: str | None = Query(None)):
    conversation = service.update_conversation(session, principal.workspace_id, id, body, principal.admin_id)
    return _one(session, principal, conversation, display_as)


@router.post("/conversations/{id}/reply")
def reply_conversation(id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    return _one(session, principal, service.reply(session, principal.workspace_id, id, body))


@router.post("/conversations/{id}/parts")
def manage_conversation(id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    return _one(session, principal, service.manage(session, principal.workspace_id, id, body))


@router.post("/conversations/{id}/run_assignment_rules")
def run_assignment_rules(id: str, principal: CurrentPrincipal, session: DbSession):
    return _one(session, principal, service.run_assignment_rules(session, principal.workspace_id, id))


@router.post("/conversations/{id}/customers")
def attach_contact(id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    return respond(schemas.customers_json(service.attach_contact(session, principal.workspace_id, id, body)))


@router.delete("/conversations/{conversation_id}/customers/{contact_id}")
def detach_contact(conversation_id: str, contact_id: str, principal: CurrentPrincipal, session: DbSession,
                   body: Any = Body(None)):
    remaining = service.detach_contact(session, principal.workspace_id, conversation_id, contact_id, body)
    return respond(schemas.customers_json(remaining))


@router.post("/conversations/{conversation_id}/tags")
def attach_tag(conversation_id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    tag, link = service.tag_conversation(session, principal.workspace_id, conversation_id, body)
    return respond(tag_json(tag, link))


@router.delete("/conversations/{conversation_id}/tags/{id}")
def detach_tag(conversation_id: str, id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    tag, link = service.untag_conversation(session, principal.workspace_id, conversation_id, id, body)
    return respond(tag_json(tag, link))
