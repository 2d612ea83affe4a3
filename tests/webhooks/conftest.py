"""Webhook test fixtures: a real HTTP receiver, subscriptions on the control plane, fast retries.

    def test_something(api, workspace, receiver, subscribe):
        subscribe(workspace, ["contact.user.created"])
        api.post("/contacts", json={"email": "a@example.com"})
        [event] = receiver.wait_for(1)          # signatures checked with the stdlib hmac
        assert event["topic"] == "contact.user.created"

The receiver listens on a free loopback port (stdlib http.server in a thread) and records every
request: headers, raw body, and whether X-Hub-Signature matched the body under its secret.
`receiver.script(...)` makes it answer the next requests with given statuses, headers or hangs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from opencom.webhooks import delivery

SECRET = "opencom-test-secret"


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    received: float  # time.monotonic()
    answered: int | None = None  # the status sent back; None for a hang

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0  # seconds to hold the request before answering (cut short at shutdown)
    body: bytes = b"ok"


class Receiver:
    """A webhook endpoint that records what arrives; answers 200 unless scripted otherwise."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.requests: list[Request] = []
        self._script: list[Answer] = []
        self._lock = threading.Condition()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver._handle(self, body)

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    # -- behaviour -------------------------------------------------------------------------

    def script(self, *answers: Answer | int) -> None:
        """Answer the next requests so (an int is a status); then 200 again."""
        with self._lock:
            self._script.extend(a if isinstance(a, Answer) else Answer(a) for a in answers)

    def fail(self, times: int, status: int = 500) -> None:
        self.script(*[status] * times)

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        expected = "sha1=" + hmac.new(self.secret.encode(), body, hashlib.sha1).hexdigest()
        given = handler.headers.get("X-Hub-Signature", "")
        request = Request(handler.path, dict(handler.headers.items()), body, hmac.compare_digest(expected, given), time.monotonic())
        with self._lock:
            answer = self._script.pop(0) if self._script else Answer()
            self.requests.append(request)
            self._lock.notify_all()
        if answer.hang and self._released.wait(answer.hang):
            return  # shutting down: drop the connection unanswered
        try:
            handler.send_response(answer.status)
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(answer.body)))
            handler.end_headers()
            handler.wfile.write(answer.body)
            request.answered = answer.status
        except OSError:  # the sender gave up (timeout) before the answer
            pass

    # -- looking -------------------------------------------------------------------------

    def wait_for(self, n: int, timeout: float = 10.0, *, signed: bool = True) -> list[dict]:
        """The first `n` notifications received (parsed), waiting up to `timeout` seconds for
        them; every signature is checked unless signed=False."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    topics = [r.json.get("topic") for r in self.requests]
                    raise AssertionError(f"waited {timeout} s for {n} notifications, got {len(self.requests)}: {topics}")
                self._lock.wait(left)
            received = list(self.requests[:n])
        if signed:
            bad = [r.json.get("id") for r in received if not r.signature_ok]
            assert not bad, f"bad X-Hub-Signature on {len(bad)} notifications, first {bad[:3]}"
        return [r.json for r in received]

    def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> list[dict]:
        """Everything received once nothing new arrived for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            count = len(self.requests)
            time.sleep(quiet)
            if len(self.requests) == count:
                break
        return [r.json for r in self.requests]

    @property
    def notifications(self) -> list[dict]:
        return [r.json for r in self.requests]

    def close(self) -> None:
        self._released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


@pytest.fixture
def subscribe(control, receiver):
    """subscribe(workspace, topics, url=receiver.url, secret=receiver.secret) -> the subscription JSON."""

    def make(workspace, topics, url: str | None = None, secret: str | None = None) -> dict:
        body = {"workspace_id": workspace.id, "url": url or receiver.url, "topics": list(topics),
                "secret": secret or receiver.secret}
        response = control.post("/_opencom/webhooks", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    return make


@pytest.fixture
def fast_retries(server):
    """Retries, throttling and timeouts in tens of milliseconds for the session server."""
    saved = delivery.retune(retry_base=0.05, retry_cap=0.2, throttle_base=0.05, throttle_cap=2.0, timeout=1.0)
    yield
    for deliverer, tuning in saved:
        deliverer.tuning = tuning
