"""Request shapes for contacts, and the serializers that turn contact rows into Intercom's JSON.

A contact's nested lists (tags, notes, companies, subscription types) are read for a whole page
of contacts at once by `nested_lists`: one query for all four lists, whatever the page size.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, field_validator
from sqlalchemy import Select, String, and_, bindparam, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from opencom.contacts.models import Contact, ContactCompany, ContactSubscription, ContactTag
from opencom.core.pagination import Page
from opencom.core.search import DATE_MAX, DATE_MIN, INT64_MAX, INT64_MIN
from opencom.notes.models import Note
from opencom.subscription_types.models import SubscriptionType
from opencom.core.fields import no_nul as _no_nul, not_bool as _not_bool

INLINE_ITEMS = 10  # nested lists show at most this many items; `url` leads to the rest

# --- request field types -------------------------------------------------------------------------


def _number_to_string(value: Any) -> Any:
    # The examples send client ids as numbers too; a JSON number becomes its decimal string.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _text(max_length: int):
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_nul)]


Text255 = _text(255)
Phone = _text(64)
Url = _text(1024)
ExternalId = Annotated[str, BeforeValidator(_number_to_string), Field(min_length=1, max_length=255), AfterValidator(_no_nul)]
Timestamp = Annotated[int, BeforeValidator(_not_bool), Field(ge=DATE_MIN, le=DATE_MAX)]
AdminId = Annotated[int, BeforeValidator(_not_bool), Field(ge=INT64_MIN, le=INT64_MAX)]
ContactId = Annotated[str, BeforeValidator(_number_to_string), Field(max_length=255)]


class ContactFields(BaseModel):
    """The writable fields shared by create and update; unknown keys are ignored, as upstream."""

    model_config = ConfigDict(extra="ignore")

    role: Text255 | None = None
    external_id: ExternalId | None = None
    email: Text255 | None = None
    phone: Phone | None = None
    name: Text255 | None = None
    avatar: Url | None = None
    signed_up_at: Timestamp | None = None
    last_seen_at: Timestamp | None = None
    owner_id: AdminId | None = None
    unsubscribed_from_emails: StrictBool | None = None
    custom_attributes: dict[str, Any] | None = None

    def given(self) -> dict[str, Any]:
        """Only the keys the client sent (an explicit null included), for partial updates."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class CreateContactRequest(ContactFields):
    pass


class UpdateContactRequest(ContactFields):
    pass


class MergeContactsRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    from_: ContactId = Field(alias="from")
    into: ContactId


class SearchPagination(BaseModel):
    model_config = ConfigDict(extra="ignore")

    per_page: Any = None  # checked by check_per_page, which names the field
    starting_after: str | None = None

    @field_validator("per_page")
    @classmethod
    def _per_page_not_null(cls, value: Any) -> Any:
        # Runs only when sent: absent means the default, an explicit null is not an integer.
        if value is None:
            raise ValueError("per_page must be an integer")
        return value


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    query: Any = Field()  # required; compile_query checks its shape
    pagination: SearchPagination | None = None


# --- nested lists --------------------------------------------------------------------------------


@dataclass
class Addressable:
    """At most INLINE_ITEMS ids of one nested list, and how many there are in all."""

    ids: list[str] = field(default_factory=list)
    total: int = 0


@dataclass
class Nested:
    tags: Addressable = field(default_factory=Addressable)
    notes: Addressable = field(default_factory=Addressable)
    companies: Addressable = field(default_factory=Addressable)
    opted_in: Addressable = field(default_factory=Addressable)
    opted_out: Addressable = field(default_factory=Addressable)


def _ranked(kind, contact_col, item_col, order_by: list, partition: list | None = None) -> list:
    """(kind, contact_id, item_id, rank, total): one nested list's rows, numbered per contact."""
    partition = partition or [contact_col]
    return [
        kind.label("kind"),
        contact_col.label("contact_id"),
        cast(item_col, String).label("item_id"),
        func.row_number().over(partition_by=partition, order_by=order_by).label("rank"),
        func.count().over(partition_by=partition).label("total"),
    ]


@functools.cache
def nested_query() -> Select:
    """All four nested lists of a set of contacts as one UNION ALL, built once: constructing a
    windowed subquery costs more CPU than running it, and one statement is one round trip."""
    ids = bindparam("contact_ids", expanding=True)

    def kind(name: str):
        return literal(name, String)

    tags = select(*_ranked(kind("tags"), ContactTag.contact_id, ContactTag.tag_id, [ContactTag.applied_at, ContactTag.tag_id]))
    # Newest notes first, as the notes list shows them.
    notes = select(*_ranked(kind("notes"), Note.contact_id, Note.id, [Note.created_at.desc(), Note.id.desc()]))
    companies = select(*_ranked(
        kind("companies"), ContactCompany.contact_id, ContactCompany.company_id,
        [ContactCompany.created_at, ContactCompany.company_id],
    ))
    # A contact's explicit choices: opted in to an opt_in type, or out of an opt_out one.
    consent = ContactSubscription.consent
    subscriptions = select(*_ranked(
        cast(consent, String), ContactSubscription.contact_id, ContactSubscription.subscription_type_id,
        [ContactSubscription.subscription_type_id], partition=[ContactSubscription.contact_id, consent],
    )).join(
        SubscriptionType,
        and_(SubscriptionType.id == ContactSubscription.subscription_type_id, SubscriptionType.consent_type == consent),
    )
    ranked = union_all(
        tags.where(ContactTag.contact_id.in_(ids)),
        notes.where(Note.contact_id.in_(ids)),
        companies.where(ContactCompany.contact_id.in_(ids)),
        subscriptions.where(ContactSubscription.contact_id.in_(ids)),
    ).subquery()
    return (
        select(ranked.c.kind, ranked.c.contact_id, ranked.c.item_id, ranked.c.total)
        .where(ranked.c.rank <= INLINE_ITEMS)
        .order_by(ranked.c.kind, ranked.c.contact_id, ranked.c.rank)
    )


