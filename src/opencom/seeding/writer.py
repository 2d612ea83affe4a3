"""The bulk writer behind `opencom seed`: batches of row tuples into the database, fast.

It holds one connection of the Database's write engine for the whole run, so SQLite transactions
still open with BEGIN IMMEDIATE and a running server keeps working between batches.
- SQLite: the driver's executemany of one prepared INSERT per table (no per-row ORM or bind
  processing), with synchronous=OFF and a bigger page cache on this connection while seeding;
  both are put back afterwards. A crash mid-seed can lose only the last batches, never corrupt
  the database (WAL still protects it).
- PostgreSQL: COPY ... FROM STDIN through psycopg's `cursor.copy()`, with synchronous_commit off
  for the seeding transactions.
Each batch is one transaction, so a running server keeps working between batches.

Bulk mode (`bulk()`, for big seeds into a table that is small next to them): the whole seed is one
transaction, which drops the tables' non-unique indexes first and recreates them, from their own
DDL, at the end. Building an index from sorted data beats inserting into it row by row; unique
indexes (and primary keys) stay, so uniqueness is checked all along. Since the DROPs are part of
the transaction, a seed that fails or is killed rolls back whole: no index is ever left out.
The price: the tables are locked for writers (SQLite) or for everyone (PostgreSQL) meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opencom.core.db import Database

# Pragmas of the seeding connection while it seeds; what they were is put back afterwards.
SQLITE_PRAGMAS = (
    ("synchronous", "OFF"),
    ("cache_size", "-65536"),  # 64 MB: measured faster than 128 MB, and less memory
    ("temp_store", "DEFAULT"),  # index builds sort in temp files, not in memory
    ("threads", "2"),  # a helper thread for those sorts
)


class BulkWriter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.sqlite = db.is_sqlite
        self.in_bulk = False
        self.reserved: dict[str, int] = {}  # SQLite: the highest id reserved per table

    def __enter__(self) -> BulkWriter:
        self.conn = self.db.write_engine.connect()
        self.raw = self.conn.connection.dbapi_connection
        if self.sqlite:
            self._pragmas(seeding=True)
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.sqlite:
                self._pragmas(seeding=False)
        finally:
            self.conn.close()

    def _pragmas(self, *, seeding: bool) -> None:
        # On the driver connection, outside any transaction (PRAGMA synchronous can't change in one).
        if seeding:
            self.saved = {name: self.raw.execute(f"PRAGMA {name}").fetchone()[0] for name, _ in SQLITE_PRAGMAS}
        for name, during in SQLITE_PRAGMAS:
            self.raw.execute(f"PRAGMA {name}={during if seeding else self.saved[name]}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One batch's transaction (in bulk mode, the batch is part of the bulk transaction)."""
        if self.in_bulk:
            yield
            return
        with self.conn.begin():
            if not self.sqlite:
                self.conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            yield

    @contextmanager
    def bulk(self, tables: Sequence[str], on_index=None) -> Iterator[None]:
        """Everything inside is one transaction, with the non-unique indexes of `tables` dropped
        and made again at the end; `on_index(count)` is called before and after each is made."""
        with self.conn.begin():
            if not self.sqlite:
                self.conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            dropped = [index for table in tables for index in self._secondary_indexes(table)]
            for name, _ in dropped:
                self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
            self.in_bulk = True
            try:
                yield
            finally:
                self.in_bulk = False
            if on_index:
                on_index(len(dropped))
            for _, ddl in dropped:
                self.conn.exec_driver_sql(ddl)
                if on_index:
                    on_index(None)

    def _secondary_indexes(self, table: str) -> list[tuple[str, str]]:
        """(name, CREATE INDEX statement) of the table's indexes that enforce nothing."""
        if self.sqlite:
            # sql is NULL for the automatic indexes behind PRIMARY KEY and UNIQUE constraints.
            rows = self.conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table,),
            )
            return [(name, sql) for name, sql in rows if not sql.lstrip().upper().startswith("CREATE UNIQUE")]
        rows = self.conn.exec_driver_sql(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relname = %(t)s AND t.relnamespace = current_schema()::regnamespace"
            " AND NOT x.indisunique AND NOT x.indisprimary ORDER BY i.relname",
            {"t": table},
        )
        return [(name, ddl) for name, ddl in rows]

    def reserve_ids(self, table: str, count: int) -> list[int]:
        """`count` fresh integer ids of `table` for rows the batch inserts with explicit ids (their
        children need them). Call inside `transaction()`."""
        if count == 0:
            return []
        if self.sqlite:
            # The write lock is held, so nothing else takes ids until the batch commits; explicit ids
            # above sqlite_sequence move it on (AUTOINCREMENT), so deleted ids are never reused.
            # Ids handed out but not written yet (the batch generated ahead) count as taken too.
            top = self.conn.exec_driver_sql(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), "
                f"coalesce((SELECT max(id) FROM {table}), 0))", (table,)
            ).scalar()
            top = max(top, self.reserved.get(table, 0))
            self.reserved[table] = top + count
            return list(range(top + 1, top + 1 + count))
        rows = self.conn.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %(n)s)", {"n": count}
        )
        return sorted(row[0] for row in rows)

    def write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            cursor = self.raw.cursor()
            try:
                cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
            finally:
                cursor.close()
            return
        with self.raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def analyze(self, tables: Sequence[str], *, key_only: bool = False) -> None:
        """Fresh planner statistics for the tables just filled (PostgreSQL; autovacuum would get
        there later, but searches run right after a seed should get the right plans now).
        `key_only`: just the row counts and the `id` column, which is what foreign-key checks
        need, at a fraction of the cost."""
        if self.sqlite:
            return
        with self.transaction():
            for table in tables:
                self.conn.exec_driver_sql(f'ANALYZE "{table}"' + (" (id)" if key_only else ""))
