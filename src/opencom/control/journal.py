"""The request journal: every Intercom API call and its answer, for a test to look back at.

The request path does as little as it can. ProtocolMiddleware asks `Journal.capture()` for a
`Capture`, which keeps references to the body chunks (the first BODY_LIMIT bytes each way) and
the response's start message; when the response is done it appends one `Raw` record to an
in-memory buffer. Decoding, header redaction and the database write happen later, in a
background thread that drains the buffer every FLUSH_INTERVAL seconds (sooner once BATCH records
wait) in one transaction, and prunes each workspace it touched to the newest `max_entries`. So a
GET stays a read: no request holds SQLite's write lock for the journal's sake.

The journal is in the database so that every server process (`serve --workers N`) shares it.
A query first flushes this process's buffer (a test sees the call it just made); records still
buffered in *other* processes arrive within one interval. Whatever clears a journal (reset,
snapshot import, workspace delete, DELETE /_opencom/requests) calls `mark_cleared` first; every
flush then drops records of requests that arrived before the mark, in whichever process they
were still buffered.

Not journaled: the control plane (/_opencom) and /healthz. A request refused before its token
named a workspace (401) is kept with workspace_id NULL. Bodies are those the server read and
sent, as UTF-8 text cut at BODY_LIMIT bytes (`*_body_truncated` says so); a binary body (a gzip
download) is stored as NULL with its size. The Authorization header keeps its scheme only.

`created_at` is wall time (time.time()), not core.clock: the journal records when requests
really happened, and a frozen or shifted workspace clock would make since/until useless (every
entry at the same frozen second). Order is the order entries were recorded (their id).
"""

from __future__ import annotations

import collections
import functools
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, bindparam, delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from starlette.types import Message, Receive, Scope, Send

from opencom.control.models import JournalEntry, JournalMark
from opencom.core.db import Database
from opencom.core.errors import parameter_invalid

log = logging.getLogger("opencom.journal")

BODY_LIMIT = 64 * 1024  # bytes kept of each body
FLUSH_INTERVAL = 0.15  # seconds between flushes while records wait
BATCH = 500  # records that wake the flusher before its interval is up
BUFFER_CAP = 20_000  # records held in memory at most (the database is down: oldest dropped)
SKIPPED_PATHS = ("/healthz",)
SKIPPED_PREFIX = "/_opencom"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization"})
REDACTED = "[redacted]"

ALL_WORKSPACES = 0  # the JournalMark of a clear that covered every workspace
# PostgreSQL: flushes share this advisory lock, a clear takes it alone (see mark_cleared).
_PG_LOCK_KEY = 0x0C0FFEE + 10

_table = JournalEntry.__table__
_marks = JournalMark.__table__


@dataclass(slots=True)
class Raw:
    """One finished request as captured: nothing decoded yet."""

    workspace_id: int | None
    request_id: str
    method: str
    path: str
    query: bytes
    status: int | None
    duration_ms: float
    request_headers: list
    request_chunks: list
    request_size: int
    response_headers: list
    response_chunks: list
    response_size: int
    created_at: float


class Capture:
    """What one request leaves in the journal; `wrap` the ASGI receive/send, then `finish`."""

    __slots__ = ("journal", "scope", "request_id", "created_at", "started", "request_chunks", "request_size",
                 "status", "response_headers", "response_chunks", "response_size")

    def __init__(self, journal: Journal, scope: Scope, request_id: str) -> None:
        self.journal, self.scope, self.request_id = journal, scope, request_id
        self.created_at = time.time()  # wall time, not core.clock: see created_at in the docstring
        self.started = time.perf_counter()
        self.request_chunks: list[bytes] = []
        self.request_size = 0
        self.status: int | None = None
        self.response_headers: list = []
        self.response_chunks: list[bytes] = []
        self.response_size = 0

    def wrap(self, receive: Receive, send: Send) -> tuple[Receive, Send]:
        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.request_size = _keep(self.request_chunks, self.request_size, message.get("body", b""))
            return message

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.response_headers = message.get("headers", [])
            elif message["type"] == "http.response.body":
                self.response_size = _keep(self.response_chunks, self.response_size, message.get("body", b""))
            await send(message)

        return receive_and_keep, send_and_keep

    def finish(self, state: dict) -> None:
        principal = state.get("principal")
        scope = self.scope
        self.journal.add(Raw(
            getattr(principal, "workspace_id", None), self.request_id, scope["method"], scope["path"],
            scope.get("query_string", b""), self.status, (time.perf_counter() - self.started) * 1000,
            scope["headers"], self.request_chunks, self.request_size, self.response_headers,
            self.response_chunks, self.response_size, self.created_at,
        ))


