"""Switch: deflect a phone call to the Messenger (POST /phone_call_redirects).

Opencom sends no SMS: it records the SMS it would send in `messages` (message_type "sms", to the
E.164 number) and opens the conversation Intercom would: source type `phone_switch`, delivered
`automated`, with the Operator's outbound part carrying the Messenger link. The link is an opaque
`<server>/msgr/<uuid>` URL; Opencom does not serve it.

The contact is the one whose phone, normalised to E.164, matches (users before leads, then the
most recently updated); without one, a lead with that phone is created. `custom_attributes` are
written to it with the contacts' own validation.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencom.contacts import service as contacts
from opencom.contacts.models import Contact
from opencom.conversations import bodies
from opencom.conversations import service as conversations
from opencom.core.clock import now
from opencom.core.errors import ApiError
from opencom.core.ids import new_uuid
from opencom.messages.models import Message

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


class SwitchError(Exception):
    """An error answered as `{error_key, message}`, the one body shape this endpoint uses."""

    def __init__(self, status: int, error_key: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_key, self.message = status, error_key, message

    def body(self) -> dict:
        return {"error_key": self.error_key, "message": self.message}


def invalid_phone() -> SwitchError:
    return SwitchError(400, "invalid_phone_number", "Invalid phone number")


def e164(value: Any) -> str:
    # E.164 is "+" and at most 15 digits; spaces, dashes, dots and brackets between them are tolerated.
    if not isinstance(value, str) or not _E164.fullmatch(re.sub(r"[\s().-]", "", value)):
        raise invalid_phone()
    try:
        number = phonenumbers.parse(value.strip(), None)
    except phonenumbers.NumberParseException:
        raise invalid_phone() from None
    if not phonenumbers.is_valid_number(number):
        raise invalid_phone()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _normalised_phone():
    # Stored phones may carry spaces, dashes, dots or brackets: compare them without.
    column = Contact.phone
    for char in (" ", "-", "(", ")", "."):
        column = func.replace(column, char, "")
    return column


def find_by_phone(session: Session, workspace_id: int, phone: str) -> Contact | None:
    return session.scalar(
        select(Contact)
        .where(Contact.workspace_id == workspace_id, Contact.phone.is_not(None), _normalised_phone() == phone)
        .order_by((Contact.role == "user").desc(), Contact.updated_at.desc(), Contact.id)
        .limit(1)
    )


def redirect_call(session: Session, workspace_id: int, body: Any, base_url: str) -> str:
    if not isinstance(body, dict):
        raise invalid_phone()
    phone = e164(body.get("phone"))
    custom = body.get("custom_attributes")
    if custom is not None and not isinstance(custom, dict):
        raise SwitchError(422, "invalid_custom_attributes", "custom_attributes must be an object")
    contact = find_by_phone(session, workspace_id, phone)
    try:
        if contact is None:
            contact = contacts.create_contact(session, workspace_id, {"role": "lead", "phone": phone, "custom_attributes": custom or {}})
        elif custom:
            contacts.update_contact(session, workspace_id, contact.id, {"custom_attributes": custom})
    except ApiError as error:
        raise SwitchError(422, "invalid_custom_attributes", error.message or error.code) from None
    url = f"{base_url.rstrip('/')}/msgr/{new_uuid()}"
    _open_sms_conversation(session, workspace_id, contact, phone, url)
    return url


def _open_sms_conversation(session: Session, workspace_id: int, contact: Contact, phone: str, url: str) -> None:
    text = f"Continue the conversation in the Messenger: {url}"
    message = Message(
        workspace_id=workspace_id, direction="outbound", message_type="sms", author_type="bot", author_id=None,
        contact_id=contact.id, to_address=phone, subject=None, body=text, body_words=bodies.words(text),
        attachments=[], redacted=False, create_conversation_without_contact_reply=True, created_at=now(),
    )
    session.add(message)
    session.flush()
    conversation = conversations.new_conversation(
        session, workspace_id, message, contact, source_type="phone_switch", delivered_as="automated", state="open"
    )
    link = f'<p>Continue the conversation in the Messenger: <a href="{url}">{url}</a></p>'
    conversations.add_part(session, conversation, "comment", conversations.BOT, body=link)
    contact.last_contacted_at = max(contact.last_contacted_at or 0, message.created_at)
