"""The protocol every API request goes through: request id, auth, rate limit, version, errors.

`ProtocolMiddleware` is a plain ASGI middleware (no BaseHTTPMiddleware: it would copy every
body through a queue). It gives each request a UUID, authenticates the bearer token, counts the
call against the token's rate-limit window, checks `Intercom-Version`, adds `X-Request-Id` and
the rate-limit headers to the response, and turns any unexpected exception into a logged 500
`error.list`.
"""

from __future__ import annotations

import logging
import math
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opencom.core.auth import authenticate
from opencom.core.clock import clock
from opencom.core.db import Database, LoopReaders
from opencom.core.errors import ApiError, error_body
from opencom.core.models import RateLimitWindow
from opencom.core.responses import JSONResponse

if TYPE_CHECKING:
    from opencom.control.journal import Journal

log = logging.getLogger("opencom")

# Every published version: the official SDKs send 2.11 or 2.14; all are served as 2.10.
API_VERSIONS = frozenset(
    ["1.0", "1.1", "1.2", "1.3", "1.4"] + [f"2.{n}" for n in range(0, 17)] + ["Unstable"]
)
WINDOW_SECONDS = 10
# Paths outside Intercom's API: no token, no rate limit, no version check.
OPEN_PATHS = ("/healthz",)
CONTROL_PREFIX = "/_opencom"


def routable(scope: Scope) -> Scope:
    """The request as routes see it: a NUL in the path (`%00`) becomes U+FFFD. No id holds
    either, so every route answers its own not-found; but PostgreSQL refuses NUL in a text
    parameter, and ids with one were 500s there. The journal keeps the path as sent."""
    path = scope["path"]
    return {**scope, "path": path.replace("\x00", "\ufffd")} if "\x00" in path else scope


@dataclass
class RateState:
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }

    def header_list(self) -> list[tuple[bytes, bytes]]:
        return [(k.lower().encode(), v.encode()) for k, v in self.headers().items()]


@dataclass
class _Lease:
    window: int
    left: int
    seen: int  # the window's count in the database at the last claim, all processes together
    refilling: bool = False


