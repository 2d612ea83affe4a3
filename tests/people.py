"""Arranging people data directly in the database, for tests that need it before (or without) the API."""

from __future__ import annotations

from opencom.companies.models import Company
from opencom.contacts.models import Contact
from opencom.core.clock import now
from opencom.core.ids import hex_id


def make_contact(db, workspace_id: int, **fields) -> str:
    values = {"role": "user", "created_at": now(), "updated_at": now(), "custom_attributes": {}}
    values.update(fields)
    if values.get("email") and "email_domain" not in fields:
        values["email_domain"] = values["email"].rsplit("@", 1)[-1]
    contact = Contact(id=hex_id(), workspace_id=workspace_id, **values)
    with db.transaction() as session:
        session.add(contact)
    return contact.id


def make_company(db, workspace_id: int, company_id: str, **fields) -> str:
    values = {"name": company_id, "created_at": now(), "updated_at": now(), "custom_attributes": {}, "user_count": 0, "session_count": 0}
    values.update(fields)
    company = Company(id=hex_id(), workspace_id=workspace_id, company_id=company_id, **values)
    with db.transaction() as session:
        session.add(company)
    return company.id
