"""The rules for subscription types and contacts' explicit choices on them."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from opencom.contacts.models import Contact, ContactSubscription
from opencom.core.clock import now
from opencom.core.errors import not_found, parameter_invalid
from opencom.subscription_types.models import SubscriptionType
from opencom.subscription_types.schemas import CONSENT_TYPES

# What a fresh Intercom workspace typically offers: newsletters by email that everyone gets
# unless they opt out, and SMS that nobody gets unless they opt in.
DEFAULT_TYPES = (
    {
        "name": "Newsletters", "description": "Product news, tips and announcements",
        "consent_type": "opt_out", "content_types": ["email"],
    },
    {
        "name": "SMS updates", "description": "Offers and updates by text message",
        "consent_type": "opt_in", "content_types": ["sms_message"],
    },
)


def seed_subscription_types(session: Session, workspace_id: int) -> None:
    created = now()
    session.add_all(
        SubscriptionType(workspace_id=workspace_id, state="live", locale="en", translations=[], created_at=created, **t)
        for t in DEFAULT_TYPES
    )
    session.flush()


def list_types(session: Session, workspace_id: int) -> list[SubscriptionType]:
    query = select(SubscriptionType).where(SubscriptionType.workspace_id == workspace_id).order_by(SubscriptionType.id)
    return list(session.scalars(query))


def get_contact(session: Session, workspace_id: int, contact_id: str) -> Contact:
    contact = session.scalar(select(Contact).where(Contact.workspace_id == workspace_id, Contact.id == str(contact_id)))
    if contact is None:
        raise not_found("User Not Found")
    return contact


def get_type(session: Session, workspace_id: int, type_id: str | int) -> SubscriptionType:
    key = str(type_id)
    found = None
    if key.isascii() and key.isdigit() and len(key) < 19:
        found = session.scalar(
            select(SubscriptionType).where(SubscriptionType.workspace_id == workspace_id, SubscriptionType.id == int(key))
        )
    if found is None:
        raise not_found("Resource Not Found")
    return found


def explicit_choices(session: Session, workspace_id: int, contact_id: str) -> list[SubscriptionType]:
    """The types the contact explicitly chose: opted out of opt_out ones, opted in to opt_in ones."""
    contact = get_contact(session, workspace_id, contact_id)
    query = (
        select(SubscriptionType)
        .join(ContactSubscription, ContactSubscription.subscription_type_id == SubscriptionType.id)
        .where(ContactSubscription.contact_id == contact.id, ContactSubscription.consent == SubscriptionType.consent_type)
        .order_by(SubscriptionType.id)
    )
    return list(session.scalars(query))


def attach(session: Session, workspace_id: int, contact_id: str, type_id: str | int, consent_type: object) -> SubscriptionType:
    contact = get_contact(session, workspace_id, contact_id)
    subscription = get_type(session, workspace_id, type_id)
    if consent_type not in CONSENT_TYPES:
        raise parameter_invalid("consent_type must be opt_in or opt_out", "consent_type")
    if consent_type != subscription.consent_type:
        raise parameter_invalid(
            f"consent_type must match the subscription type's consent_type ({subscription.consent_type})", "consent_type"
        )
    # An upsert, so that two concurrent attaches of the same type both succeed.
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(ContactSubscription)
    statement = insert.values(
        contact_id=contact.id, subscription_type_id=subscription.id, consent=consent_type, created_at=now()
    ).on_conflict_do_update(index_elements=["contact_id", "subscription_type_id"], set_={"consent": consent_type})
    session.execute(statement)
    return subscription


def detach(session: Session, workspace_id: int, contact_id: str, type_id: str) -> SubscriptionType:
    """Remove the contact's explicit choice (a no-op when there is none) and return the type."""
    contact = get_contact(session, workspace_id, contact_id)
    subscription = get_type(session, workspace_id, type_id)
    session.execute(
        delete(ContactSubscription).where(
            ContactSubscription.contact_id == contact.id, ContactSubscription.subscription_type_id == subscription.id
        )
    )
    return subscription
