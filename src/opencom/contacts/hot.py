"""GET /contacts/{id} on the hot path (core.hot): the full route's body, from prepared queries."""

from __future__ import annotations

import functools
import re
from typing import Any

from sqlalchemy import Dialect, bindparam, select

from opencom.contacts.models import Contact
from opencom.contacts.schemas import nested_query, contact_json, group_nested
from opencom.contacts.service import contact_not_found, could_name_a_contact
from opencom.core.hot import HotRoute
from opencom.core.prepared import PreparedQuery

_table = Contact.__table__


@functools.cache
def _queries(dialect: Dialect) -> tuple[PreparedQuery, PreparedQuery]:
    by_id = select(*_table.c).where(_table.c.workspace_id == bindparam("workspace_id"), _table.c.id == bindparam("contact_id"))
    return PreparedQuery(by_id, dialect), PreparedQuery(nested_query(), dialect, lists={"contact_ids": 1})


def show_contact(connection: Any, principal: Any, match: re.Match[str], dialect: Dialect) -> dict:
    by_id, nested = _queries(dialect)
    if not could_name_a_contact(match[1]):
        raise contact_not_found()
    contact = by_id.first(connection, workspace_id=principal.workspace_id, contact_id=match[1])
    if contact is None:
        raise contact_not_found()
    lists = group_nested(nested.all(connection, contact_ids=[contact.id]), [contact.id])
    return contact_json(contact, principal.workspace_code, lists[contact.id])


def routes(dialect: Dialect) -> list[HotRoute]:
    return [HotRoute("GET", re.compile(r"/contacts/([^/]+)"), functools.partial(show_contact, dialect=dialect))]
