"""The rules for companies: upsert by company_id, archive on delete, contacts attached to them.

`user_count` is counted from contact_companies in SQL (see companies.search.user_count), so
attaching, detaching, deleting or merging contacts never leaves it stale.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencom.companies.models import Company, CompanyTag
from opencom.companies.schemas import CompanyExtras, CompanyFields
from opencom.companies.search import has_users
from opencom.contacts.models import Contact, ContactCompany
from opencom.core.clock import now
from opencom.core.errors import ApiError, not_found, parameter_invalid
from opencom.core.ids import hex_id
from opencom.core.pagination import Page, SortKey, offset_paginate, scroll_page
from opencom.data_attributes.service import check_custom_attributes
from opencom.tags.models import Tag

MAX_COMPANIES_PER_CONTACT = 1000
# /companies/list pages through at most this many companies; scroll goes further.
LIST_LIMIT = 10_000
SCROLL_PAGE_SIZE = 50


def company_not_found() -> ApiError:
    return ApiError(404, "company_not_found", "Company Not Found")


def contact_not_found() -> ApiError:
    return not_found("User Not Found")


def plan_id(workspace_id: int, plan_name: str) -> str:
    """A stable digit-string id per plan name and workspace, derived from the name.

    Intercom gives plans ids but the API only ever names them; deriving the id means the same
    name always has the same id, with no plans table to keep in step.
    """
    digest = hashlib.sha256(f"{workspace_id}:{plan_name}".encode()).hexdigest()
    return str(int(digest[:12], 16))


# --- lookups ----------------------------------------------------------------------------------


def _storable(value: str) -> bool:
    # PostgreSQL refuses NUL characters in text, even in a comparison; no stored value has one.
    return "\x00" not in value


def _live(workspace_id: int) -> Select:
    return select(Company).where(Company.workspace_id == workspace_id, Company.archived.is_(False))


def find_company(session: Session, workspace_id: int, company_id: str) -> Company | None:
    """A live company by its Intercom id."""
    if not _storable(company_id):
        return None
    return session.scalar(_live(workspace_id).where(Company.id == company_id))


def get_company(session: Session, workspace_id: int, company_id: str) -> Company:
    company = find_company(session, workspace_id, company_id)
    if company is None:
        raise company_not_found()
    return company


def get_contact(session: Session, workspace_id: int, contact_id: str) -> Contact:
    contact = None if not _storable(contact_id) else session.scalar(select(Contact).where(Contact.workspace_id == workspace_id, Contact.id == contact_id))
    if contact is None:
        raise contact_not_found()
    return contact


def _by_external_id(session: Session, workspace_id: int, company_id: str) -> Company | None:
    """By the client's company_id, archived ones included (they still hold the id)."""
    return session.scalar(
        select(Company).where(Company.workspace_id == workspace_id, Company.company_id == company_id)
    )


def is_live(session: Session, workspace_id: int, company_id: str | None) -> bool:
    """True when POST /companies with this company_id updates a company rather than creating one."""
    if not isinstance(company_id, str) or not _storable(company_id):
        return False
    company = _by_external_id(session, workspace_id, company_id)
    return company is not None and not company.archived


def is_attached(session: Session, contact_id: str, company_id: Any) -> bool:
    if not (isinstance(company_id, str) and _storable(company_id) and _storable(contact_id)):
        return False
    return session.get(ContactCompany, (contact_id, company_id)) is not None


# --- writes -----------------------------------------------------------------------------------


def create_or_update(session: Session, workspace_id: int, fields: CompanyFields) -> Company:
    if fields.company_id is None:
        raise ApiError(400, "parameter_not_found", "company_id is required", "company_id")
    custom = check_custom_attributes(session, workspace_id, "company", fields.custom_attributes)
    company = _by_external_id(session, workspace_id, fields.company_id)
    if company is not None and company.archived:
        # Re-creating a deleted company gives a new company; the archived record is dropped.
        session.delete(company)
        session.flush()
        company = None
    stamp = now()  # one instant: a new company's created_at equals its updated_at
    if company is None:
        company = _insert(session, workspace_id, fields.company_id, stamp)
    _apply(company, workspace_id, fields, custom, stamp)
    session.flush()
    return company


