"""Companies: /companies (create or update, retrieve, list, scroll), /companies/{id} (get, update,
delete), /companies/{id}/contacts, /companies/{id}/segments, and the contact side of the
relation: POST /contacts/{id}/companies, DELETE /contacts/{contact_id}/companies/{id},
GET /contacts/{id}/companies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request

from opencom.companies import schemas, service
from opencom.companies.models import Company
from opencom.core.auth import CurrentPrincipal
from opencom.core.clock import now
from opencom.core.errors import parameter_invalid
from opencom.core.pagination import Page, check_page, check_per_page
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.webhooks.publish import publish
from opencom.webhooks.topics import contact_company_item
from opencom.workspaces.service import get_workspace

router = APIRouter(route_class=TransactionRoute, tags=["Companies"])

MAX_PER_PAGE = 60
MAX_ATTACHED_PER_PAGE = 150


def _write_session(request: Request) -> Iterator[Session]:
    # The scroll records its position, so even its GET needs a write transaction.
    with request.app.state.db.transaction(write=True) as session:
        yield session


WriteSession = Annotated[Session, Depends(_write_session, scope="function")]
JsonBody = Annotated[Any, Body()]


def _render(session: Session, workspace_id: int, companies: list[Company]) -> list[dict]:
    app_id = get_workspace(session, workspace_id).id_code
    extras = service.extras(session, workspace_id, companies)
    return [schemas.company_json(c, app_id, extras) for c in companies]


def _one(session: Session, workspace_id: int, company: Company) -> dict:
    return _render(session, workspace_id, [company])[0]


def _paging(page: str | None, per_page: str | None, default: int, maximum: int) -> tuple[int, int]:
    return check_page(page), check_per_page(per_page, default=default, maximum=maximum)


@router.post("/companies")
def create_or_update_company(principal: CurrentPrincipal, session: DbSession, body: JsonBody = None):
    fields = schemas.parse_company_fields(body)
    known = service.is_live(session, principal.workspace_id, fields.company_id)
    company = service.create_or_update(session, principal.workspace_id, fields)
    item = _one(session, principal.workspace_id, company)
    publish(session, principal, "company.updated" if known else "company.created", item)
    return respond(item)


@router.get("/companies")
def retrieve_companies(
    principal: CurrentPrincipal,
    session: DbSession,
    name: str | None = Query(None),
    company_id: str | None = Query(None),
    tag_id: str | None = Query(None),
    segment_id: str | None = Query(None),
    page: str | None = Query(None),
    per_page: str | None = Query(None),
):
    ws = principal.workspace_id
    page_number, size = _paging(page, per_page, 15, MAX_PER_PAGE)
    where = []
    if tag_id is not None:
        where.append(service.tag_filter(ws, tag_id))
    if segment_id is not None:
        where.append(service.segment_filter(session, ws, segment_id))
    if name is not None or company_id is not None:
        result = service.find_companies(
            session, ws, name=name, company_id=company_id, page=page_number, per_page=size, where=where
        )
    else:
        result = service.list_companies(session, ws, page=page_number, per_page=size, where=where)
    return respond(schemas.company_list_json(result, _render(session, ws, result.rows)))


@router.post("/companies/list")
def list_all_companies(
    principal: CurrentPrincipal,
    session: DbSession,
    page: str | None = Query(None),
    per_page: str | None = Query(None),
    order: str | None = Query(None),
):
    if order not in (None, "", "asc", "desc"):
        raise parameter_invalid("order must be asc or desc", "order")
    page_number, size = _paging(page, per_page, 15, MAX_PER_PAGE)
    result = service.list_companies(session, principal.workspace_id, page=page_number, per_page=size, order=order or "desc")
    return respond(schemas.company_list_json(result, _render(session, principal.workspace_id, result.rows)))


@router.get("/companies/scroll")
def scroll_companies(principal: CurrentPrincipal, session: WriteSession, scroll_param: str | None = Query(None)):
    rows, param = service.scroll_companies(session, principal.workspace_id, scroll_param or None)
    return respond(schemas.scroll_json(_render(session, principal.workspace_id, rows), param))


@router.get("/companies/{id}")
def retrieve_company(id: str, principal: CurrentPrincipal, session: DbSession):
    company = service.get_company(session, principal.workspace_id, id)
    return respond(_one(session, principal.workspace_id, company))


@router.put("/companies/{id}")
def update_company(id: str, principal: CurrentPrincipal, session: DbSession, body: JsonBody = None):
    fields = schemas.parse_company_fields(body)
    company = service.update_company(session, principal.workspace_id, id, fields)
    item = _one(session, principal.workspace_id, company)
    publish(session, principal, "company.updated", item)
    return respond(item)


@router.delete("/companies/{id}")
def delete_company(id: str, principal: CurrentPrincipal, session: DbSession):
    company = service.delete_company(session, principal.workspace_id, id)
    item = schemas.deleted_json(company)
    publish(session, principal, "company.deleted", item)  # *.deleted items identify, as the response does
    return respond(item)


@router.get("/companies/{id}/contacts")
def list_attached_contacts(
    id: str,
    principal: CurrentPrincipal,
    session: DbSession,
    page: str | None = Query(None),
    per_page: str | None = Query(None),
):
    page_number, size = _paging(page, per_page, 50, MAX_ATTACHED_PER_PAGE)
    result = service.contacts_of_company(session, principal.workspace_id, id, page=page_number, per_page=size)
    pages = {"type": "pages", "page": result.page, "per_page": result.per_page, "total_pages": result.total_pages}
    data = _contacts_json(session, principal.workspace_id, result.rows)
    return respond({"type": "list", "data": data, "total_count": result.total_count, "pages": pages})


def _contacts_json(session: Session, workspace_id: int, contacts: list) -> list[dict]:
    # The contact serializer belongs to the Contacts domain.
    from opencom.contacts.schemas import contacts_json

    return contacts_json(session, contacts, get_workspace(session, workspace_id).id_code)


@router.get("/companies/{id}/segments")
def list_attached_segments(id: str, principal: CurrentPrincipal, session: DbSession):
    company = service.get_company(session, principal.workspace_id, id)
    segments = service.segments_of_company(session, principal.workspace_id, company)
    return respond({"type": "list", "data": [schemas.segment_json(s) for s in segments]})


@router.post("/contacts/{id}/companies")
def attach_contact_to_company(id: str, principal: CurrentPrincipal, session: DbSession, body: JsonBody = None):
    company_id = schemas.parse_attach_body(body)
    attached = service.is_attached(session, id, company_id)
    company = service.attach_contact(session, principal.workspace_id, id, company_id)
    item = _one(session, principal.workspace_id, company)
    if not attached:  # attaching again changes nothing, so it notifies nothing
        _publish_link(session, principal, "company.contact.attached", item, id)
    return respond(item)


@router.delete("/contacts/{contact_id}/companies/{id}")
def detach_contact_from_company(contact_id: str, id: str, principal: CurrentPrincipal, session: DbSession):
    company = service.detach_contact(session, principal.workspace_id, contact_id, id)
    item = _one(session, principal.workspace_id, company)
    _publish_link(session, principal, "company.contact.detached", item, contact_id)
    return respond(item)


def _publish_link(session: Session, principal: CurrentPrincipal, topic: str, company_item: dict, contact_id: str) -> None:
    from opencom.contacts.schemas import one_contact_json
    from opencom.contacts.service import get_contact

    contact_item = one_contact_json(session, get_contact(session, principal.workspace_id, contact_id), principal.workspace_code)
    publish(session, principal, topic, contact_company_item(company_item, contact_item, now()))


@router.get("/contacts/{id}/companies")
def list_companies_for_contact(
    id: str,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    page: str | None = Query(None),
    per_page: str | None = Query(None),
):
    page_number, size = _paging(page, per_page, 50, MAX_ATTACHED_PER_PAGE)
    result = service.companies_of_contact(session, principal.workspace_id, id, page=page_number, per_page=size)
    next_url = _next_url(request, result)
    data = _render(session, principal.workspace_id, result.rows)
    return respond(schemas.attached_companies_json(result, data, next_url))


def _next_url(request: Request, page: Page) -> str | None:
    if page.page >= page.total_pages:
        return None
    return str(request.url.replace_query_params(page=page.page + 1, per_page=page.per_page))
