"""Expression indexes on custom attributes, made at run time when an attribute is defined.

Custom attribute values live in the JSON column `custom_attributes`. A search on one compiles
to `json_value(column, name, type)` (core.search); an index on `(workspace_id, <that exact
expression>)` lets both databases answer `=`, `IN`, `<`, `>` and day ranges on it from the index.
There is one index per attribute name and search type, shared by every workspace that defines
the name (on SQLite partial on `expression IS NOT NULL`, so rows without the attribute cost nothing).

Indexes are never dropped (another workspace may use the same name) and are not workspace data,
so reset and snapshots leave them alone. A table gets at most MAX_INDEXES of them: past that,
searches stay correct, only unindexed. See docs/decisions.md, "Search indexes".
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from opencom.core.search import ATTRIBUTE_SEARCH_TYPES, FieldType, json_index_ddl

log = logging.getLogger(__name__)

# Each index costs a B-tree write per insert, and per update of custom_attributes (on SQLite only
# for rows holding the attribute), so their number is bounded.
MAX_INDEXES = 100

# model -> (table, JSON column)
TABLES = {"contact": ("contacts", "custom_attributes"), "company": ("companies", "custom_attributes")}


# (database, index) pairs known to exist in this process: an existing name costs no query.
_known: set[tuple[str, str]] = set()


def ensure_attribute_index(session: Session, model: str, name: str, data_type: str) -> str | None:
    """Create the index for a custom attribute of `model` unless it exists; its name, or None
    when none is made (no such model, a name JSON paths can't spell, or the cap is reached).

    Runs inside the caller's transaction: on SQLite the CREATE INDEX is part of the write that
    defines the attribute; on PostgreSQL it holds a SHARE lock on the table until commit, which
    only a new name across all workspaces pays for.
    """
    if model not in TABLES or '"' in name:
        return None
    table, column = TABLES[model]
    bind = session.get_bind()
    index, ddl = json_index_ddl(table, column, name, ATTRIBUTE_SEARCH_TYPES.get(data_type, FieldType.STRING), bind.dialect)
    known = (str(getattr(bind, "engine", bind).url), index)  # an Engine, or a Connection in a migration
    if known in _known:
        return index
    existing = _json_indexes(session, table)
    if index not in existing:
        if len(existing) >= MAX_INDEXES:
            return None
        try:
            with session.begin_nested():
                session.execute(text(ddl))
        except DBAPIError:
            # Two transactions creating the same new index at once: one of them wins, and a
            # search is correct without the index anyway.
            log.warning("Could not create index %s", index, exc_info=True)
            return None
    _known.add(known)
    return index


def _json_indexes(session: Session, table: str) -> set[str]:
    prefix = f"ix_{table}_json_%"
    if session.get_bind().dialect.name == "postgresql":
        query = (
            "SELECT indexname FROM pg_indexes"
            " WHERE schemaname = current_schema() AND tablename = :t AND indexname LIKE :p"
        )
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND name LIKE :p"
    return set(session.scalars(text(query), {"t": table, "p": prefix}))
