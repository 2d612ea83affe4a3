"""The rules for contacts (users and leads): identity, uniqueness, archive, merge, list and search.

Uniqueness is the database's job: partial unique indexes hold `email` unique among a workspace's
users and `external_id` unique among all its contacts. Writes flush inside a SAVEPOINT, and a
violation (also one caused by a concurrent request) becomes a 409 `conflict` naming the
contact that holds the value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, bindparam, case, delete, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencom.admins.service import find_admin
from opencom.contacts.models import Contact, ContactCompany, ContactSubscription, ContactTag
from opencom.contacts.search import contact_condition, single_tag
from opencom.core.clock import now
from opencom.core.errors import ApiError, not_found, parameter_invalid, parameter_not_found
from opencom.core.ids import hex_id
from opencom.core.pagination import Page, SortKey, cursor_paginate
from opencom.data_attributes.service import check_custom_attributes
from opencom.data_events.models import DataEvent, DataEventSummary
from opencom.notes.models import Note
from opencom.tags.models import Tag

ROLES = ("user", "lead")

# Lists and searches return contacts oldest first; id breaks ties within a second.
SORT = [SortKey(Contact.created_at), SortKey(Contact.id)]

# Attributes that a merge copies from the lead when the user has none: every nullable column
# except identity and bookkeeping.
MERGE_FILLED = tuple(
    column.key
    for column in Contact.__table__.columns
    if column.nullable and column.key not in ("id", "workspace_id", "role")
)


def contact_not_found() -> ApiError:
    return not_found("User Not Found")


def conflict(existing_id: str) -> ApiError:
    return ApiError(409, "conflict", f"A contact matching those details already exists with id={existing_id}")


# --- lookup --------------------------------------------------------------------------------------


# Built once: the hottest lookup of the API (every /contacts/{id} call).
_BY_ID = select(Contact).where(Contact.workspace_id == bindparam("workspace_id"), Contact.id == bindparam("contact_id"))


def could_name_a_contact(contact_id: Any) -> bool:
    # PostgreSQL refuses NUL characters in text, even in a comparison; no id holds one.
    return isinstance(contact_id, str) and bool(contact_id) and "\x00" not in contact_id


def find_contact(session: Session, workspace_id: int, contact_id: Any) -> Contact | None:
    if not could_name_a_contact(contact_id):
        return None
    return session.scalar(_BY_ID, {"workspace_id": workspace_id, "contact_id": contact_id})


def get_contact(session: Session, workspace_id: int, contact_id: Any) -> Contact:
    contact = find_contact(session, workspace_id, contact_id)
    if contact is None:
        raise contact_not_found()
    return contact


# --- field rules ---------------------------------------------------------------------------------


def _email_parts(value: str) -> tuple[str, str]:
    """The address as email-validator normalises it (domain lower-cased), and its domain.

    Syntax only: no DNS lookups, so addresses at made-up domains are fine.
    """
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise parameter_invalid(f"email is invalid: {error}", "email") from None
    if len(checked.normalized) > 255:
        raise parameter_invalid("email is too long", "email")
    return checked.normalized, checked.domain


def _check_role(value: Any) -> str:
    if value not in ROLES:
        raise parameter_invalid("role must be 'user' or 'lead'", "role")
    return value


def _check_owner(session: Session, workspace_id: int, owner_id: int | None) -> int | None:
    if owner_id is not None and find_admin(session, workspace_id, owner_id) is None:
        raise parameter_invalid(f"owner_id {owner_id} is not an admin of this workspace", "owner_id")
    return owner_id


def _check_custom(session: Session, workspace_id: int, values: Any) -> dict:
    checked = check_custom_attributes(session, workspace_id, "contact", values)
    for name, value in checked.items():
        # NUL cannot be read back out of PostgreSQL JSON as text, so searches would fail on it.
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise parameter_invalid("custom attributes must not contain NUL characters", f"custom_attributes.{name}")
    return checked


def _non_null(fields: dict, names: tuple[str, ...]) -> None:
    # The description types these as plain strings: null is not a value for them.
    for name in names:
        if name in fields and fields[name] is None:
            raise parameter_invalid(f"{name} must not be null", name)


def _apply(session: Session, workspace_id: int, contact: Contact, fields: dict) -> None:
    """Write the checked request `fields` (only those sent) onto `contact`."""
    for name in ("phone", "name", "avatar", "signed_up_at", "last_seen_at", "external_id"):
        if name in fields:
            setattr(contact, name, fields[name])
    if "email" in fields:
        contact.email, contact.email_domain = _email_parts(fields["email"])
    if "owner_id" in fields:
        contact.owner_id = _check_owner(session, workspace_id, fields["owner_id"])
    if fields.get("unsubscribed_from_emails") is not None:
        contact.unsubscribed_from_emails = fields["unsubscribed_from_emails"]
    if "custom_attributes" in fields:
        merged = dict(contact.custom_attributes or {})
        for name, value in _check_custom(session, workspace_id, fields["custom_attributes"]).items():
            if value is None:
                merged.pop(name, None)  # null clears the attribute
            else:
                merged[name] = value
        contact.custom_attributes = merged  # a new dict, so the JSON column is seen as changed


def _save(session: Session, workspace_id: int, contact: Contact, change: Callable[[], None]) -> None:
    """Run `change` on `contact` and flush it in a SAVEPOINT; a unique-index violation becomes a 409
    naming the contact that holds the value.

    The savepoint opens before the change because opening one flushes what is pending.
    """
    identity = None
    try:
        with session.begin_nested():
            change()
            # Read now: rolling the savepoint back expires the object and forgets these values.
            identity = (contact.id, contact.role, contact.email, contact.external_id)
            session.add(contact)
            session.flush()
    except IntegrityError:
        if identity is None:
            raise
        with session.no_autoflush:
            holder = _holder(session, workspace_id, *identity)
        if holder is None:
            raise
        raise conflict(holder) from None


def _holder(session: Session, workspace_id: int, contact_id: str, role: str, email: str | None, external_id: str | None) -> str | None:
    """The other contact that already has this email (among users) or external_id."""
    clashes = []
    if external_id is not None:
        clashes.append(Contact.external_id == external_id)
    if role == "user" and email is not None:
        clashes.append(and_(Contact.role == "user", Contact.email == email))
    if not clashes:
        return None
    return session.scalar(
        select(Contact.id)
        .where(Contact.workspace_id == workspace_id, Contact.id != contact_id, or_(*clashes))
        .order_by(Contact.created_at, Contact.id)
        .limit(1)
    )


# --- create, update, delete, archive -------------------------------------------------------------


def create_contact(session: Session, workspace_id: int, fields: dict) -> Contact:
    _non_null(fields, ("email", "external_id", "role"))
    if all(fields.get(name) is None for name in ("email", "external_id", "role")):
        raise parameter_not_found("At least one of email, external_id or role is required", "email")
    role = _check_role(fields["role"]) if fields.get("role") is not None else "user"
    sent = {name: value for name, value in fields.items() if name not in ("role",) and value is not None}
    moment = now()
    contact = Contact(
        id=hex_id(), workspace_id=workspace_id, role=role, created_at=moment, updated_at=moment,
        has_hard_bounced=False, marked_email_as_spam=False, unsubscribed_from_emails=False,
        archived=False, custom_attributes={},
    )
    _save(session, workspace_id, contact, lambda: _apply(session, workspace_id, contact, sent))
    return contact


def update_contact(session: Session, workspace_id: int, contact_id: str, fields: dict) -> Contact:
    contact = get_contact(session, workspace_id, contact_id)
    _non_null(fields, ("role", "email", "external_id"))

    def change() -> None:
        if "role" in fields:
            _change_role(contact, _check_role(fields["role"]), fields)
        _apply(session, workspace_id, contact, fields)
        contact.updated_at = now()

    _save(session, workspace_id, contact, change)
    return contact


def _change_role(contact: Contact, role: str, fields: dict) -> None:
    if role == contact.role:
        return
    if role == "lead":
        raise parameter_invalid("A user cannot be turned back into a lead", "role")
    if not (fields.get("email") or contact.email or fields.get("external_id") or contact.external_id):
        raise parameter_invalid("A lead needs an email or an external_id to become a user", "role")
    contact.role = role


def delete_contact(session: Session, workspace_id: int, contact_id: str) -> Contact:
    """Hard delete: join rows, notes and events go with it (ON DELETE CASCADE)."""
    contact = get_contact(session, workspace_id, contact_id)
    session.delete(contact)
    session.flush()
    return contact


def set_archived(session: Session, workspace_id: int, contact_id: str, archived: bool) -> Contact:
    """Archive or unarchive; doing it twice is the same as once."""
    contact = get_contact(session, workspace_id, contact_id)
    if contact.archived != archived:
        contact.archived = archived
        contact.updated_at = now()
    return contact


# --- list and search -----------------------------------------------------------------------------


def _visible(workspace_id: int):
    # Archived contacts are left out of lists and searches (merged ones no longer exist).
    return select(Contact).where(Contact.workspace_id == workspace_id, Contact.archived.is_(False))


def list_contacts(session: Session, workspace_id: int, *, per_page: int, starting_after: str | None) -> Page:
    return cursor_paginate(
        session, _visible(workspace_id), SORT, per_page=per_page, starting_after=starting_after,
        total=_listed_total(session, workspace_id),
    )


def _listed_total(session: Session, workspace_id: int) -> int | None:
    """The workspace's unarchived contacts as SQLite's triggers keep them (migration
    0013_contact_counts); None on PostgreSQL, where the list counts them."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    found = session.execute(_COUNT, {"workspace_id": workspace_id}).scalar_one_or_none()
    return found or 0


