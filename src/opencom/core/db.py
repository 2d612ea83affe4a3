"""Engine, sessions and the declarative base shared by every domain's models.

JSON columns are read with orjson (~5× faster than the standard library's json.loads, which
was a tenth of a contact read); they are still written by SQLAlchemy's default serializer.

SQLite runs in WAL mode with foreign keys on. Requests that write open their transaction with
BEGIN IMMEDIATE: a deferred transaction that reads first and writes later fails at once with
SQLITE_BUSY when another writer committed in between, while an immediate one waits its turn.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from sqlalchemy import BigInteger, Engine, Integer, MetaData, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Integer primary keys: BIGINT on PostgreSQL, but the rowid alias INTEGER on SQLite so that
# autoincrement works there.
IdInteger = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def never_reuse_sqlite_ids(metadata: MetaData) -> None:
    """SQLite hands a deleted row's integer id to the next insert unless the table says
    AUTOINCREMENT; a stale id would then name a different object. PostgreSQL sequences never
    go back, so this only changes SQLite's DDL."""
    for table in metadata.tables.values():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement in (True, "auto"):
            table.dialect_options["sqlite"]["autoincrement"] = True


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, json_deserializer=orjson.loads
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        # Hand transaction control to SQLAlchemy's begin event below.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # 1 MB of page cache per connection instead of 2: a worker keeps ~15 connections, and
        # pages missing here come from the OS page cache anyway (keeps RSS < 300 MB, issue #7).
        cur.execute("PRAGMA cache_size=-1024")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover
        if immediate:
            _queue_for_the_write_lock(conn)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if immediate and path and path != ":memory:":
        _write_queue(engine, f"{path}-writelock")
    return engine


# SQLite's busy handler makes a writer that finds the database locked sleep 1, 2, 5, 10, 25, 50,
# 100 ms... before it looks again, however soon the lock was released: with `serve --workers 2`
# a write waiting on the other process took ~100 ms at the median. So writers first queue on an
# flock of a file beside the database, which wakes the next waiter the moment the holder lets
# go. Each pooled connection has its own descriptor (an flock is per open file, so two
# connections of one process exclude each other too); the lock is taken before BEGIN IMMEDIATE
# and let go when the connection goes back to the pool, after its commit or rollback.
_LOCK_FD = "opencom_write_lock_fd"


def _write_queue(engine: Engine, lock_path: str) -> None:
    @event.listens_for(engine, "connect")
    def _open_lock(_dbapi_conn, record):  # pragma: no cover - exercised by every write
        record.info[_LOCK_FD] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)

    @event.listens_for(engine, "checkin")
    def _release(_dbapi_conn, record):  # pragma: no cover
        fd = record.info.get(_LOCK_FD)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)

    @event.listens_for(engine, "close")
    def _close_lock(_dbapi_conn, record):  # pragma: no cover
        fd = record.info.pop(_LOCK_FD, None)
        if fd is not None:
            os.close(fd)


def _queue_for_the_write_lock(conn) -> None:
    fd = conn.connection.info.get(_LOCK_FD)  # the pool entry's info, shared with its proxies
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks this thread only; the holder's checkin wakes it


def commit_and_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


class Database:
    """One per server process: the engines and the session factories built on them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = _sqlite_engine(url, immediate=False)
            self.write_engine = _sqlite_engine(url, immediate=True)
        else:
            self.engine = create_engine(
                url, pool_size=10, max_overflow=20, pool_pre_ping=True, json_deserializer=orjson.loads
            )
            self.write_engine = self.engine
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)

    def session(self, *, write: bool = True) -> Session:
        return (self._write if write else self._read)()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work: commit when the block ends, roll back if it raises."""
        session = self.session(write=write)
        try:
            yield session
        except BaseException:
            rollback_and_close(session)
            raise
        commit_and_close(session)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


class LoopReaders:
    """One SQLite connection per event-loop thread, for the reads done on the loop itself
    (core.protocol's token check, core.hot): taken from the read engine once (its connect hooks
    set WAL, foreign keys...) and kept. A WAL read takes no lock, and a primary-key read costs
    less than the hop to a worker thread."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def get(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self.db.engine.raw_connection()
            self._local.connection = connection
            with self._lock:
                self._all.append(connection)
        return connection.dbapi_connection

    def close(self) -> None:
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()
        self._local = threading.local()
