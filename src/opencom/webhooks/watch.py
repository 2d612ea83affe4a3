"""Noticing objects an operation creates on the side, so their topics fire too.

Some operations create a contact as a by-product (a ticket for an unknown email, a participant
added by email, a visitor who writes in, a phone-call redirect). Their services don't return it,
so the route watches the session instead:

    with inserted(session, Contact) as contacts:
        ticket = service.create_ticket(...)
    publish_new_contacts(session, principal, contacts)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from opencom.webhooks.publish import Publisher, publish
from opencom.webhooks.topics import contact_topic


@contextmanager
def inserted(session: Session, model: type) -> Iterator[list]:
    """The `model` objects inserted by the block, in insertion order, once it has flushed them.
    after_flush (not before) so that an insert a savepoint gave up on is not counted."""
    found: list = []

    def collect(flushing: Session, _context) -> None:
        found.extend(obj for obj in flushing.new if isinstance(obj, model) and obj not in found)

    event.listen(session, "after_flush", collect)
    try:
        yield found
        session.flush()
    finally:
        event.remove(session, "after_flush", collect)
    # Keep only what is still there (a savepoint rollback or a later delete undoes an insert).
    found[:] = [obj for obj in found if inspect(obj).persistent]


def publish_new_contacts(session: Session, principal: Publisher, contacts: list) -> None:
    """contact.user.created / contact.lead.created for each contact, as GET /contacts/{id} returns it."""
    from opencom.contacts.schemas import one_contact_json

    for contact in contacts:
        item = one_contact_json(session, contact, principal.workspace_code)
        publish(session, principal, contact_topic(contact.role, "created"), item)