def _insert(session: Session, workspace_id: int, company_id: str, stamp: int) -> Company:
    company = Company(
        id=hex_id(), workspace_id=workspace_id, company_id=company_id, created_at=stamp, updated_at=stamp,
        session_count=0, user_count=0, monthly_spend=0, custom_attributes={}, archived=False,
    )
    try:
        with session.begin_nested():
            session.add(company)
            session.flush()
    except IntegrityError:
        # A concurrent request created it first: update that one instead.
        existing = _by_external_id(session, workspace_id, company_id)
        if existing is None:
            raise
        return existing
    return company


def update_company(session: Session, workspace_id: int, company_id: str, fields: CompanyFields) -> Company:
    """PUT /companies/{id}: company_id in the body is ignored (it can never change)."""
    company = get_company(session, workspace_id, company_id)
    custom = check_custom_attributes(session, workspace_id, "company", fields.custom_attributes)
    _apply(company, workspace_id, fields, custom, now())
    session.flush()
    return company


_PLAIN_FIELDS = ("name", "size", "website", "industry", "remote_created_at")


def _apply(company: Company, workspace_id: int, fields: CompanyFields, custom: dict, stamp: int) -> None:
    sent = fields.model_fields_set
    for name in _PLAIN_FIELDS:
        if name in sent:
            setattr(company, name, getattr(fields, name))
    if "monthly_spend" in sent:
        company.monthly_spend = fields.monthly_spend or 0
    if "plan" in sent:
        company.plan_name = fields.plan
        company.plan_id = plan_id(workspace_id, fields.plan) if fields.plan is not None else None
    if custom:
        # Merged key by key; null removes a key.
        merged = {**(company.custom_attributes or {}), **custom}
        company.custom_attributes = {k: v for k, v in merged.items() if v is not None}
    company.updated_at = stamp


def delete_company(session: Session, workspace_id: int, company_id: str) -> Company:
    """Archive the company and detach its contacts (synchronously: it is 404 at once)."""
    company = get_company(session, workspace_id, company_id)
    session.execute(delete(ContactCompany).where(ContactCompany.company_id == company.id))
    company.archived = True
    company.updated_at = now()
    session.flush()
    return company


def attach_contact(session: Session, workspace_id: int, contact_id: str, company_id: str) -> Company:
    contact = get_contact(session, workspace_id, contact_id)
    company = get_company(session, workspace_id, company_id)
    if session.get(ContactCompany, (contact.id, company.id)) is not None:
        return company  # attaching again changes nothing
    attached = session.scalar(
        select(func.count()).select_from(ContactCompany).where(ContactCompany.contact_id == contact.id)
    )
    if attached >= MAX_COMPANIES_PER_CONTACT:
        raise ApiError(
            400, "contact_company_limit_exceeded",
            f"Contact has reached the maximum of {MAX_COMPANIES_PER_CONTACT} company associations",
        )
    try:
        with session.begin_nested():
            session.add(ContactCompany(contact_id=contact.id, company_id=company.id, created_at=now()))
            session.flush()
    except IntegrityError:
        pass  # attached by a concurrent request: the outcome is the same
    return company


def detach_contact(session: Session, workspace_id: int, contact_id: str, company_id: str) -> Company:
    """404 company_not_found when the company is unknown or not attached to this contact."""
    contact = get_contact(session, workspace_id, contact_id)
    company = get_company(session, workspace_id, company_id)
    link = session.get(ContactCompany, (contact.id, company.id))
    if link is None:
        raise company_not_found()
    session.delete(link)
    session.flush()
    return company


# --- reads ------------------------------------------------------------------------------------


def order_by_last_request(order: str) -> list:
    """/companies/list order: last_request_at (never-requested last when descending), then id."""
    if order == "asc":
        return [Company.last_request_at.asc().nulls_first(), Company.id.asc()]
    return [Company.last_request_at.desc().nulls_last(), Company.id.desc()]


def list_companies(
    session: Session, workspace_id: int, *, page: int, per_page: int, order: str = "desc", where: list | None = None
) -> Page:
    """Companies with users, page by page; only the first LIST_LIMIT are reachable."""
    offset = (page - 1) * per_page
    if offset >= LIST_LIMIT:
        raise parameter_invalid(
            f"Only the first {LIST_LIMIT} companies can be listed; use GET /companies/scroll", "page"
        )
    query = _live(workspace_id).where(has_users(), *(where or []))
    result = offset_paginate(session, query, order_by_last_request(order), page=page, per_page=per_page)
    result.rows = result.rows[: LIST_LIMIT - offset]
    return result


