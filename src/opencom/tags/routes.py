"""Tags: GET/POST /tags, GET/DELETE /tags/{id}, and the contact tagging routes
(GET/POST /contacts/{contact_id}/tags, DELETE /contacts/{contact_id}/tags/{id})."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from opencom.admins.service import token_admin
from opencom.core.auth import CurrentPrincipal
from opencom.core.clock import now
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.tags import schemas, service
from opencom.webhooks.publish import publish
from opencom.webhooks.topics import contact_tag_item, contact_topic

router = APIRouter(route_class=TransactionRoute, tags=["Tags"])


@router.get("/tags")
def list_tags(principal: CurrentPrincipal, session: DbSession):
    tags = service.list_tags(session, principal.workspace_id)
    return respond(schemas.tag_list_json([schemas.tag_basic_json(t) for t in tags]))


@router.post("/tags")
def create_tag(principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    admin = token_admin(session, principal.workspace_id, principal.admin_id)
    tag = service.create_tag_request(session, principal.workspace_id, body, admin.id)
    return respond(schemas.tag_basic_json(tag))


@router.get("/tags/{id}")
def find_tag(id: str, principal: CurrentPrincipal, session: DbSession):
    return respond(schemas.tag_basic_json(service.get_tag(session, principal.workspace_id, id)))


@router.delete("/tags/{id}")
def delete_tag(id: str, principal: CurrentPrincipal, session: DbSession):
    service.delete_tag(session, principal.workspace_id, id)
    return Response(status_code=200)


@router.get("/contacts/{contact_id}/tags")
def list_contact_tags(contact_id: str, principal: CurrentPrincipal, session: DbSession):
    tagged = service.contact_tags(session, principal.workspace_id, contact_id)
    return respond(schemas.tag_list_json([schemas.tag_json(tag, link) for tag, link in tagged]))


@router.post("/contacts/{contact_id}/tags")
def attach_tag_to_contact(contact_id: str, body: schemas.AttachTagRequest, principal: CurrentPrincipal, session: DbSession):
    admin = token_admin(session, principal.workspace_id, principal.admin_id)
    before = _tag_ids(session, contact_id)
    tag, link = service.tag_contact(session, principal.workspace_id, contact_id, body.id, admin.id)
    if tag.id not in before:  # tagging again changes nothing, so it notifies nothing
        _publish_tagging(session, principal, contact_id, "tag.created", schemas.tag_json(tag, link), link.applied_at)
    return respond(schemas.tag_json(tag, link))


@router.delete("/contacts/{contact_id}/tags/{id}")
def detach_tag_from_contact(contact_id: str, id: str, principal: CurrentPrincipal, session: DbSession):
    tag, link = service.untag_contact(session, principal.workspace_id, contact_id, id)
    if link is not None:
        _publish_tagging(session, principal, contact_id, "tag.deleted", schemas.tag_basic_json(tag), now())
    return respond(schemas.tag_json(tag, link))


def _tag_ids(session, contact_id: str) -> set:
    return {t.id for t, _ in service.tags_of(session, "contact", [contact_id]).get(contact_id, [])}


def _publish_tagging(session, principal: CurrentPrincipal, contact_id: str, action: str, tag_item: dict, at: int) -> None:
    from opencom.contacts.schemas import one_contact_json

    contact = service.get_contact(session, principal.workspace_id, contact_id)
    item = contact_tag_item(tag_item, one_contact_json(session, contact, principal.workspace_code), at)
    publish(session, principal, contact_topic(contact.role, action), item)
