"""Contacts: POST/GET /contacts, GET/PUT/DELETE /contacts/{id}, POST /contacts/search,
POST /contacts/merge, POST /contacts/{id}/archive and /unarchive.

Routes under /contacts/{id} that other domains serve:
- GET /contacts/{id}/companies, POST /contacts/{id}/companies, DELETE /contacts/{id}/companies/{company_id}
  -> opencom.companies.routes
- GET /contacts/{id}/tags, POST /contacts/{id}/tags, DELETE /contacts/{id}/tags/{tag_id} -> opencom.tags.routes
- GET /contacts/{id}/segments -> opencom.segments.routes
- GET/POST /contacts/{id}/subscriptions, DELETE /contacts/{id}/subscriptions/{id}
  -> opencom.subscription_types.routes
- GET/POST /contacts/{id}/notes -> opencom.notes.routes
- POST /events, POST /events/summaries, GET /events (a contact's data events) -> opencom.data_events.routes
"""

from __future__ import annotations

from fastapi import APIRouter, Query

from opencom.contacts import schemas, service
from opencom.core.auth import CurrentPrincipal
from opencom.core.pagination import check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.webhooks.publish import publish
from opencom.webhooks.topics import contact_topic, contact_update_topics

router = APIRouter(route_class=TransactionRoute, tags=["Contacts"])

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 150



@router.post("/contacts")
def create_contact(body: schemas.CreateContactRequest, principal: CurrentPrincipal, session: DbSession):
    contact = service.create_contact(session, principal.workspace_id, body.given())
    item = schemas.one_contact_json(session, contact, principal.workspace_code)
    publish(session, principal, contact_topic(contact.role, "created"), item)
    return respond(item)


@router.get("/contacts")
def list_contacts(
    principal: CurrentPrincipal,
    session: DbSession,
    per_page: str | None = Query(None),
    starting_after: str | None = Query(None),
    page: str | None = Query(None),  # sent by the SDK; the cursor alone decides the page
):
    page_ = service.list_contacts(
        session, principal.workspace_id,
        per_page=check_per_page(per_page, default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE),
        starting_after=starting_after,
    )
    return respond(schemas.contact_list_json(session, page_, principal.workspace_code))


@router.post("/contacts/search")
def search_contacts(body: schemas.SearchRequest, principal: CurrentPrincipal, session: DbSession):
    pagination = body.pagination or schemas.SearchPagination()
    per_page = check_per_page(
        pagination.per_page, default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE, field="pagination.per_page"
    )
    page = service.search_contacts(
        session, principal.workspace_id, body.query,
        tz=principal.timezone, per_page=per_page, starting_after=pagination.starting_after,
    )
    return respond(schemas.contact_list_json(session, page, principal.workspace_code))


@router.post("/contacts/merge")
def merge_contacts(body: schemas.MergeContactsRequest, principal: CurrentPrincipal, session: DbSession):
    contact = service.merge_contacts(session, principal.workspace_id, body.from_, body.into)
    item = schemas.one_contact_json(session, contact, principal.workspace_code)
    # Intercom's contact.merged item is the surviving contact plus the absorbed one's id.
    publish(session, principal, "contact.merged", {**item, "merged_from": {"type": "contact", "id": body.from_}})
    return respond(item)


@router.get("/contacts/{id}")
def show_contact(id: str, principal: CurrentPrincipal, session: DbSession):
    contact = service.get_contact(session, principal.workspace_id, id)
    return respond(schemas.one_contact_json(session, contact, principal.workspace_code))


@router.put("/contacts/{id}")
def update_contact(id: str, body: schemas.UpdateContactRequest, principal: CurrentPrincipal, session: DbSession):
    found = service.get_contact(session, principal.workspace_id, id)
    before = {"role": found.role, "email": found.email, "unsubscribed_from_emails": found.unsubscribed_from_emails}
    contact = service.update_contact(session, principal.workspace_id, id, body.given())
    item = schemas.one_contact_json(session, contact, principal.workspace_code)
    for topic in contact_update_topics(before, item):
        publish(session, principal, topic, item)
    return respond(item)


@router.delete("/contacts/{id}")
def delete_contact(id: str, principal: CurrentPrincipal, session: DbSession):
    contact = service.delete_contact(session, principal.workspace_id, id)
    item = schemas.contact_deleted_json(contact.id, contact.external_id)
    publish(session, principal, "contact.deleted", item)  # *.deleted items identify, as the response does
    return respond(item)


@router.post("/contacts/{id}/archive")
def archive_contact(id: str, principal: CurrentPrincipal, session: DbSession):
    return _set_archived(id, principal, session, True, "contact.archived")


@router.post("/contacts/{id}/unarchive")
def unarchive_contact(id: str, principal: CurrentPrincipal, session: DbSession):
    return _set_archived(id, principal, session, False, "contact.unarchive")


def _set_archived(id: str, principal: CurrentPrincipal, session: DbSession, archived: bool, topic: str):
    was = service.get_contact(session, principal.workspace_id, id).archived
    contact = service.set_archived(session, principal.workspace_id, id, archived)
    if was != archived:  # archiving twice changes nothing, so it notifies nothing
        publish(session, principal, topic, schemas.one_contact_json(session, contact, principal.workspace_code))
    return respond(schemas.contact_archived_json(contact))
