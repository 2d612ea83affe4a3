"""Id sequences after explicit-id inserts (snapshot import) and a full reset.

PostgreSQL draws integer ids from a sequence per table; SQLite tables declared AUTOINCREMENT
(core.db.never_reuse_sqlite_ids) keep theirs in sqlite_sequence, which an explicit larger id
moves on by itself.
"""

from __future__ import annotations

from sqlalchemy import Table, text
from sqlalchemy.orm import Session


def advance(session: Session, tables: list[Table]) -> None:
    """Move each sequence past the largest id, never backwards (others may hold later ids)."""
    if session.bind.dialect.name != "postgresql":
        return  # SQLite moves sqlite_sequence on explicit inserts
    for table, column, sequence in _pg_sequences(session, tables):
        highest = f"(SELECT MAX({column}) FROM {table})"
        session.execute(text(f"SELECT setval('{sequence}', GREATEST({highest}, (SELECT last_value FROM {sequence}))) WHERE {highest} IS NOT NULL"))


def restart(session: Session, tables: list[Table]) -> None:
    """Start each sequence again after the largest id left (1 in an empty table).

    Only safe while nobody else can insert: a full reset holds the tables locked (PostgreSQL)
    or the database's write lock (SQLite). With OPENCOM_SEED this makes ids repeat run after run.
    """
    if session.bind.dialect.name == "postgresql":
        for table, column, sequence in _pg_sequences(session, tables):
            session.execute(text(f"SELECT setval('{sequence}', COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"))
        return
    if session.scalar(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")) is None:
        return  # no AUTOINCREMENT table: SQLite ids are max(id) + 1 already
    quote = session.bind.dialect.identifier_preparer.quote
    for table in tables:
        column = table.autoincrement_column
        if column is not None:
            highest = f"(SELECT COALESCE(MAX({quote(column.name)}), 0) FROM {quote(table.name)})"
            session.execute(text(f"UPDATE sqlite_sequence SET seq = {highest} WHERE name = :name"), {"name": table.name})


def _pg_sequences(session: Session, tables: list[Table]):
    """(quoted table, quoted column, sequence name) of each table with an integer id sequence."""
    quote = session.bind.dialect.identifier_preparer.quote
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = session.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name})
        if sequence is not None:
            yield quote(table.name), quote(column.name), sequence