_LIST_OF_KIND = {
    "tags": lambda n: n.tags, "notes": lambda n: n.notes, "companies": lambda n: n.companies,
    "opt_in": lambda n: n.opted_in, "opt_out": lambda n: n.opted_out,
}


def nested_lists(session: Session, contact_ids: list[str]) -> dict[str, Nested]:
    """The nested lists of every contact in `contact_ids`, in one query (window functions)."""
    if not contact_ids:
        return {}
    return group_nested(session.execute(nested_query(), {"contact_ids": contact_ids}), contact_ids)


def group_nested(rows: Iterable, contact_ids: list[str]) -> dict[str, Nested]:
    """The rows of nested_query() as each contact's Nested lists."""
    found = {contact_id: Nested() for contact_id in contact_ids}
    for row in rows:
        target = _LIST_OF_KIND[row.kind](found[row.contact_id])
        target.ids.append(row.item_id)
        target.total = row.total
    return found


# --- serializers ---------------------------------------------------------------------------------


def _addressable(contact_id: str, items: Addressable, *, item_type: str, item_path: str, list_path: str) -> dict:
    return {
        "type": "list",
        "data": [{"type": item_type, "id": item_id, "url": f"/{item_path}/{item_id}"} for item_id in items.ids],
        "url": f"/contacts/{contact_id}/{list_path}",
        "total_count": items.total,
        "has_more": items.total > len(items.ids),
    }


_PLAIN_FIELDS = (
    "phone", "name", "owner_id", "has_hard_bounced", "marked_email_as_spam", "unsubscribed_from_emails",
    "created_at", "updated_at", "signed_up_at", "last_seen_at", "last_replied_at", "last_contacted_at",
    "last_email_opened_at", "last_email_clicked_at", "language_override", "browser", "browser_version",
    "browser_language", "os",
)
_DEVICE_FIELDS = (
    "android_app_name", "android_app_version", "android_device", "android_os_version", "android_sdk_version",
    "android_last_seen_at", "ios_app_name", "ios_app_version", "ios_device", "ios_os_version", "ios_sdk_version",
    "ios_last_seen_at",
)
_UTM_FIELDS = ("utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term", "referrer")


def contact_json(contact: Contact, workspace_code: str, nested: Nested) -> dict:
    cid = contact.id
    body: dict = {
        "type": "contact",
        "id": cid,
        "workspace_id": workspace_code,
        "external_id": contact.external_id,
        "role": contact.role,
        # The description types email and email_domain as non-null strings: "" when there is none.
        "email": contact.email or "",
        "email_domain": contact.email_domain or "",
        "avatar": {"type": "avatar", "image_url": contact.avatar} if contact.avatar else None,
        "social_profiles": {"type": "list", "data": []},
    }
    body.update({name: getattr(contact, name) for name in _PLAIN_FIELDS})
    body["location"] = {
        "type": "location",
        "country": contact.location_country,
        "region": contact.location_region,
        "city": contact.location_city,
        "country_code": contact.location_country_code,
        "continent_code": contact.location_continent_code,
    }
    body.update({name: getattr(contact, name) for name in _DEVICE_FIELDS})
    body["custom_attributes"] = dict(contact.custom_attributes or {})
    body["tags"] = _addressable(cid, nested.tags, item_type="tag", item_path="tags", list_path="tags")
    body["notes"] = _addressable(cid, nested.notes, item_type="note", item_path="notes", list_path="notes")
    body["companies"] = _addressable(cid, nested.companies, item_type="company", item_path="companies", list_path="companies")
    body["opted_out_subscription_types"] = _addressable(
        cid, nested.opted_out, item_type="subscription", item_path="subscriptions", list_path="subscriptions"
    )
    body["opted_in_subscription_types"] = _addressable(
        cid, nested.opted_in, item_type="subscription", item_path="subscriptions", list_path="subscriptions"
    )
    body.update({name: getattr(contact, name) for name in _UTM_FIELDS})
    return body


def contacts_json(session: Session, contacts: list[Contact], workspace_code: str) -> list[dict]:
    nested = nested_lists(session, [c.id for c in contacts])
    return [contact_json(c, workspace_code, nested[c.id]) for c in contacts]


def one_contact_json(session: Session, contact: Contact, workspace_code: str) -> dict:
    return contacts_json(session, [contact], workspace_code)[0]


def contact_list_json(session: Session, page: Page, workspace_code: str) -> dict:
    return {
        "type": "list",
        "data": contacts_json(session, page.rows, workspace_code),
        "total_count": page.total_count,
        "pages": page.cursor_pages(),
    }


def contact_deleted_json(contact_id: str, external_id: str | None) -> dict:
    return {"type": "contact", "id": contact_id, "external_id": external_id, "deleted": True}


def contact_archived_json(contact: Contact) -> dict:
    return {"type": "contact", "id": contact.id, "external_id": contact.external_id, "archived": contact.archived}

