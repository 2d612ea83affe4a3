"""Serializers for data events and their summaries."""

from __future__ import annotations

from datetime import datetime, timezone

from opencom.contacts.models import Contact
from opencom.data_events.models import DataEvent, DataEventSummary


def iso_time(seconds: int) -> str:
    """Unix seconds as Intercom writes summary times: 2014-01-16T23:12:21.000+00:00."""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def _identity(contact: Contact) -> dict:
    # The schema types these as non-null strings, so a missing one is left out.
    body = {"intercom_user_id": contact.id}
    if contact.external_id is not None:
        body["user_id"] = contact.external_id
    if contact.email is not None:
        body["email"] = contact.email
    return body


def event_json(event: DataEvent, contact: Contact) -> dict:
    return {
        "type": "event", "event_name": event.event_name, "created_at": event.created_at,
        **_identity(contact), "metadata": event.metadata_ or {},
    }


def event_list_json(events: list[DataEvent], contact: Contact, pages: dict) -> dict:
    return {"type": "event.list", "events": [event_json(e, contact) for e in events], "pages": pages}


def summary_item_json(row: DataEventSummary) -> dict:
    item = {"name": row.event_name, "first": iso_time(row.first), "last": iso_time(row.last), "count": row.count}
    if row.description is not None:
        item["description"] = row.description
    return item


def summary_json(rows: list[DataEventSummary], contact: Contact) -> dict:
    return {"type": "event.summary", **_identity(contact), "events": [summary_item_json(r) for r in rows]}