_COUNT = text("SELECT visible FROM contact_counts WHERE workspace_id = :workspace_id")


def search_contacts(
    session: Session, workspace_id: int, query: Any, *, tz: str, per_page: int, starting_after: str | None
) -> Page:
    condition = contact_condition(session, workspace_id, query, tz)
    total, walk = None, None
    tag_id = single_tag(query)
    if tag_id is not None:
        total = _tag_total(session, workspace_id, tag_id)
        held = select(ContactTag.tag_id).where(ContactTag.contact_id == Contact.id, ContactTag.tag_id == tag_id)
        walk = (_visible(workspace_id), held.exists())
    try:
        # Deferred join: the page's ids come from the filter's index, sorted, and only the page's
        # rows are read; a walk of the workspace in list order only when a tag's holders are
        # many, and bounded (core.pagination._walk_page, docs/decisions.md).
        return cursor_paginate(
            session, _visible(workspace_id).where(condition), SORT, per_page=per_page, starting_after=starting_after,
            rows_by=Contact.id, total=total, walk=walk if total is not None else None,
        )
    except ApiError as error:
        if error.field == "starting_after":
            error.field = "pagination.starting_after"  # where the search body holds it
        raise


def _tag_total(session: Session, workspace_id: int, tag_id: int) -> int | None:
    """How many visible contacts of the workspace hold the tag, from indexes alone: the tag's
    rows in ix_contact_tags_tag_contact less its archived holders (found from ix_contacts_list).
    None when the tag is not the workspace's.

    Counting the holders through the contacts table costs a lookup per holder (the 1M-contact
    bottleneck); a tag only ever holds contacts of its own workspace (tags.service tags within
    one workspace), so the tag's index range is its holders.
    """
    if session.scalar(select(Tag.workspace_id).where(Tag.id == tag_id)) != workspace_id:
        return None
    held = session.scalar(select(func.count()).select_from(ContactTag).where(ContactTag.tag_id == tag_id))
    holds = select(ContactTag.tag_id).where(ContactTag.contact_id == Contact.id, ContactTag.tag_id == tag_id)
    archived = session.scalar(
        select(func.count()).where(Contact.workspace_id == workspace_id, Contact.archived.is_(True), holds.exists())
    )
    return held - archived


