"""A workspace's whole state as one JSON document, and back.

    {"opencom_snapshot": 1,
     "workspace": {id_code, name, region, timezone, identity_verification, is_default, created_at},
     "tables": {table: [row, ...]}}

Tables come in metadata order (parents first), rows sorted by primary key (byte order for
strings on every database), columns in table order; rows leave out `workspace_id`, which an
import sets to the target workspace, so a fixture doesn't depend on the workspace it came from.
Dumped with a fixed layout, export -> import -> export gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, Column, Float, Integer, Numeric, String, Table, collate, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencom.control import sequences
from opencom.control.tables import DATA, TRANSIENT_KIND, Scoped, clear, in_workspace, scoped_tables, tables_of
from opencom.core.errors import ApiError, parameter_invalid, parameter_not_found
from opencom.workspaces.models import ApiToken, Workspace
from opencom.workspaces.service import owner_admin_id

FORMAT = 1
# Workspace fields an import applies. is_default stays: which workspace is the server's default
# is not part of its data. id_code is applied only when no other workspace uses it.
IMPORTED_WORKSPACE_FIELDS = ("id_code", "name", "region", "timezone", "identity_verification", "created_at")
# The workspace's clock is control state, not data: a snapshot neither carries nor restores it.
UNEXPORTED_WORKSPACE_FIELDS = ("id", "clock_frozen_at", "clock_offset")
ID_CHUNK = 500  # ids per IN (...) list when looking for conflicts


def dump(document: dict) -> bytes:
    """The one serialisation of a snapshot (HTTP and CLI): indented, keys in insertion order."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def export_workspace(session: Session, workspace: Workspace) -> dict:
    fields = {str(c.name): getattr(workspace, c.key) for c in Workspace.__table__.columns if c.name not in UNEXPORTED_WORKSPACE_FIELDS}
    tables = {str(entry.table.name): list(_rows(session, entry, workspace.id)) for entry in tables_of(DATA)}
    return {"opencom_snapshot": FORMAT, "workspace": fields, "tables": tables}


def _rows(session: Session, entry: Scoped, workspace_id: int) -> Iterator[dict]:
    table = entry.table
    columns = _exported_columns(table)
    order = [_byte_order(session, c) for c in table.primary_key.columns]
    query = select(*columns).where(in_workspace(entry, workspace_id)).order_by(*order)
    for row in session.execute(query):
        yield {str(c.name): value for c, value in zip(columns, row)}


def _exported_columns(table: Table) -> list[Column]:
    return [c for c in table.columns if c.name != "workspace_id"]


def _byte_order(session: Session, column: Column):
    # PostgreSQL sorts text by locale; "C" is byte order, SQLite's default, so both agree.
    if isinstance(column.type, String) and session.bind.dialect.name == "postgresql":
        return collate(column, "C")
    return column


def import_workspace(session: Session, workspace: Workspace, document: Any) -> dict[str, int]:
    """Replace the workspace's data with the document's; returns the rows imported per table."""
    tables = _check_document(document)
    token_admins = dict(session.execute(select(ApiToken.id, ApiToken.admin_id).where(ApiToken.workspace_id == workspace.id)).all())
    clear(session, workspace.id, DATA, TRANSIENT_KIND)
    _apply_workspace_fields(session, workspace, document.get("workspace", {}))
    counts = {}
    for entry in tables_of(DATA):
        rows = [dict(row, workspace_id=workspace.id) if entry.via is None else row for row in tables[entry.table.name]]
        _check_parents(entry, rows, tables)
        _check_free_ids(session, entry, rows)
        _insert(session, entry.table, rows)
        counts[str(entry.table.name)] = len(rows)
    for entry in tables_of(DATA):
        _check_references(session, entry, workspace.id)
    _restore_token_admins(session, workspace.id, token_admins)
    sequences.advance(session, [entry.table for entry in tables_of(DATA)])
    return counts


# -- checking the document -------------------------------------------------------------------


def _check_document(document: Any) -> dict[str, list[dict]]:
    if not isinstance(document, dict):
        raise ApiError(400, "bad_request", "A snapshot must be a JSON object.")
    if "opencom_snapshot" not in document:
        raise parameter_not_found("opencom_snapshot is required", "opencom_snapshot")
    if document["opencom_snapshot"] != FORMAT or isinstance(document["opencom_snapshot"], bool):
        raise parameter_invalid(f"opencom_snapshot must be {FORMAT}", "opencom_snapshot")
    workspace = document.get("workspace", {})
    if not isinstance(workspace, dict):
        raise parameter_invalid("workspace must be an object", "workspace")
    _check_workspace_fields(workspace)
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise parameter_not_found("tables is required (an object of table name to rows)", "tables")
    exported = {entry.table.name: entry.table for entry in tables_of(DATA)}
    for name in tables:
        if name not in exported:
            raise parameter_invalid(f"{name} is not a table a snapshot holds", f"tables.{name}")
    return {name: _check_rows(table, tables.get(name, [])) for name, table in exported.items()}


def _check_workspace_fields(fields: dict) -> None:
    columns = Workspace.__table__.c
    for name, value in fields.items():
        if name == "id" or name not in columns:
            raise parameter_invalid(f"workspace.{name} is not a workspace field", f"workspace.{name}")
        _check_value(columns[name], value, f"workspace.{name}")


def _check_rows(table: Table, rows: Any) -> list[dict]:
    where = f"tables.{table.name}"
    if not isinstance(rows, list):
        raise parameter_invalid(f"{where} must be a list of rows", where)
    return [_check_row(table, row, f"{where}[{index}]") for index, row in enumerate(rows)]


