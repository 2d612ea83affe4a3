"""What contact searches can filter on: the contacts FieldTable for core.search.

`contact_condition` compiles a search query into a WHERE clause over `Contact`; the search
endpoint uses it, and so do stored segment queries (opencom.segments).

Fields are those of BEHAVIOUR's Contacts "Search fields", plus the corrected spellings of
upstream's typos (`andoid_sdk_version` and `android_sdk_version` both work; `ios_app_device` is
the `ios_device` column). Dates compare by calendar day in the workspace timezone
(DateMode.DAY). `custom_attributes.<name>` fields are typed by the workspace's data attribute
definitions; an undefined name is a 400. `tag_id` takes `=` and `!=` only; `segment_id` takes
`=` and `!=`, and asks opencom.segments for the segment's condition.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from opencom.contacts.models import Contact, ContactTag
from opencom.core.errors import parameter_invalid
from opencom.core.search import ATTRIBUTE_SEARCH_TYPES, DateMode, FieldTable, FieldType, SearchField, compile_query, json_value
from opencom.data_attributes.service import custom_definitions

S, I, B, D = FieldType.STRING, FieldType.INTEGER, FieldType.BOOLEAN, FieldType.DATE

_COLUMNS: dict[str, tuple[FieldType, Any]] = {
    "id": (S, Contact.id),
    "role": (S, Contact.role),
    "name": (S, Contact.name),
    "avatar": (S, Contact.avatar),
    "email": (S, Contact.email),
    "email_domain": (S, Contact.email_domain),
    "phone": (S, Contact.phone),
    "external_id": (S, Contact.external_id),
    "language_override": (S, Contact.language_override),
    "browser": (S, Contact.browser),
    "browser_language": (S, Contact.browser_language),
    "os": (S, Contact.os),
    "location.country": (S, Contact.location_country),
    "location.region": (S, Contact.location_region),
    "location.city": (S, Contact.location_city),
    "ios_app_version": (S, Contact.ios_app_version),
    "ios_device": (S, Contact.ios_device),
    "ios_app_device": (S, Contact.ios_device),
    "ios_os_version": (S, Contact.ios_os_version),
    "ios_app_name": (S, Contact.ios_app_name),
    "ios_sdk_version": (S, Contact.ios_sdk_version),
    "android_app_version": (S, Contact.android_app_version),
    "android_device": (S, Contact.android_device),
    "android_app_name": (S, Contact.android_app_name),
    "andoid_sdk_version": (S, Contact.android_sdk_version),
    "android_sdk_version": (S, Contact.android_sdk_version),
    "owner_id": (I, Contact.owner_id),
    "unsubscribed_from_emails": (B, Contact.unsubscribed_from_emails),
    "marked_email_as_spam": (B, Contact.marked_email_as_spam),
    "has_hard_bounced": (B, Contact.has_hard_bounced),
    "created_at": (D, Contact.created_at),
    "signed_up_at": (D, Contact.signed_up_at),
    "updated_at": (D, Contact.updated_at),
    "last_seen_at": (D, Contact.last_seen_at),
    "last_contacted_at": (D, Contact.last_contacted_at),
    "last_replied_at": (D, Contact.last_replied_at),
    "last_email_opened_at": (D, Contact.last_email_opened_at),
    "last_email_clicked_at": (D, Contact.last_email_clicked_at),
    "ios_last_seen_at": (D, Contact.ios_last_seen_at),
    "android_last_seen_at": (D, Contact.android_last_seen_at),
}


CUSTOM_PREFIX = "custom_attributes."
EQUALITY_ONLY = frozenset({"=", "!="})


def workspace_tz(name: str | None) -> tzinfo:
    """The workspace timezone for day comparisons; UTC when unset or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _tag_filter(op: str, value: str | None) -> ColumnElement[bool]:
    """`id IN (contacts holding that tag)`; `= null` means "has no tag at all".

    IN rather than a correlated EXISTS: the database can start from the tag's rows in
    ix_contact_tags_tag_contact instead of probing once per contact of the workspace.
    """
    if value is None:
        tagged = sa.exists().where(ContactTag.contact_id == Contact.id)
        return ~tagged if op == "=" else tagged
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        matches = sa.false()  # tag ids are integers: no tag has this id
    else:
        holders = sa.select(ContactTag.contact_id).where(ContactTag.tag_id == int(value))
        matches = Contact.id.in_(holders)
    return matches if op == "=" else sa.not_(matches)


def single_tag(query: Any) -> int | None:
    """The tag id when the search query is exactly `tag_id = <tag id>`, else None: the one shape
    whose matches can be counted from an index alone (contacts.service._tag_total)."""
    if not isinstance(query, dict) or set(query) != {"field", "operator", "value"}:
        return None
    value = query["value"]
    if query["field"] != "tag_id" or query["operator"] != "=" or not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    value = str(value)
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _segment_filter(session: Session, workspace_id: int):
    def build(op: str, value: str | None) -> ColumnElement[bool]:
        if value is None:
            raise parameter_invalid("segment_id needs a segment id, not null", "query")
        from opencom.segments.service import segment_condition  # segments compile with this module

        condition = segment_condition(session, workspace_id, value, over="contact")
        # As a subquery, so that `!=` is exact even where the condition is NULL for a row.
        members = sa.select(Contact.id).where(Contact.workspace_id == workspace_id, condition).correlate(None)
        return Contact.id.in_(members) if op == "=" else Contact.id.not_in(members)

    return build


def contact_field_table(session: Session, workspace_id: int, tz: tzinfo | str | None = None) -> FieldTable:
    """The searchable contact fields of one workspace (its custom attributes included).

    `tz` is accepted for symmetry with contact_condition; the compiler takes the timezone.
    """
    fields = {name: SearchField(kind, column) for name, (kind, column) in _COLUMNS.items()}
    fields["tag_id"] = SearchField(S, build=_tag_filter, operators=EQUALITY_ONLY)
    fields["segment_id"] = SearchField(S, build=_segment_filter(session, workspace_id), operators=EQUALITY_ONLY)
    definitions = custom_definitions(session, workspace_id, "contact")

    def custom(name: str) -> SearchField | None:
        key = name.removeprefix(CUSTOM_PREFIX)
        if key == name:
            return None
        definition = definitions.get(key)
        if definition is None:
            raise parameter_invalid(f"Unknown custom attribute '{key}'")
        kind = ATTRIBUTE_SEARCH_TYPES.get(definition.data_type, FieldType.STRING)
        return SearchField(kind, json_value(Contact.custom_attributes, key, kind))

    return FieldTable(fields, date_mode=DateMode.DAY, dynamic=custom)


def contact_condition(
    session: Session, workspace_id: int, query: Any, tz: tzinfo | str | None = None, *, path: str = "query"
) -> ColumnElement[bool]:
    """The WHERE clause (over Contact) for a contact search query; raises 400 on a bad query.

    It does not restrict the workspace or leave out archived contacts: callers add that.
    """
    zone = tz if isinstance(tz, tzinfo) else workspace_tz(tz)
    return compile_query(query, contact_field_table(session, workspace_id, zone), tz=zone, path=path)