def _keep(chunks: list[bytes], size: int, data: bytes) -> int:
    """Keep the part of `data` still under BODY_LIMIT; return the body's full size so far."""
    if data and size < BODY_LIMIT:
        chunks.append(data[: BODY_LIMIT - size])
    return size + len(data)


class Journal:
    """One per server process: the buffer, its flusher thread, and the reads."""

    def __init__(self, db: Database, *, enabled: bool = True, max_entries: int = 10_000) -> None:
        self.db = db
        self.enabled = enabled
        self.max_entries = max(1, max_entries)
        self._buffer: collections.deque[Raw] = collections.deque(maxlen=BUFFER_CAP)
        self._lock = threading.Lock()  # guards the buffer
        self._flush_lock = threading.Lock()  # one flush at a time, so a query waits for one under way
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    # -- capture (the request path) ----------------------------------------------------------

    def capture(self, scope: Scope, request_id: str) -> Capture | None:
        path = scope["path"]
        if not self.enabled or path in SKIPPED_PATHS or path.startswith(SKIPPED_PREFIX):
            return None
        return Capture(self, scope, request_id)

    def add(self, raw: Raw) -> None:
        with self._lock:
            self._buffer.append(raw)
            waiting = len(self._buffer)
        if waiting >= BATCH:
            self._wake.set()

    # -- the flusher -------------------------------------------------------------------------

    def start(self) -> None:
        if self.enabled and self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="opencom-journal", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Write what is buffered and end the thread (app shutdown)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping = True
            self._wake.set()
            thread.join(timeout=10)
        self.flush()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(FLUSH_INTERVAL)
            self._wake.clear()
            if self._buffer and not self._stopping:
                self.flush()

    def flush(self) -> int:
        """Write the buffered records in one transaction and prune; the number written."""
        with self._flush_lock:
            with self._lock:
                batch = list(self._buffer)
                self._buffer.clear()
            if not batch:
                return 0
            rows = [_row(raw) for raw in batch]
            try:
                with self.db.transaction() as session:
                    rows = _after_marks(session, rows)
                    if rows:
                        _insert_many(session, rows)
                    for workspace_id in {row["workspace_id"] for row in rows}:
                        _prune(session, workspace_id, self.max_entries)
            except Exception:  # the database is away: losing journal lines beats failing requests
                log.exception("journal: %d entries could not be written and are lost", len(rows))
                return 0
            return len(rows)


def mark_cleared(session: Session, workspace_id: int | None) -> None:
    """In the transaction that clears a workspace's journal (every one when None), before it
    deletes: from now on a flush, in any process, drops entries of requests that arrived earlier.

    SQLite: both hold the database's write lock, so they can't interleave. PostgreSQL: the clear
    takes the advisory lock exclusively, so a flush under way commits first (its rows are then
    deleted by the clear) or starts after (and sees the mark)."""
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    insert_ = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    key = ALL_WORKSPACES if workspace_id is None else workspace_id
    upsert = insert_(_marks).values(workspace_id=key, cleared_at=time.time())
    session.execute(upsert.on_conflict_do_update(index_elements=[_marks.c.workspace_id], set_={"cleared_at": upsert.excluded.cleared_at}))