# --- merge ---------------------------------------------------------------------------------------


def merge_contacts(session: Session, workspace_id: int, from_id: str, into_id: str) -> Contact:
    """Merge the lead `from_id` into the user `into_id`; `from_id` is gone afterwards."""
    if from_id == into_id:
        raise parameter_invalid("from and into must be different contacts", "from")
    lead = get_contact(session, workspace_id, from_id)
    user = get_contact(session, workspace_id, into_id)
    if lead.role != "lead":
        raise parameter_invalid("from must be a lead", "from")
    if user.role != "user":
        raise parameter_invalid("into must be a user", "into")
    inherited = {name: getattr(lead, name) for name in MERGE_FILLED}
    inherited_custom = dict(lead.custom_attributes or {})
    move_contact_references(session, lead.id, user.id)
    session.delete(lead)
    session.flush()  # the lead's email and external_id are free from here on

    def fill() -> None:
        for name, value in inherited.items():
            if getattr(user, name) is None and value is not None:
                setattr(user, name, value)
        custom = dict(user.custom_attributes or {})
        for name, value in inherited_custom.items():
            if custom.get(name) is None and value is not None:
                custom[name] = value
        user.custom_attributes = custom
        user.updated_at = now()

    _save(session, workspace_id, user, fill)
    return user


