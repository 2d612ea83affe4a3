"""Hot reads: the few GETs an integration calls most, answered before FastAPI's stack.

GET /contacts/{id} is the call integrations make most (issue #7 measures it against a bare
Starlette app). Through FastAPI it costs ~2 ms of CPU: eight middleware layers, routing,
dependency solving, two threadpool hops and the ORM. A hot route is served by `HotPath`, the
application's outermost layer, with the same protocol as every request (core.protocol: request
id, token, rate limit, Intercom-Version, the workspace's clock, the journal, error.list for any
failure) but with none of that machinery: a regular-expression match, the token and the rows
read with prepared queries (core.prepared), and the body rendered with orjson.

On SQLite all of it runs in the event loop itself, on the loop's own connection (core.db's
LoopReaders): a WAL read takes no lock and a primary-key read takes microseconds, less than a
thread hop. On PostgreSQL a read is a network round trip, which must not block the loop: the
token check and the read share one thread hop and one pooled connection.

A handler builds its body with the same serializer the full route uses, and raises the same
ApiError for a missing object; tests compare the two paths byte for byte on both databases
(tests/core/test_hot.py). OPENCOM_HOT_READS=false turns the hot path off.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from anyio import to_thread
from starlette.types import Receive, Scope, Send

from opencom.core.clock import clock
from opencom.core.errors import ApiError

log = logging.getLogger("opencom")

# (connection, principal, path match) -> the response body; raises ApiError to refuse.
Handler = Callable[[Any, Any, "re.Match[str]"], Any]


@dataclass(frozen=True)
class HotRoute:
    method: str
    path: re.Pattern[str]
    handler: Handler


class HotPath:
    """Called first for every request (opencom.app): answers a hot route's, passes on the rest."""

    def __init__(self, protocol: Any, routes: list[HotRoute]) -> None:
        # core.protocol.ProtocolMiddleware: admission, errors, the journal, the loop's connection
        self.protocol = protocol
        self.routes = routes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve the request if a hot route matches it; False: it is not a hot one."""
        if scope["type"] == "http":
            for route in self.routes:
                if scope["method"] == route.method and (match := route.path.fullmatch(scope["path"])):
                    await self._serve(route, match, scope, receive, send)
                    return True
        return False

    async def _serve(self, route: HotRoute, match: re.Match[str], scope: Scope, receive: Receive, send: Send) -> None:
        protocol = self.protocol
        request_id = str(uuid.uuid4())
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        capture = protocol.journal.capture(scope, request_id) if protocol.journal is not None else None
        if capture is not None:
            receive, send = capture.wrap(receive, send)
        headers = [(b"x-request-id", request_id.encode())]
        try:
            body = await self._answer(route, match, scope, state)
        except ApiError as error:
            await protocol.send_error(scope, receive, send, request_id, error, headers + _rate_headers(state))
        except Exception:
            log.exception("unhandled error, request_id=%s", request_id)
            error = protocol.server_error(request_id)
            await protocol.send_error(scope, receive, send, request_id, error, headers + _rate_headers(state))
        else:
            headers += _rate_headers(state)
            headers += [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        finally:
            if capture is not None:
                capture.finish(state)

    async def _answer(self, route: HotRoute, match: re.Match[str], scope: Scope, state: dict) -> bytes:
        protocol = self.protocol
        if protocol.readers is None:  # PostgreSQL: admission and the read in one thread hop
            return await to_thread.run_sync(self._admit_and_read, route, match, scope, state)
        state["rate"] = await protocol.admit_request(scope, state)
        connection = protocol.readers.get()
        connection.execute("BEGIN")  # one snapshot for all the handler's queries
        try:
            return self._read(route, match, connection, state)
        finally:
            connection.execute("COMMIT")

    def _admit_and_read(self, route: HotRoute, match: re.Match[str], scope: Scope, state: dict) -> bytes:
        protocol = self.protocol
        pooled = protocol.db.engine.raw_connection()
        try:
            connection = pooled.dbapi_connection  # its transaction begins with the token query
            rate = protocol.admit(scope, state, connection=connection)
            if rate is protocol.CLAIM_NEEDED:
                rate = protocol.count_call(scope, state["principal"])
            state["rate"] = rate
            return self._read(route, match, connection, state)
        finally:
            pooled.close()  # back to the pool, which rolls the read transaction back

    @staticmethod
    def _read(route: HotRoute, match: re.Match[str], connection: Any, state: dict) -> bytes:
        principal = state["principal"]
        with clock.workspace(principal.clock):
            return orjson.dumps(route.handler(connection, principal, match))


def _rate_headers(state: dict) -> list[tuple[bytes, bytes]]:
    rate = state.get("rate")
    return rate.header_list() if rate is not None else []
