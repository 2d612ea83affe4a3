"""The rules for visitors: lookup, update, conversion into a contact, and creation (CLI only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencom.contacts.models import Contact
from opencom.core.clock import now
from opencom.core.errors import ApiError, not_found, parameter_invalid, parameter_not_found
from opencom.core.ids import choice, hex_id, new_uuid
from opencom.data_attributes.service import acceptable_custom_values
from opencom.visitors.models import Visitor
from opencom.visitors.schemas import ConvertVisitorRequest, UpdateVisitorRequest

ROLES = ("user", "lead")
# Visitor location keys -> contact columns.
LOCATION_COLUMNS = {
    "country_name": "location_country", "region_name": "location_region", "city_name": "location_city",
    "country_code": "location_country_code", "continent_code": "location_continent_code",
}
# Contact columns a visitor's data fills when the contact has no value of its own.
CARRIED = ("name", "phone", "avatar", "referrer", "utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term")
COLOURS = ("Grey", "Blue", "Green", "Orange", "Red", "Pink", "Purple", "Yellow")
ANIMALS = ("Shark", "Duck", "Fox", "Owl", "Panda", "Otter", "Tiger", "Whale")


def visitor_not_found() -> ApiError:
    return not_found("Visitor Not Found")


def find_visitor(session: Session, workspace_id: int, *, id: Any = None, user_id: Any = None, email: Any = None) -> Visitor:
    """The visitor by id, else user_id, else email; 404 "Visitor Not Found" when there is none."""
    query = select(Visitor).where(Visitor.workspace_id == workspace_id)
    if id is not None:
        query = query.where(Visitor.id == str(id))
    elif user_id is not None:
        query = query.where(Visitor.user_id == str(user_id))
    elif email:
        query = query.where(Visitor.email == email)
    else:
        raise visitor_not_found()
    visitor = session.scalar(query.order_by(Visitor.created_at, Visitor.id).limit(1))
    if visitor is None:
        raise visitor_not_found()
    return visitor


def create_visitor(session: Session, workspace_id: int, *, name: str | None = None, email: str | None = None) -> Visitor:
    """What the Messenger does upstream for a new anonymous browser."""
    moment = now()
    visitor = Visitor(
        id=hex_id(), workspace_id=workspace_id, user_id=new_uuid(), anonymous=True, email=email, name=name,
        pseudonym=f"{choice(COLOURS)} {choice(ANIMALS)}", session_count=0,
        unsubscribed_from_emails=False, marked_email_as_spam=False, has_hard_bounced=False,
        created_at=moment, updated_at=moment, remote_created_at=moment, signed_up_at=moment,
        location={}, custom_attributes={},
    )
    session.add(visitor)
    session.flush()
    return visitor


def _check_custom_attributes(values: dict) -> dict:
    # Visitors take any flat attributes (there are no visitor data attributes to check against).
    for name, value in values.items():
        if value is not None and not isinstance(value, (str, int, float, bool)):
            field = f"custom_attributes.{name}"
            raise parameter_invalid(f"Custom attribute '{name}' must be a string, number, boolean or null", field)
    return values


def update_visitor(session: Session, workspace_id: int, body: UpdateVisitorRequest) -> Visitor:
    if body.id is None and body.user_id is None:
        raise parameter_not_found("id or user_id is required", "id")
    visitor = find_visitor(session, workspace_id, id=body.id, user_id=body.user_id)
    fields = body.model_dump(exclude_unset=True, include={"name", "email", "phone"})
    for name, value in fields.items():
        setattr(visitor, name, value)
    if body.custom_attributes is not None:
        # Merged, like contacts' custom attributes: keys not sent keep their values.
        visitor.custom_attributes = {**(visitor.custom_attributes or {}), **_check_custom_attributes(body.custom_attributes)}
    visitor.updated_at = now()
    return visitor


# --- convert ----------------------------------------------------------------------------------


def _target_contact(session: Session, workspace_id: int, user) -> Contact | None:
    """The contact the visitor merges into: by Intercom id, else external_id, else email among users."""
    base = select(Contact).where(Contact.workspace_id == workspace_id)
    if user.id is not None:
        contact = session.scalar(base.where(Contact.id == str(user.id)))
        if contact is None:
            raise not_found("User Not Found")
        return contact
    if user.user_id is not None:
        contact = session.scalar(base.where(Contact.external_id == str(user.user_id)))
        if contact is not None:
            return contact
    if user.email:
        return session.scalar(
            base.where(Contact.role == "user", Contact.email == user.email).order_by(Contact.created_at).limit(1)
        )
    return None


def _fill_from_visitor(session: Session, contact: Contact, visitor: Visitor, user) -> None:
    """Give the contact what the visitor knew and it did not; the contact's own values win."""
    if contact.external_id is None and user.user_id is not None:
        contact.external_id = str(user.user_id)
    email = user.email or visitor.email or None
    if contact.email is None and email:
        contact.email, contact.email_domain = email, email.rsplit("@", 1)[-1] if "@" in email else None
    for column in CARRIED:
        if getattr(contact, column) is None and getattr(visitor, column) is not None:
            setattr(contact, column, getattr(visitor, column))
    for key, column in LOCATION_COLUMNS.items():
        if getattr(contact, column) is None and (visitor.location or {}).get(key) is not None:
            setattr(contact, column, visitor.location[key])
    if contact.last_seen_at is None:
        contact.last_seen_at = visitor.last_request_at
    if contact.owner_id is None and visitor.owner_id and str(visitor.owner_id).isascii() and str(visitor.owner_id).isdigit():
        contact.owner_id = int(visitor.owner_id)
    carried = acceptable_custom_values(session, contact.workspace_id, "contact", visitor.custom_attributes or {})
    contact.custom_attributes = {**carried, **(contact.custom_attributes or {})}
    contact.updated_at = now()


def _new_contact(workspace_id: int, role: str, visitor: Visitor) -> Contact:
    moment = now()
    return Contact(
        id=hex_id(), workspace_id=workspace_id, role=role, created_at=moment, updated_at=moment,
        signed_up_at=moment if role == "user" else None,
        has_hard_bounced=visitor.has_hard_bounced, marked_email_as_spam=visitor.marked_email_as_spam,
        unsubscribed_from_emails=visitor.unsubscribed_from_emails, archived=False, custom_attributes={},
    )


def _save(session: Session, contact: Contact) -> None:
    try:
        with session.begin_nested():
            session.add(contact)
            session.flush()
    except IntegrityError:
        # Another contact holds this email (among users) or external_id.
        raise ApiError(409, "conflict", "A contact matching those details already exists") from None


def convert_visitor(session: Session, workspace_id: int, body: ConvertVisitorRequest) -> Contact:
    if body.type not in ROLES:
        raise parameter_invalid("type must be user or lead", "type")
    user, target = body.user, body.visitor
    if user.id is None and user.user_id is None and not user.email:
        raise parameter_not_found("user needs an id, a user_id or an email", "user")
    if target.id is None and target.user_id is None and not target.email:
        raise parameter_not_found("visitor needs an id, a user_id or an email", "visitor")
    visitor = find_visitor(session, workspace_id, id=target.id, user_id=target.user_id, email=target.email)
    contact = _target_contact(session, workspace_id, user)
    if contact is None:
        contact = _new_contact(workspace_id, body.type, visitor)
    _fill_from_visitor(session, contact, visitor, user)
    _save(session, contact)
    session.delete(visitor)
    session.flush()
    return contact
