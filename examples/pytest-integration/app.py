"""The integration code of an imaginary shop: what its backend does with Intercom.

Nothing here knows about Opencom. In production the client points at api.intercom.io; in the
tests it points at Opencom (see tests/test_integration.py), through the same official SDK.
"""

from __future__ import annotations

import os

from intercom import Intercom
from intercom.conversations import ConversationsManageRequestBody_Snoozed
from intercom.types import CreateContactRequestWithEmail, SingleFilterSearchRequest

WELCOME_SUBJECT = "Welcome to the shop, {name}!"


def client_from_env() -> Intercom:
    """Production wiring: INTERCOM_TOKEN, and INTERCOM_BASE_URL only to point elsewhere."""
    base_url = os.environ.get("INTERCOM_BASE_URL")
    return Intercom(token=os.environ["INTERCOM_TOKEN"], **({"base_url": base_url} if base_url else {}))


def find_or_create_customer(client: Intercom, email: str, name: str | None = None):
    """Our customers are Intercom users keyed by email: sign-ups must not make duplicates."""
    found = list(client.contacts.search(query=SingleFilterSearchRequest(field="email", operator="=", value=email)))
    if found:
        return found[0]
    return client.contacts.create(request=CreateContactRequestWithEmail(email=email, name=name))


def welcome_customer(client: Intercom, email: str, name: str):
    """On sign-up: the customer exists in Intercom and gets a welcome email from the team."""
    customer = find_or_create_customer(client, email, name)
    admin = client.admins.identify()
    client.messages.create(request={
        "message_type": "email",
        "template": "personal",
        "subject": WELCOME_SUBJECT.format(name=name),
        "body": f"Hi {name}, thanks for signing up. Reply to this email if anything is unclear.",
        "from": {"type": "admin", "id": admin.id},
        "to": {"type": "user", "id": customer.id},
    })
    return customer


def report_problem(client: Intercom, email: str, text: str) -> str:
    """The shop's contact form: the customer's message starts a conversation; returns its id."""
    customer = find_or_create_customer(client, email)
    created = client.conversations.create(from_={"type": "user", "id": customer.id}, body=text)
    return created.conversation_id


def wait_for_customer(client: Intercom, conversation_id: str, until: int) -> None:
    """Support is waiting on the customer: snooze the conversation until `until` (unix seconds)."""
    admin = client.admins.identify()
    client.conversations.manage(
        conversation_id=conversation_id,
        request=ConversationsManageRequestBody_Snoozed(admin_id=admin.id, snoozed_until=until),
    )