def move_contact_references(session: Session, from_id: str, into_id: str) -> None:
    """Give everything that belongs to contact `from_id` to contact `into_id`.

    The hook for merges: each domain whose rows point at a contact moves them here (the inbox
    adds conversations). Where both contacts have the same row (a tag, a company, a
    subscription), `into_id`'s wins; what is left on `from_id` goes when it is deleted.
    """
    _move_join_rows(session, ContactTag, ContactTag.tag_id, from_id, into_id)
    _move_join_rows(session, ContactCompany, ContactCompany.company_id, from_id, into_id)
    _move_join_rows(session, ContactSubscription, ContactSubscription.subscription_type_id, from_id, into_id)
    session.execute(update(Note).where(Note.contact_id == from_id).values(contact_id=into_id))
    _move_events(session, from_id, into_id)
    _merge_event_summaries(session, from_id, into_id)
    # Local imports: the inbox domains import contacts.
    from opencom.conversations.service import move_contact_conversations
    from opencom.tickets.service import move_contact_tickets

    move_contact_conversations(session, from_id, into_id)
    move_contact_tickets(session, from_id, into_id)
    session.flush()


def _move_events(session: Session, from_id: str, into_id: str) -> None:
    """Move `from_id`'s events; one `into_id` already has (same name and time) is a repeat."""
    theirs = DataEvent.__table__.alias("theirs")
    repeat = (
        select(theirs.c.id)
        .where(
            theirs.c.contact_id == into_id,
            theirs.c.event_name == DataEvent.event_name,
            theirs.c.created_at == DataEvent.created_at,
        )
        .exists()
    )
    session.execute(delete(DataEvent).where(DataEvent.contact_id == from_id, repeat))
    session.execute(update(DataEvent).where(DataEvent.contact_id == from_id).values(contact_id=into_id))


def _move_join_rows(session: Session, model, key, from_id: str, into_id: str) -> None:
    """Re-point `from_id`'s join rows at `into_id`, except those `into_id` already has."""
    table = model.__table__
    other = table.alias("owned")  # an alias, or the subquery would correlate to the UPDATE target
    owned = select(other.c[key.key]).where(other.c.contact_id == into_id)
    session.execute(
        update(table).where(table.c.contact_id == from_id, table.c[key.key].not_in(owned)).values(contact_id=into_id)
    )


def _merge_event_summaries(session: Session, from_id: str, into_id: str) -> None:
    """Combine per-event summaries: counts add up, first is the earliest and last the latest."""
    summary = DataEventSummary.__table__
    other = summary.alias("other")

    def from_value(column):
        return (
            select(column)
            .where(other.c.contact_id == from_id, other.c.event_name == summary.c.event_name)
            .scalar_subquery()
        )

    shared = select(other.c.event_name).where(other.c.contact_id == from_id)
    first, last = from_value(other.c.first), from_value(other.c.last)
    session.execute(
        update(summary)
        .where(summary.c.contact_id == into_id, summary.c.event_name.in_(shared))
        .values(
            count=summary.c.count + from_value(other.c.count),
            first=func.coalesce(_least(first, summary.c.first), summary.c.first),
            last=func.coalesce(_greatest(last, summary.c.last), summary.c.last),
            description=func.coalesce(summary.c.description, from_value(other.c.description)),
        )
    )
    owned = select(other.c.event_name).where(other.c.contact_id == into_id)
    session.execute(
        update(summary)
        .where(summary.c.contact_id == from_id, summary.c.event_name.not_in(owned))
        .values(contact_id=into_id)
    )


def _least(a, b):
    return case((a < b, a), else_=b)


def _greatest(a, b):
    return case((a > b, a), else_=b)
