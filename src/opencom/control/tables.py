"""Which tables hold a workspace's data, derived from the SQLAlchemy metadata.

A table belongs to a workspace when it has a `workspace_id` column, or hangs off such a table
through a foreign key (join tables such as contact_tags or team_memberships). The metadata can't
say what a table is *for*, so a few tables are named here:

- KEPT: the workspace's tokens and webhook subscriptions (configuration) survive a reset and
  are never in a snapshot;
- TRANSIENT: per-workspace state (open scrolls, the request journal, webhook deliveries and
  their log) that a reset or an import empties, never exported;
- GLOBAL: tables that are not workspace data at all (rate-limit windows are keyed by token).

Every other workspace table is data: emptied by a reset, exported and imported by snapshots.
Tables added by later domains are covered by the rule without a change here; a table that is
neither scoped nor named shows up in `unclassified()` (and fails the control-plane tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import ColumnElement, ForeignKey, Table, delete, select, true
from sqlalchemy.orm import Session

import opencom.models  # noqa: F401  (registers every table on the metadata)
from opencom.core.db import Base

WORKSPACES = "workspaces"
KEPT = frozenset({"api_tokens", "webhook_subscriptions"})
TRANSIENT = frozenset({"scroll_cursors", "journal_entries", "webhook_deliveries", "webhook_attempts"})
GLOBAL = frozenset({"rate_limit_windows", "journal_marks"})

DATA, TRANSIENT_KIND, KEPT_KIND = "data", "transient", "kept"


@dataclass(frozen=True)
class Scoped:
    table: Table
    kind: str
    # How the table reaches its workspace: None when it has a workspace_id column, else the
    # foreign key to the parent table it hangs off.
    via: ForeignKey | None


@cache
def scoped_tables() -> dict[str, Scoped]:
    """Every workspace table, parents before children (metadata.sorted_tables order)."""
    found: dict[str, Scoped] = {}
    for table in Base.metadata.sorted_tables:
        if table.name == WORKSPACES or table.name in GLOBAL:
            continue
        if "workspace_id" in table.c:
            found[table.name] = Scoped(table, _named_kind(table.name) or DATA, None)
            continue
        via = _parent_key(table, found)
        if via is not None:
            parent = found[via.column.table.name]
            found[table.name] = Scoped(table, _named_kind(table.name) or parent.kind, via)
    return found


def unclassified() -> list[str]:
    """Tables that are neither workspace tables nor named as global: a decision is missing."""
    known = set(scoped_tables()) | GLOBAL | {WORKSPACES}
    return sorted(t.name for t in Base.metadata.sorted_tables if t.name not in known)


def tables_of(*kinds: str) -> list[Scoped]:
    return [entry for entry in scoped_tables().values() if entry.kind in kinds]


def in_workspace(entry: Scoped, workspace_id: int | None) -> ColumnElement[bool]:
    """The rows of `entry` that belong to the workspace (every workspace when None)."""
    if workspace_id is None:
        return true()
    if entry.via is None:
        return entry.table.c.workspace_id == workspace_id
    parent = scoped_tables()[entry.via.column.table.name]
    return entry.via.parent.in_(select(entry.via.column).where(in_workspace(parent, workspace_id)))


def clear(session: Session, workspace_id: int | None, *kinds: str) -> None:
    """Delete the workspace's rows of the given kinds, children first, one statement a table."""
    for entry in reversed(tables_of(*kinds)):
        session.execute(delete(entry.table).where(in_workspace(entry, workspace_id)))


def _named_kind(name: str) -> str | None:
    if name in KEPT:
        return KEPT_KIND
    if name in TRANSIENT:
        return TRANSIENT_KIND
    return None


def _parent_key(table: Table, found: dict[str, Scoped]) -> ForeignKey | None:
    """The first single-column foreign key (in column order) to a workspace table."""
    for column in table.columns:
        for key in column.foreign_keys:
            if key.column.table.name in found and len(key.constraint.columns) == 1:
                return key
    return None