def _after_marks(session: Session, rows: list[dict]) -> list[dict]:
    """The rows of requests that arrived after their workspace's journal was last cleared."""
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": _PG_LOCK_KEY})
    keys = {ALL_WORKSPACES} | {row["workspace_id"] for row in rows if row["workspace_id"] is not None}
    marks = dict(session.execute(select(_marks.c.workspace_id, _marks.c.cleared_at).where(_marks.c.workspace_id.in_(keys))).all())
    everyone = marks.get(ALL_WORKSPACES, 0.0)
    return [row for row in rows if row["created_at"] >= max(everyone, marks.get(row["workspace_id"], 0.0))]


_COLUMNS = [c.name for c in _table.columns if c.name != "id"]


@functools.cache
def _insert_sql(dialect) -> tuple[str, list[str] | None]:
    """The INSERT as the driver takes it, and the parameter order for a positional driver."""
    compiled = insert(_table).values({name: bindparam(name) for name in _COLUMNS}).compile(dialect=dialect)
    return compiled.string, list(compiled.positiontup) if compiled.positional else None


def _insert_many(session: Session, rows: list[dict]) -> None:
    """One executemany on the driver's cursor: SQLAlchemy's per-row parameter processing was
    most of a flush's CPU (~30 µs a row), taken from the requests the journal records."""
    sql, order = _insert_sql(session.bind.dialect)
    params = [tuple(row[name] for name in order) for row in rows] if order is not None else rows
    cursor = session.connection().connection.cursor()
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def _prune(session: Session, workspace_id: int | None, keep: int) -> None:
    """Delete all but the newest `keep` entries of the workspace (one statement)."""
    scope = _workspace_is(workspace_id)
    cutoff = select(_table.c.id).where(scope).order_by(_table.c.id.desc()).offset(keep).limit(1).scalar_subquery()
    session.execute(delete(_table).where(scope, _table.c.id <= cutoff))


def _workspace_is(workspace_id: int | None) -> ColumnElement[bool]:
    return _table.c.workspace_id.is_(None) if workspace_id is None else _table.c.workspace_id == workspace_id


# -- decoding (in the flusher thread) ----------------------------------------------------------


def _row(raw: Raw) -> dict:
    # A NUL in the path (a 404) is kept percent-encoded: PostgreSQL text can't hold one, and a
    # batch that fails to insert is lost whole.
    request_body, request_cut = _body(raw.request_chunks, raw.request_size)
    response_body, response_cut = _body(raw.response_chunks, raw.response_size)
    return {
        "workspace_id": raw.workspace_id, "request_id": raw.request_id, "method": raw.method,
        "path": raw.path.replace("\x00", "%00"), "query": raw.query.decode("latin-1"), "status": raw.status,
        "duration_ms": round(raw.duration_ms, 3), "request_headers": orjson.dumps(_headers(raw.request_headers)).decode(),
        "request_body": request_body, "request_body_size": raw.request_size, "request_body_truncated": request_cut,
        "response_headers": orjson.dumps(_headers(raw.response_headers)).decode(), "response_body": response_body,
        "response_body_size": raw.response_size, "response_body_truncated": response_cut,
        "created_at": raw.created_at,
    }


def _headers(pairs: list) -> dict[str, str]:
    """Names lower-cased, repeats joined with ", ", secrets reduced to their scheme."""
    headers: dict[str, str] = {}
    for name, value in pairs:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        if key in SECRET_HEADERS:
            scheme, space, _ = text.strip().partition(" ")
            text = f"{scheme} {REDACTED}" if space else REDACTED
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _body(chunks: list[bytes], size: int) -> tuple[str | None, bool]:
    """(UTF-8 text or None, truncated). None for an empty or binary body."""
    data = b"".join(chunks)
    truncated = size > len(data)
    if not data:
        return None, truncated
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        # The cut may split a multi-byte character: drop its first bytes, still text.
        if not (truncated and error.start >= len(data) - 3):
            return None, truncated
        try:
            text = data[: error.start].decode("utf-8")
        except UnicodeDecodeError:
            return None, truncated
    if "\x00" in text:  # PostgreSQL text can't hold NUL: this is not a text body anyway
        return None, truncated
    return text, truncated


