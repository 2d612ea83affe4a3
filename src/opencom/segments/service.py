"""Segments: stored search queries over contacts (or companies); membership is computed, never stored.

A segment's query is compiled with the contacts' (or companies') own search field table, so a
segment matches exactly what the same query would find in a search. Archived contacts and
companies are members of no segment.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from opencom.companies.models import Company
from opencom.contacts.models import Contact, ContactCompany
from opencom.core.clock import now
from opencom.core.errors import ApiError, not_found, parameter_invalid
from opencom.core.ids import hex_id
from opencom.segments.models import Segment
from opencom.workspaces.models import Workspace

# person_type: "user" (users), "contact" (leads; the API's word) or "company".
PERSON_TYPES = ("user", "contact", "company")
CONTACT_TYPES = ("user", "contact")
MAX_NAME_LENGTH = 255

DEFAULT_SEGMENTS = (
    ("All users", "user", {"field": "role", "operator": "=", "value": "user"}),
    ("All leads", "contact", {"field": "role", "operator": "=", "value": "lead"}),
)

# Segments being compiled right now: a segment whose query (through `segment_id`) reaches
# itself would otherwise recurse forever.
_compiling: ContextVar[tuple[str, ...]] = ContextVar("segments_compiling", default=())


def seed_segments(session: Session, workspace_id: int) -> None:
    """The segments every new workspace has. Their queries are fixed, so they are not compiled here."""
    for name, person_type, query in DEFAULT_SEGMENTS:
        _add(session, workspace_id, name, query, person_type)


def create_segment(session: Session, workspace_id: int, name: Any, query: Any, person_type: str = "user") -> Segment:
    """A new segment; its query is checked by compiling it (ApiError 400 when it is invalid)."""
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME_LENGTH:
        raise parameter_invalid(f"name must be 1 to {MAX_NAME_LENGTH} characters", "name")
    if person_type not in PERSON_TYPES:
        raise parameter_invalid(f"person_type must be one of {', '.join(PERSON_TYPES)}", "person_type")
    _compile(session, workspace_id, person_type, query)
    return _add(session, workspace_id, name.strip(), query, person_type)


def _add(session: Session, workspace_id: int, name: str, query: dict, person_type: str) -> Segment:
    stamp = now()
    segment = Segment(id=hex_id(), workspace_id=workspace_id, name=name, person_type=person_type,
                      query=query, created_at=stamp, updated_at=stamp)
    session.add(segment)
    session.flush()
    return segment


def list_segments(session: Session, workspace_id: int) -> list[Segment]:
    """The contact segments (users and leads); company segments are listed per company."""
    return list(session.scalars(
        select(Segment).where(Segment.workspace_id == workspace_id, Segment.person_type.in_(CONTACT_TYPES))
        .order_by(Segment.created_at, Segment.id)
    ))


def find_segment(session: Session, workspace_id: int, segment_id: Any) -> Segment | None:
    if not isinstance(segment_id, str) or not segment_id:
        return None
    return session.scalar(select(Segment).where(Segment.workspace_id == workspace_id, Segment.id == segment_id))


def get_segment(session: Session, workspace_id: int, segment_id: str) -> Segment:
    segment = find_segment(session, workspace_id, segment_id)
    if segment is None:
        raise not_found()
    return segment


# --- membership ------------------------------------------------------------------------------


def segment_condition(
    session: Session, workspace_id: int, segment_id: Any, *, over: str | None = None
) -> ColumnElement[bool]:
    """The WHERE clause selecting a segment's members, for `segment_id` filters.

    By default the condition is over the segment's own table: Contact for user and lead
    segments, Company for company segments. `over="contact"` or `over="company"` asks for the
    other table: the contacts of member companies, or the companies of member contacts.
    An unknown segment is a 400 `parameter_invalid` naming `segment_id` (callers compiling a
    search may rewrite `field` to the filter's path).
    """
    if over not in (None, "contact", "company"):
        raise ValueError(f"over must be 'contact' or 'company', not {over!r}")
    segment = find_segment(session, workspace_id, segment_id if isinstance(segment_id, str) else str(segment_id))
    if segment is None:
        raise parameter_invalid(f"Segment '{segment_id}' not found", "segment_id")
    condition = members(session, segment)
    own = "company" if segment.person_type == "company" else "contact"
    if over is None or over == own:
        return condition
    if over == "company":
        return sa.exists(
            select(1).select_from(ContactCompany).join(Contact, Contact.id == ContactCompany.contact_id)
            .where(ContactCompany.company_id == Company.id, condition)
        )
    return sa.exists(
        select(1).select_from(ContactCompany).join(Company, Company.id == ContactCompany.company_id)
        .where(ContactCompany.contact_id == Contact.id, condition)
    )


def members(session: Session, segment: Segment) -> ColumnElement[bool]:
    """Its members, over Contact or Company. A stored query that no longer compiles (an attribute
    was archived, say) matches nothing rather than breaking every read of the segment."""
    table = Company if segment.person_type == "company" else Contact
    with _entered(segment.id):
        try:
            condition = _compile(session, segment.workspace_id, segment.person_type, segment.query)
        except ApiError:
            return sa.false()
    return sa.and_(table.workspace_id == segment.workspace_id, table.archived.is_(False), condition)


def segment_counts(session: Session, segments: list[Segment]) -> dict[str, int]:
    """How many members each segment has, counted in one SQL statement."""
    if not segments:
        return {}
    counts = []
    for segment in segments:
        table = Company if segment.person_type == "company" else Contact
        counts.append(select(sa.func.count()).select_from(table).where(members(session, segment)).scalar_subquery())
    row = session.execute(select(*counts)).one()
    return {segment.id: count for segment, count in zip(segments, row)}


def segments_for_contact(session: Session, workspace_id: int, contact: Contact) -> list[Segment]:
    candidates = list_segments(session, workspace_id)
    return _matching(session, candidates, Contact, contact.id)


def contact_segments(session: Session, workspace_id: int, contact_id: str) -> list[Segment]:
    """GET /contacts/{id}/segments: 404 "User Not Found" for an unknown contact."""
    contact = session.scalar(select(Contact).where(Contact.workspace_id == workspace_id, Contact.id == contact_id))
    if contact is None:
        raise not_found("User Not Found")
    return segments_for_contact(session, workspace_id, contact)


def segments_for_company(session: Session, workspace_id: int, company: Company) -> list[Segment]:
    candidates = list(session.scalars(
        select(Segment).where(Segment.workspace_id == workspace_id, Segment.person_type == "company")
        .order_by(Segment.created_at, Segment.id)
    ))
    return _matching(session, candidates, Company, company.id)


def _matching(session: Session, segments: list[Segment], table: Any, object_id: str) -> list[Segment]:
    """The segments whose members include that one row, asked in one SQL statement."""
    if not segments:
        return []
    checks = [select(table.id).where(table.id == object_id, members(session, s)).exists() for s in segments]
    row = session.execute(select(*checks)).one()
    return [segment for segment, matched in zip(segments, row) if matched]


def segments_using_tag(session: Session, workspace_id: int, tag_id: int) -> list[Segment]:
    """Segments whose stored query filters on that tag (which therefore can't be deleted)."""
    from opencom.tags.service import references_tag

    # Narrowed in SQL to queries mentioning tag_id at all; the JSON is then read precisely.
    candidates = session.scalars(
        select(Segment).where(Segment.workspace_id == workspace_id, sa.cast(Segment.query, sa.String).contains("tag_id"))
        .order_by(Segment.name, Segment.id)
    )
    return [segment for segment in candidates if references_tag(segment.query, tag_id)]


# --- compiling -------------------------------------------------------------------------------


@contextmanager
def _entered(segment_id: str):
    stack = _compiling.get()
    if segment_id in stack:
        raise parameter_invalid("A segment's query cannot refer to the segment itself", "segment_id")
    token = _compiling.set(stack + (segment_id,))
    try:
        yield
    finally:
        _compiling.reset(token)


def _compile(session: Session, workspace_id: int, person_type: str, query: Any) -> ColumnElement[bool]:
    tz = workspace_timezone(session, workspace_id)
    if person_type == "company":
        from opencom.companies.search import company_condition

        return company_condition(session, workspace_id, query, tz)
    from opencom.contacts.search import contact_condition

    return contact_condition(session, workspace_id, query, tz)


def workspace_timezone(session: Session, workspace_id: int) -> tzinfo:
    from opencom.contacts.search import workspace_tz

    return workspace_tz(session.scalar(select(Workspace.timezone).where(Workspace.id == workspace_id)))
