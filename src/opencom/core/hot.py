"""Hot reads: the few GETs an integration calls most, answered before FastAPI's stack.

GET /contacts/{id} is the call integrations make most (issue #7 measures it against a bare
Starlette app). Through FastAPI it costs ~2 ms of CPU: eight middleware layers, routing,
dependency solving, two threadpool hops and the ORM. A hot route is served by `HotPath`, the
application's outermost layer, with the same protocol as every request (core.protocol: request
id, token, rate limit, Intercom-Version, the workspace's clock, the journal, error.list for any
failure) but with none of that machinery: a regular-expression match, the token and the rows
read with prepared queries (core.prepared) on this thread's own SQLite connection, in the event
loop itself — a WAL read takes no lock and a primary-key read takes microseconds, so a thread
hop would cost more than it saves — and the body rendered with orjson.

Only on SQLite: on PostgreSQL a read is a network round trip, which must not block the loop, so
there every request takes the full path. A handler builds its body with the same serializer
the full route uses, and raises the same ApiError for a missing object; tests compare the two
paths byte for byte (tests/core/test_hot.py). OPENCOM_HOT_READS=false turns the hot path off.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
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
            rate = await protocol.admit_request(scope, state)
            connection = protocol.readers.get()
            if rate is not None:
                headers += rate.header_list()
            with clock.workspace(state["principal"].clock):
                body = orjson.dumps(self._read(route, match, connection, state["principal"]))
        except ApiError as error:
            await protocol.send_error(scope, receive, send, request_id, error, headers)
        except Exception:
            log.exception("unhandled error, request_id=%s", request_id)
            await protocol.send_error(scope, receive, send, request_id, protocol.server_error(request_id), headers)
        else:
            headers += [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        finally:
            if capture is not None:
                capture.finish(state)

    @staticmethod
    def _read(route: HotRoute, match: re.Match[str], connection: Any, principal: Any) -> Any:
        """The handler inside one read transaction: all its queries see one snapshot."""
        connection.execute("BEGIN")
        try:
            return route.handler(connection, principal, match)
        finally:
            connection.execute("COMMIT")
