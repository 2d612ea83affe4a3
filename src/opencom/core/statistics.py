"""Planner statistics for SQLite: ANALYZE when they are missing or the data has outgrown them.

PostgreSQL's autovacuum keeps its statistics current. SQLite has none until ANALYZE runs, and
without them its planner takes `workspace_id = ?` for a very selective test (ten rows), so it
walks a whole workspace in list order rather than use, say, the email index: a search that
should cost one lookup costs one row per contact. `StatisticsKeeper` runs in the server: it
checks at start (before serving) and then every CHECK_SECONDS, and runs ANALYZE when a table holding at least
MIN_ROWS rows has no statistics, or has grown or shrunk by GROWTH times since the last ANALYZE.
The check reads max(rowid) per table (an index seek); ANALYZE reads every index once and holds
the write lock meanwhile (about a second per 300k contacts here), which only happens when the
data has doubled.
"""

from __future__ import annotations

import logging
import threading


from opencom.core.db import Database

log = logging.getLogger(__name__)

CHECK_SECONDS = 600.0
MIN_ROWS = 1000
GROWTH = 2.0


def stale_tables(conn) -> list[str]:
    """Tables whose statistics are missing or off by GROWTH times (SQLite)."""
    tables = conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE '%WITHOUT ROWID%'"
    ).scalars().all()
    has_stats = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar()
    known: dict[str, int] = {}
    if has_stats:
        for table, stat in conn.exec_driver_sql("SELECT tbl, stat FROM sqlite_stat1").all():
            known[table] = max(known.get(table, 0), int((stat or "0").split()[0]))
    stale = []
    for table in tables:
        rows = conn.exec_driver_sql(f'SELECT max(rowid) FROM "{table}"').scalar() or 0
        before = known.get(table)
        if before is None:
            if rows >= MIN_ROWS:
                stale.append(table)
        elif max(rows, before) >= MIN_ROWS and not before / GROWTH <= rows <= before * GROWTH:
            stale.append(table)
    return stale


def refresh(db: Database) -> list[str]:
    """ANALYZE the stale tables now (SQLite; nothing elsewhere). Returns them."""
    if not db.is_sqlite:
        return []
    with db.write_engine.connect() as conn:
        stale = stale_tables(conn)
        for table in stale:
            conn.exec_driver_sql(f'ANALYZE "{table}"')
        conn.commit()
    if stale:
        log.info("ANALYZE %s", ", ".join(stale))
    return stale


class StatisticsKeeper:
    """The server's background check (SQLite only)."""

    def __init__(self, db: Database, interval: float = CHECK_SECONDS) -> None:
        self.db = db
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="opencom-statistics", daemon=True)

    def start(self) -> StatisticsKeeper:
        """Check once now, so that a server started on grown data plans well from its first
        request, then every `interval` seconds in a thread."""
        if self.db.is_sqlite:
            self._check()
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._check()

    def _check(self) -> None:
        try:
            refresh(self.db)
        except Exception:  # a busy or closing database: try again next time
            log.warning("Could not refresh planner statistics", exc_info=True)
