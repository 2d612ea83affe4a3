"""Tickets: POST /tickets, GET/PUT /tickets/{id}, POST /tickets/{id}/reply, POST /tickets/search,
ticket tagging (POST /tickets/{ticket_id}/tags, DELETE /tickets/{ticket_id}/tags/{id}), and
POST /conversations/{id}/convert (tagged Conversations upstream, served here)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from sqlalchemy.orm import Session

from opencom.admins.service import token_admin
from opencom.contacts.models import Contact
from opencom.core.auth import CurrentPrincipal
from opencom.core.pagination import check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.tags.schemas import tag_json
from opencom.tickets import convert, schemas, service
from opencom.webhooks.publish import publish
from opencom.webhooks.watch import inserted, publish_new_contacts
from opencom.workspaces.service import get_workspace

router = APIRouter(route_class=TransactionRoute, tags=["Tickets"])

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 150


def _code(session: Session, workspace_id: int) -> str:
    return get_workspace(session, workspace_id).id_code


def _respond_ticket(session: Session, ticket, workspace_id: int):
    return respond(service.ticket_json(session, ticket, _code(session, workspace_id)))


def _published(session: Session, principal: CurrentPrincipal, ticket, topics: list[str]):
    """Notify `topics` with the ticket as the API returns it, and answer with the same object."""
    item = service.ticket_json(session, ticket, principal.workspace_code)
    for topic in topics:
        publish(session, principal, topic, item)
    return respond(item)


def _facts(ticket) -> dict:
    """What PUT /tickets/{id} can change that has a topic of its own."""
    return {
        "state": ticket.state, "attributes": dict(ticket.attributes or {}), "open": ticket.open,
        "admin": ticket.admin_assignee_id, "team": ticket.team_assignee_id,
    }


def _update_topics(before: dict, after: dict) -> list[str]:
    topics = []
    if after["attributes"] != before["attributes"]:
        topics.append("ticket.attribute.updated")
    if after["state"] != before["state"]:
        topics.append("ticket.state.updated")
    if after["admin"] != before["admin"] and after["admin"] not in (None, "0"):
        topics.append("ticket.admin.assigned")
    if after["team"] != before["team"] and after["team"] not in (None, "0"):
        topics.append("ticket.team.assigned")
    if before["open"] and not after["open"]:
        topics.append("ticket.closed")
    return topics


def _reply_topic(part) -> str:
    if part.author_type not in ("admin", "bot"):
        return "ticket.contact.replied"
    return "ticket.note.created" if part.part_type == "note" else "ticket.admin.replied"


@router.post("/tickets")
def create_ticket(body: schemas.CreateTicketRequest, principal: CurrentPrincipal, session: DbSession):
    actor = token_admin(session, principal.workspace_id, principal.admin_id)
    with inserted(session, Contact) as contacts:  # a contact named by an unknown email is created
        ticket = service.create_ticket(session, principal.workspace_id, actor, body)
    publish_new_contacts(session, principal, contacts)
    return _published(session, principal, ticket, ["ticket.created"])


@router.post("/tickets/search")
def search_tickets(body: schemas.SearchRequest, principal: CurrentPrincipal, session: DbSession):
    pagination = body.pagination or schemas.SearchPagination()
    per_page = check_per_page(pagination.per_page, default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE, field="pagination.per_page")
    page = service.search_tickets(session, principal.workspace_id, body.query, per_page=per_page, starting_after=pagination.starting_after)
    return respond(service.ticket_list_json(session, page, _code(session, principal.workspace_id)))


@router.get("/tickets/{id}")
def get_ticket(id: str, principal: CurrentPrincipal, session: DbSession):
    return _respond_ticket(session, service.get_ticket(session, principal.workspace_id, id), principal.workspace_id)


@router.put("/tickets/{id}")
def update_ticket(id: str, body: schemas.UpdateTicketRequest, principal: CurrentPrincipal, session: DbSession):
    actor = token_admin(session, principal.workspace_id, principal.admin_id)
    found = service.find_ticket(session, principal.workspace_id, id)
    before = _facts(found) if found is not None else None
    ticket = service.update_ticket(session, principal.workspace_id, id, actor, body)
    return _published(session, principal, ticket, _update_topics(before, _facts(ticket)))


@router.post("/tickets/{id}/reply")
def reply_ticket(id: str, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    part = service.reply(session, principal.workspace_id, id, body)
    ticket = service.get_ticket(session, principal.workspace_id, id)
    publish(session, principal, _reply_topic(part), service.ticket_json(session, ticket, principal.workspace_code))
    return respond(schemas.reply_json(part))


@router.post("/tickets/{ticket_id}/tags")
def tag_ticket(ticket_id: str, body: schemas.TagRequest, principal: CurrentPrincipal, session: DbSession):
    tag, link = service.tag_ticket(session, principal.workspace_id, ticket_id, body)
    return respond(tag_json(tag, link))


@router.delete("/tickets/{ticket_id}/tags/{id}")
def untag_ticket(ticket_id: str, id: str, body: schemas.UntagRequest, principal: CurrentPrincipal, session: DbSession):
    tag, link = service.untag_ticket(session, principal.workspace_id, ticket_id, id, body)
    return respond(tag_json(tag, link))


@router.post("/conversations/{id}/convert")
def convert_conversation(id: str, body: schemas.ConvertRequest, principal: CurrentPrincipal, session: DbSession):
    actor = token_admin(session, principal.workspace_id, principal.admin_id)
    ticket = convert.convert_conversation(session, principal.workspace_id, id, actor, body)
    return _published(session, principal, ticket, ["ticket.created"])