def _check_row(table: Table, row: Any, where: str) -> dict:
    if not isinstance(row, dict):
        raise parameter_invalid(f"{where} must be an object", where)
    for name in row:
        if name not in table.c:
            raise parameter_invalid(f"{where}.{name} is not a column of {table.name}", f"{where}.{name}")
    checked = {}
    for column in _exported_columns(table):
        if column.name in row:
            checked[column.name] = _check_value(column, row[column.name], f"{where}.{column.name}")
        else:  # a fixture written before the column existed: its default, as a new row gets
            checked[column.name] = _missing_value(column, f"{where}.{column.name}")
    return checked


def _missing_value(column: Column, where: str) -> Any:
    default = column.default
    if default is not None and default.is_scalar:
        return default.arg
    if column.nullable:
        return None
    raise parameter_not_found(f"{where} is required", where)


def _check_value(column: Column, value: Any, where: str) -> Any:
    """The value must fit the column: a wrong type is a 400 here, not a database error later."""
    if value is None:
        if not column.nullable:
            raise parameter_invalid(f"{where} must not be null", where)
        return None
    kind = column.type
    if isinstance(kind, JSON):
        return value
    if isinstance(kind, Boolean):
        ok = isinstance(value, bool)
    elif isinstance(kind, Integer):
        ok = isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    elif isinstance(kind, (Float, Numeric)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif isinstance(kind, String):
        ok = isinstance(value, str) and (kind.length is None or len(value) <= kind.length)
    else:
        ok = True
    if not ok:
        raise parameter_invalid(f"{where} must be {_describe(column)}", where)
    return value


def _describe(column: Column) -> str:
    kind = column.type
    if isinstance(kind, Boolean):
        return "a boolean"
    if isinstance(kind, Integer):
        return "an integer"
    if isinstance(kind, String) and kind.length is not None:
        return f"a string of at most {kind.length} characters"
    return "a string" if isinstance(kind, String) else "a number"


# -- writing ---------------------------------------------------------------------------------


def _apply_workspace_fields(session: Session, workspace: Workspace, fields: dict) -> None:
    for name in IMPORTED_WORKSPACE_FIELDS:
        if name not in fields or (fields[name] is None and not Workspace.__table__.c[name].nullable):
            continue
        if name == "id_code" and _id_code_taken(session, fields[name], workspace.id):
            continue
        setattr(workspace, name, fields[name])
    session.flush()


def _id_code_taken(session: Session, code: str, workspace_id: int) -> bool:
    query = select(Workspace.id).where(Workspace.id_code == code, Workspace.id != workspace_id)
    return session.scalar(query.limit(1)) is not None


def _check_free_ids(session: Session, entry: Scoped, rows: list[dict]) -> None:
    """Ids are global: after clearing this workspace, an id still present is another workspace's."""
    keys = list(entry.table.primary_key.columns)
    if entry.via is not None or len(keys) != 1 or not rows:
        return  # join tables' keys are their parents' ids, checked with the parents
    key = keys[0]
    ids = [row[key.name] for row in rows]
    for start in range(0, len(ids), ID_CHUNK):
        taken = session.scalar(select(key).where(key.in_(ids[start:start + ID_CHUNK])).limit(1))
        if taken is not None:
            raise ApiError(409, "conflict", f"{entry.table.name} id {taken} already belongs to another workspace", f"tables.{entry.table.name}")


def _check_parents(entry: Scoped, rows: list[dict], tables: dict[str, list[dict]]) -> None:
    """A join-table row must hang off a row of the snapshot: its parent decides its workspace."""
    if entry.via is None:
        return
    parent = entry.via.column
    known = {row[parent.name] for row in tables[parent.table.name]}
    for index, row in enumerate(rows):
        if row[entry.via.parent.name] not in known:
            where = f"tables.{entry.table.name}[{index}].{entry.via.parent.name}"
            raise parameter_invalid(f"{where} is not a {parent.table.name} row of the snapshot", where)


def _insert(session: Session, table: Table, rows: list[dict]) -> None:
    if not rows:
        return
    try:
        session.execute(insert(table), rows)
    except IntegrityError as exc:
        detail = str(exc.orig).strip().splitlines()[0]
        raise parameter_invalid(f"tables.{table.name} breaks a constraint: {detail}", f"tables.{table.name}") from None


def _check_references(session: Session, entry: Scoped, workspace_id: int) -> None:
    """A row may only point at rows of its own workspace (a foreign key alone allows any)."""
    scoped = scoped_tables()
    for key in entry.table.foreign_keys:
        target = scoped.get(key.column.table.name)
        if target is None or key is entry.via:
            continue
        mine = select(key.column).where(in_workspace(target, workspace_id))
        stray = select(key.parent).where(in_workspace(entry, workspace_id), key.parent.is_not(None), key.parent.not_in(mine))
        bad = session.scalar(stray.limit(1))
        if bad is not None:
            where = f"tables.{entry.table.name}"
            raise parameter_invalid(f"{where}: {key.parent.name} {bad} is not a {key.column.table.name} row of the snapshot", where)


def _restore_token_admins(session: Session, workspace_id: int, before: dict[int, int | None]) -> None:
    """Tokens keep their admin when the snapshot has it; the others act as the owner."""
    from opencom.admins.models import Admin

    admins = set(session.scalars(select(Admin.id).where(Admin.workspace_id == workspace_id)))
    owner = owner_admin_id(session, workspace_id)
    for token_id, admin_id in before.items():
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(admin_id=admin_id if admin_id in admins else owner))