# -- reads (GET/DELETE /_opencom/requests) -----------------------------------------------------

MAX_LIMIT = 1000
_STATUS = re.compile(r"([1-5])(?:xx|XX|\d\d)")


@dataclass
class Filters:
    workspace_id: int | None = None
    method: str | None = None
    path: str | None = None
    path_prefix: str | None = None
    status: str | None = None  # "404", or a class: "4xx"
    since: float | None = None
    until: float | None = None
    request_id: str | None = None

    def where(self, query: Select) -> Select:
        c = _table.c
        if self.workspace_id is not None:
            query = query.where(c.workspace_id == self.workspace_id)
        if self.method:
            query = query.where(c.method == self.method.upper())
        if self.path is not None:
            query = query.where(c.path == self.path)
        if self.path_prefix:  # substr, not LIKE: case-sensitive on SQLite too, no wildcards
            query = query.where(func.substr(c.path, 1, len(self.path_prefix)) == self.path_prefix)
        if self.status is not None:
            query = query.where(self._status())
        if self.since is not None:
            query = query.where(c.created_at >= self.since)
        if self.until is not None:
            query = query.where(c.created_at <= self.until)
        if self.request_id:
            query = query.where(c.request_id == self.request_id)
        return query

    def _status(self) -> ColumnElement[bool]:
        match = _STATUS.fullmatch(self.status.strip())
        if match is None:
            raise parameter_invalid("status must be a status code (404) or a class (4xx)", "status")
        if self.status.strip()[1:].lower() == "xx":
            low = int(match.group(1)) * 100
            return _table.c.status.between(low, low + 99)
        return _table.c.status == int(self.status)


def list_entries(session: Session, filters: Filters, *, limit: int, order: str) -> tuple[list[dict], int]:
    ordering = _table.c.id.asc() if order == "asc" else _table.c.id.desc()
    rows = session.execute(filters.where(select(_table)).order_by(ordering).limit(limit)).mappings().all()
    total = session.scalar(filters.where(select(func.count()).select_from(_table)))
    return [entry_json(row) for row in rows], total


def clear(session: Session, workspace_id: int | None) -> int:
    mark_cleared(session, workspace_id)
    query = delete(_table)
    if workspace_id is not None:
        query = query.where(_table.c.workspace_id == workspace_id)
    return session.execute(query).rowcount


def entry_json(row: Any) -> dict:
    request_headers, response_headers = orjson.loads(row["request_headers"]), orjson.loads(row["response_headers"])
    return {
        "type": "request",
        "id": row["id"],
        "request_id": row["request_id"],
        "workspace_id": row["workspace_id"],
        "method": row["method"],
        "path": row["path"],
        "query": row["query"],
        "status": row["status"],
        "duration_ms": row["duration_ms"],
        "request_headers": request_headers,
        "request_body": _body_json(row["request_body"], request_headers, row["request_body_truncated"]),
        "request_body_size": row["request_body_size"],
        "request_body_truncated": row["request_body_truncated"],
        "response_headers": response_headers,
        "response_body": _body_json(row["response_body"], response_headers, row["response_body_truncated"]),
        "response_body_size": row["response_body_size"],
        "response_body_truncated": row["response_body_truncated"],
        "created_at": row["created_at"],
    }


def _body_json(text: str | None, headers: dict, truncated: bool) -> Any:
    """A complete JSON body as JSON; anything else (plain text, a cut body) as the string."""
    content_type = headers.get("content-type")
    if text is None or truncated or (content_type is not None and "json" not in content_type):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text