class RateLimiter:
    """Intercom's limit: N calls a minute per app, counted in 10-second windows of N/6 calls.

    The count lives in the database so that every process and server shares it. To keep a
    write off most requests, a process claims calls in small blocks and spends them locally;
    a block is never larger than a twentieth of the window, and a claim never goes past the
    limit, so together the processes can't exceed it (unspent calls of a block are lost when
    the window ends, which errs on the strict side).

    With blocks of REFILL_FROM calls or more, a lease half spent is refilled by a background
    thread, so a call rarely waits for a claim: a claim is a write, which waits its turn
    behind the other processes' writes (a journal flush, a webhook batch) — under load, the
    slowest one percent of all calls, every one of them a call that found its lease empty.
    """

    REFILL_FROM = 4

    def __init__(self, db: Database, per_minute: int) -> None:
        self.db = db
        self.per_window = math.ceil(per_minute / (60 / WINDOW_SECONDS))
        self.block = max(1, min(100, self.per_window // 20))
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, *, claim: bool = True) -> tuple[bool, RateState] | None:
        """Count one call. With claim=False, None instead of claiming a block (a write)."""
        window = int(clock.time()) // WINDOW_SECONDS * WINDOW_SECONDS
        with self._lock:
            lease = self._leases.get(key)
            if lease is None or lease.window != window or lease.left == 0:
                if not claim:
                    return None
                lease = self._claim(key, window, fresh=lease is None or lease.window != window)
                self._leases[key] = lease
            allowed = lease.left > 0
            if allowed:
                lease.left -= 1
            remaining = max(0, self.per_window - lease.seen + lease.left)
            if self.block >= self.REFILL_FROM and lease.left <= self.block // 2 and not lease.refilling:
                lease.refilling = True
                threading.Thread(target=self._refill, args=(key, lease), daemon=True).start()
        return allowed, RateState(self.per_window, remaining, window + WINDOW_SECONDS)

    def _refill(self, key: str, lease: _Lease) -> None:
        try:
            more = self._claim(key, lease.window, fresh=False)
        except Exception:  # the next call that finds the lease empty claims for itself
            log.exception("rate limit: a background claim failed")
            more = None
        with self._lock:
            lease.refilling = False
            if more is not None:
                lease.left += more.left
                lease.seen = more.seen

    def _claim(self, key: str, window: int, *, fresh: bool) -> _Lease:
        table = RateLimitWindow.__table__
        with self.db.transaction() as session:
            if fresh:  # a new window: forget this key's old ones
                old = (table.c.key == key) & (table.c.window_start < window)
                session.execute(delete(table).where(old))
            count = session.execute(self._upsert(session, key, window)).scalar_one()
        before = count - self.block
        granted = max(0, min(self.block, self.per_window - before))
        return _Lease(window, granted, min(count, self.per_window))

    def _upsert(self, session, key: str, window: int):
        table = RateLimitWindow.__table__
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        return (
            insert(table)
            .values(key=key, window_start=window, count=self.block)
            .on_conflict_do_update(
                index_elements=[table.c.key, table.c.window_start],
                set_={"count": table.c["count"] + self.block},
            )
            .returning(table.c["count"])
        )


class ProtocolMiddleware:
    CLAIM_NEEDED = object()  # admit() without a claim: the rate-limit lease must be renewed first

    def __init__(self, app: ASGIApp, db: Database, rate_limiter: RateLimiter | None, journal: Journal | None = None,
                 readers: LoopReaders | None = None) -> None:
        self.app = app
        self.db = db
        self.rate_limiter = rate_limiter
        self.journal = journal
        self.readers = readers  # SQLite: the token is read on the event loop's own connection

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        extra_headers = [(b"x-request-id", request_id.encode())]
        started = False
        # The control plane's request journal (control/journal.py): None when off or not journaled.
        capture = self.journal.capture(scope, request_id) if self.journal is not None else None
        if capture is not None:
            receive, send = capture.wrap(receive, send)

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + extra_headers
            await send(message)

        try:
            path = scope["path"]
            if not (path in OPEN_PATHS or path.startswith(CONTROL_PREFIX)):
                rate = await self.admit_request(scope, state)
                if rate is not None:
                    extra_headers += rate.header_list()
            # The workspace's own clock for everything the request reads the time for (a
            # context variable: FastAPI's threadpool copies it into sync routes).
            principal = state.get("principal")
            with clock.workspace(principal.clock if principal is not None else None):
                await self.app(routable(scope), receive, send_with_headers)
        except ApiError as error:
            await self.send_error(scope, receive, send_with_headers, request_id, error)
        except Exception:
            log.exception("unhandled error, request_id=%s", request_id)
            if started:  # too late for an error body; the client sees a cut response
                raise
            await self.send_error(scope, receive, send_with_headers, request_id, self.server_error(request_id))
        finally:
            if capture is not None:
                capture.finish(state)

    async def admit_request(self, scope: Scope, state: dict) -> RateState | None:
        """`admit`, on the event loop when it has a connection there (SQLite: an indexed read
        costs less than a thread hop), else in a thread; a rate-limit claim, a write, always
        in a thread."""
        if self.readers is None:
            return await anyio.to_thread.run_sync(self.admit, scope, state)
        rate = self.admit(scope, state, connection=self.readers.get())
        if rate is self.CLAIM_NEEDED:
            rate = await anyio.to_thread.run_sync(self.count_call, scope, state["principal"])
        return rate

    def admit(self, scope: Scope, state: dict, connection: Any = None) -> RateState | None | object:
        """Authenticate, count the call, check the version; raise ApiError to refuse.

        With a DBAPI `connection` (core.hot, on the event loop) the token is read on it, and
        CLAIM_NEEDED is returned instead of writing a new rate-limit claim: the caller then
        finishes with `count_call` in a thread."""
        authorization = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        principal = authenticate(self.db, authorization.decode("latin-1"), connection)
        state["principal"] = principal
        return self.count_call(scope, principal, claim=connection is None)

    def count_call(self, scope: Scope, principal: Any, claim: bool = True) -> RateState | None | object:
        """The rate limit and the version check, for an authenticated call."""
        rate = None
        if self.rate_limiter is not None:
            with clock.workspace(principal.clock):  # rate-limit windows follow the workspace's clock
                hit = self.rate_limiter.hit(f"token:{principal.token_id}", claim=claim)
            if hit is None:
                return self.CLAIM_NEEDED
            allowed, rate = hit
            if not allowed:
                raise ApiError(429, "rate_limit_exceeded", "You have exceeded the rate limit. Please try again later.", headers=rate.headers())
        version = next((v for k, v in scope["headers"] if k == b"intercom-version"), None)
        if version is not None and version.decode("latin-1").strip() not in API_VERSIONS:
            raise ApiError(400, "intercom_version_invalid", "The requested version could not be found", field="Intercom-Version")
        return rate

    @staticmethod
    def server_error(request_id: str) -> ApiError:
        return ApiError(500, "server_error", "An unexpected error occurred. Request id: " + request_id)

    async def send_error(self, scope, receive, send, request_id: str, error: ApiError, extra_headers: list = ()) -> None:
        """An error.list answer, carrying `extra_headers` too (X-Request-Id, rate-limit headers)."""
        response = JSONResponse(error_body(request_id, [error.error_item()]), error.status, error.headers)
        response.raw_headers += extra_headers
        await response(scope, receive, send)
