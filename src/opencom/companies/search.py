"""Searching companies: the field table company segments (and any company filter) compile against.

Dates compare by calendar day in the workspace timezone, as contact search does, so a segment
reads the same whether it holds contacts or companies.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from opencom.companies.models import Company, CompanyTag
from opencom.contacts.models import Contact, ContactCompany
from opencom.contacts.search import workspace_tz
from opencom.core.search import ATTRIBUTE_SEARCH_TYPES, DateMode, FieldTable, FieldType, SearchField, compile_query, json_value
from opencom.data_attributes.service import custom_definitions

CUSTOM_PREFIX = "custom_attributes."


def user_count() -> ColumnElement[int]:
    """The number of users attached to the company, counted in SQL.

    Counted at read time rather than kept in `companies.user_count`: contacts are deleted and
    merged by another domain (their join rows go by cascade), and a count derived from the join
    table can never drift.
    """
    return (
        sa.select(sa.func.count())
        .select_from(ContactCompany)
        .join(Contact, Contact.id == ContactCompany.contact_id)
        .where(ContactCompany.company_id == Company.id, Contact.role == "user")
        .correlate(Company)
        .scalar_subquery()
    )


def has_users() -> ColumnElement[bool]:
    """Companies with at least one user: the only ones lists and scroll show."""
    return sa.exists(
        sa.select(1)
        .select_from(ContactCompany)
        .join(Contact, Contact.id == ContactCompany.contact_id)
        .where(ContactCompany.company_id == Company.id, Contact.role == "user")
        .correlate(Company)
    )


def _tagged(op: str, value: Any) -> ColumnElement[bool]:
    values = value if isinstance(value, list) else [value]
    # Tag ids are digit strings; anything else can match no tag.
    ids = [int(v) for v in values if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) < 19]
    tagged = sa.exists(
        sa.select(1).where(CompanyTag.company_id == Company.id, CompanyTag.tag_id.in_(ids)).correlate(Company)
    )
    if value is None:
        tagged = sa.exists(sa.select(1).where(CompanyTag.company_id == Company.id).correlate(Company))
        return tagged if op == "!=" else sa.not_(tagged)
    return sa.not_(tagged) if op in ("!=", "NIN") else tagged


STATIC_FIELDS: dict[str, SearchField] = {
    "name": SearchField(FieldType.STRING, Company.name),
    "company_id": SearchField(FieldType.STRING, Company.company_id),
    "plan": SearchField(FieldType.STRING, Company.plan_name),
    "industry": SearchField(FieldType.STRING, Company.industry),
    "website": SearchField(FieldType.STRING, Company.website),
    "size": SearchField(FieldType.INTEGER, Company.size),
    "monthly_spend": SearchField(FieldType.INTEGER, Company.monthly_spend),
    "session_count": SearchField(FieldType.INTEGER, Company.session_count),
    "created_at": SearchField(FieldType.DATE, Company.created_at),
    "updated_at": SearchField(FieldType.DATE, Company.updated_at),
    "last_request_at": SearchField(FieldType.DATE, Company.last_request_at),
    "remote_created_at": SearchField(FieldType.DATE, Company.remote_created_at),
    "tag_id": SearchField(FieldType.STRING, build=_tagged, operators=frozenset({"=", "!=", "IN", "NIN"})),
}


def company_field_table(session: Session, workspace_id: int) -> FieldTable:
    definitions = None

    def custom(name: str) -> SearchField | None:
        nonlocal definitions
        if not name.startswith(CUSTOM_PREFIX):
            return None
        if definitions is None:  # loaded once per compile, only when a custom field is used
            definitions = custom_definitions(session, workspace_id, "company")
        key = name[len(CUSTOM_PREFIX):]
        definition = definitions.get(key)
        if definition is None or definition.archived:
            return None
        kind = ATTRIBUTE_SEARCH_TYPES[definition.data_type]
        return SearchField(kind, json_value(Company.custom_attributes, key, kind))

    fields = dict(STATIC_FIELDS)
    fields["user_count"] = SearchField(FieldType.INTEGER, user_count())
    return FieldTable(fields, date_mode=DateMode.DAY, dynamic=custom)


def company_condition(session: Session, workspace_id: int, query: Any, tz: tzinfo | str = "UTC") -> ColumnElement[bool]:
    """The WHERE clause over Company for a search query; 400 parameter_invalid when it is bad.

    It does not restrict the workspace or hide archived companies: callers add those.
    """
    zone = workspace_tz(tz) if isinstance(tz, str) else tz  # an unknown name counts as UTC, as for contacts
    return compile_query(query, company_field_table(session, workspace_id), tz=zone)
