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

from opencom.contacts.models import Contact
from opencom.conversations import schemas, service
from opencom.core.auth import CurrentPrincipal
from opencom.core.errors import parameter_invalid, parameter_not_found
from opencom.core.pagination import check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.tags.schemas import tag_json
from opencom.webhooks.publish import publish
from opencom.webhooks.watch import inserted, publish_new_contacts

router = APIRouter(route_class=TransactionRoute, tags=["Conversations"])

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 150



def _one(session, principal, conversation, display_as: str | None = None):
    plaintext = (display_as or "").lower() == "plaintext"
    return respond(schemas.one_conversation_json(session, conversation, principal.workspace_code, plaintext=plaintext))


def _published(session, principal, conversation, topics: list[str], display_as: str | None = None):
    """Notify `topics` with the conversation as the API returns it (HTML bodies), and answer with
    the same object (built again only for display_as=plaintext)."""
    item = _notify(session, principal, conversation, topics)
    if (display_as or "").lower() == "plaintext":
        return _one(session, principal, conversation, display_as)
    return respond(item)


def _notify(session, principal, conversation, topics: list[str]) -> dict:
    item = schemas.one_conversation_json(session, conversation, principal.workspace_code)
    for topic in topics:
        publish(session, principal, topic, item)
    return item


def _reply_topic(body: dict) -> str:
    if body.get("type") != "admin":
        return "conversation.user.replied"
    return "conversation.admin.noted" if body.get("message_type") == "note" else "conversation.admin.replied"


def _manage_topics(body: dict, state_before: str, conversation) -> list[str]:
    kind = body.get("message_type")
    if kind == "close":
        return ["conversation.admin.closed"]
    if kind == "snoozed":
        return ["conversation.admin.snoozed"]
    if kind == "open":
        return ["conversation.admin.unsnoozed" if state_before == "snoozed" else "conversation.admin.opened"]
    # An assignment; one that leaves the conversation open with an assignee is also an "open assignment".
    assigned = conversation.admin_assignee_id or conversation.team_assignee_id
    if conversation.state == "open" and assigned:
        return ["conversation.admin.assigned", "conversation.admin.open.assigned"]
    return ["conversation.admin.assigned"]


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
    with inserted(session, Contact) as contacts:  # a visitor who writes in becomes a lead
        message, conversation = service.create_conversation(session, principal.workspace_id, body)
    publish_new_contacts(session, principal, contacts)
    _notify(session, principal, conversation, ["conversation.user.created"])
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
    conversation = service.redact(session, principal.workspace_id, body)
    return _published(session, principal, conversation, ["conversation_part.redacted"])


@router.get("/conversations/{id}")
def retrieve_conversation(id: str, principal: CurrentPrincipal, session: DbSession, display_as: str | None = Query(None)):
    return _one(session, principal, service.get_conversation(session, principal.workspace_id, id), display_as)


@router.put("/conversations/{id}")
def update_conversation(id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None),
                        display_as: str | None = Query(None)):
    found = service.find_conversation(session, principal.workspace_id, id)
    was_read = found is not None and found.read
    conversation = service.update_conversation(session, principal.workspace_id, id, body, principal.admin_id)
    topics = ["conversation.read"] if conversation.read and not was_read else []
    return _published(session, principal, conversation, topics, display_as)


@router.post("/conversations/{id}/reply")
def reply_conversation(id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    conversation = service.reply(session, principal.workspace_id, id, body)
    return _published(session, principal, conversation, [_reply_topic(body)])


@router.post("/conversations/{id}/parts")
def manage_conversation(id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    found = service.find_conversation(session, principal.workspace_id, id)
    state_before = service.effective_state(found) if found is not None else None
    conversation = service.manage(session, principal.workspace_id, id, body)
    return _published(session, principal, conversation, _manage_topics(body, state_before, conversation))


@router.post("/conversations/{id}/run_assignment_rules")
def run_assignment_rules(id: str, principal: CurrentPrincipal, session: DbSession):
    return _one(session, principal, service.run_assignment_rules(session, principal.workspace_id, id))


@router.post("/conversations/{id}/customers")
def attach_contact(id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    found = service.find_conversation(session, principal.workspace_id, id)
    before = len(service.participants(session, found.id)) if found is not None else 0
    with inserted(session, Contact) as contacts:  # an unknown email becomes a lead
        customers = service.attach_contact(session, principal.workspace_id, id, body)
    publish_new_contacts(session, principal, contacts)
    if len(customers) != before:  # adding a participant again changes nothing, so it notifies nothing
        _notify(session, principal, service.get_conversation(session, principal.workspace_id, id),
                ["conversation.contact.attached"])
    return respond(schemas.customers_json(customers))


@router.delete("/conversations/{conversation_id}/customers/{contact_id}")
def detach_contact(conversation_id: str, contact_id: str, principal: CurrentPrincipal, session: DbSession,
                   body: Any = Body(None)):
    remaining = service.detach_contact(session, principal.workspace_id, conversation_id, contact_id, body)
    _notify(session, principal, service.get_conversation(session, principal.workspace_id, conversation_id),
            ["conversation.contact.detached"])
    return respond(schemas.customers_json(remaining))


@router.post("/conversations/{conversation_id}/tags")
def attach_tag(conversation_id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    found = service.find_conversation(session, principal.workspace_id, conversation_id)
    before = _tag_ids(session, found.id) if found is not None else set()
    tag, link = service.tag_conversation(session, principal.workspace_id, conversation_id, body)
    if tag.id not in before:  # tagging again changes nothing, so it notifies nothing
        _notify(session, principal, service.get_conversation(session, principal.workspace_id, conversation_id),
                ["conversation_part.tag.created"])
    return respond(tag_json(tag, link))


def _tag_ids(session, conversation_id: int) -> set:
    from opencom.tags.service import tags_of

    return {tag.id for tag, _ in tags_of(session, "conversation", [conversation_id]).get(conversation_id, [])}


@router.delete("/conversations/{conversation_id}/tags/{id}")
def detach_tag(conversation_id: str, id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    tag, link = service.untag_conversation(session, principal.workspace_id, conversation_id, id, body)
    return respond(tag_json(tag, link))