def find_companies(
    session: Session, workspace_id: int, *, name: str | None, company_id: str | None, page: int, per_page: int,
    where: list | None = None,
) -> Page:
    """GET /companies by name and/or company_id: the matches (zero-user companies included), or 404."""
    query = _live(workspace_id).where(*(where or []))
    if not all(_storable(v) for v in (name, company_id) if v is not None):
        raise company_not_found()
    if company_id is not None:
        query = query.where(Company.company_id == company_id)
    if name is not None:
        query = query.where(Company.name == name)
    result = offset_paginate(session, query, [Company.created_at, Company.id], page=page, per_page=per_page)
    if result.total_count == 0:
        raise company_not_found()
    return result


def tag_filter(workspace_id: int, tag_id: str) -> Any:
    """Companies carrying the tag; an unknown tag id simply matches nothing."""
    key = int(tag_id) if tag_id.isascii() and tag_id.isdigit() and len(tag_id) < 19 else -1
    tagged = (
        select(CompanyTag.company_id)
        .join(Tag, Tag.id == CompanyTag.tag_id)
        .where(CompanyTag.tag_id == key, Tag.workspace_id == workspace_id)
    )
    return Company.id.in_(tagged)


def segment_filter(session: Session, workspace_id: int, segment_id: str) -> Any:
    """Companies in a company segment, or with a contact in a contact segment.

    The condition comes from the Segments domain, which also answers unknown segment ids
    (400 parameter_invalid naming segment_id).
    """
    from opencom.segments.service import segment_condition

    if not _storable(segment_id):
        raise parameter_invalid(f"Segment '{segment_id}' not found", "segment_id")
    return segment_condition(session, workspace_id, segment_id, over="company")


def scroll_companies(session: Session, workspace_id: int, scroll_param: str | None) -> tuple[list[Company], str | None]:
    query = _live(workspace_id).where(has_users())
    return scroll_page(
        session, workspace_id=workspace_id, resource="companies", query=query,
        sort=[SortKey(Company.id)], per_page=SCROLL_PAGE_SIZE, scroll_param=scroll_param,
    )


def companies_of_contact(session: Session, workspace_id: int, contact_id: str, *, page: int, per_page: int) -> Page:
    contact = get_contact(session, workspace_id, contact_id)
    query = (
        _live(workspace_id)
        .join(ContactCompany, ContactCompany.company_id == Company.id)
        .where(ContactCompany.contact_id == contact.id)
    )
    return offset_paginate(session, query, [ContactCompany.created_at, Company.id], page=page, per_page=per_page)


def contacts_of_company(session: Session, workspace_id: int, company_id: str, *, page: int, per_page: int) -> Page:
    company = get_company(session, workspace_id, company_id)
    query = (
        select(Contact)
        .join(ContactCompany, ContactCompany.contact_id == Contact.id)
        .where(ContactCompany.company_id == company.id, Contact.workspace_id == workspace_id)
    )
    return offset_paginate(session, query, [ContactCompany.created_at, Contact.id], page=page, per_page=per_page)


def segments_of_company(session: Session, workspace_id: int, company: Company) -> list:
    """The company's segments, from the Segments domain; none until that domain exists."""
    try:
        from opencom.segments.service import segments_for_company
    except ImportError:
        return []
    return list(segments_for_company(session, workspace_id, company))


def extras(session: Session, workspace_id: int, companies: list[Company], *, segments: bool = True) -> CompanyExtras:
    """User counts, tags and segments of a page of companies: a fixed number of queries for the counts and tags."""
    ids = [c.id for c in companies]
    found = CompanyExtras()
    if not ids:
        return found
    counts = session.execute(
        select(ContactCompany.company_id, func.count())
        .join(Contact, Contact.id == ContactCompany.contact_id)
        .where(ContactCompany.company_id.in_(ids), Contact.role == "user")
        .group_by(ContactCompany.company_id)
    )
    found.user_counts = {company_id: count for company_id, count in counts}
    tags = session.execute(
        select(CompanyTag.company_id, Tag)
        .join(Tag, Tag.id == CompanyTag.tag_id)
        .where(CompanyTag.company_id.in_(ids))
        .order_by(CompanyTag.applied_at, Tag.id)
    )
    for company_id, tag in tags:
        found.tags.setdefault(company_id, []).append(tag)
    if segments:
        found.segments = {c.id: segments_of_company(session, workspace_id, c) for c in companies}
    return found
