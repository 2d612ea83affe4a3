"""Webhook delivery across server processes: a restart mid-delivery, and two servers on one
database. Each test runs real `opencom serve` processes on a fresh database of the run's backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import select

from opencom.core.db import Database
from opencom.webhooks.models import WebhookAttempt
from opencom.webhooks.publish import publish
from opencom.workspaces.models import Workspace
from tests import support
from tests.webhooks.conftest import SECRET, Answer, Receiver

# Short enough that a killed server's lease runs out quickly, long enough for a loaded machine.
SERVER_ENV = {"OPENCOM_WEBHOOK_TIMEOUT": "2", "OPENCOM_WEBHOOK_LEASE": "3", "OPENCOM_WEBHOOK_RETRY_BASE": "0.1",
              "OPENCOM_RATE_LIMIT": "0", "OPENCOM_LOG_LEVEL": "warning"}


class Server:
    """`opencom serve` in a process of its own."""

    def __init__(self, database_url: str) -> None:
        self.port = support.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **SERVER_ENV, "OPENCOM_DATABASE_URL": database_url}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "opencom.cli", "serve", "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"server did not start: {self.process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: the process dies mid-whatever, as in a crash."""
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.process.stderr is not None:
            self.process.stderr.close()


@contextmanager
def servers(database_url: str, count: int = 1) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for _ in range(count):  # one after the other: each migrates and bootstraps first
            started.append(Server(database_url))
        yield started
    finally:
        for server in started:
            server.stop()


class Caller:
    def __init__(self, workspace_id: int, workspace_code: str) -> None:
        self.workspace_id, self.workspace_code = workspace_id, workspace_code


def default_caller(db: Database) -> Caller:
    with db.transaction(write=False) as session:
        workspace = session.scalar(select(Workspace).where(Workspace.is_default.is_(True)))
        return Caller(workspace.id, workspace.id_code)


def subscribe(base: str, url: str, topics: list[str]) -> int:
    response = httpx.post(f"{base}/_opencom/webhooks", json={"url": url, "topics": topics, "secret": SECRET})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def emit(db: Database, who: Caller, topic: str, ids: list[str]) -> None:
    for item_id in ids:  # a transaction each, as separate requests would
        with db.transaction() as session:
            publish(session, who, topic, {"type": "contact", "id": item_id})


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()
    try:
        yield receiver
    finally:
        receiver.close()


def sent(receiver: Receiver) -> list[tuple[str, int]]:
    """(item id, delivery_attempts) of every request received, in arrival order."""
    return [(n["data"]["item"]["id"], n["delivery_attempts"]) for n in receiver.notifications]


def test_restarts_mid_delivery_lose_nothing_and_resend_only_the_unacknowledged():
    with support.fresh_database_url() as url, receiving() as receiver:
        db = Database(url)
        try:
            with servers(url) as [first]:
                subscribe(first.base, receiver.url, ["contact.user.created"])
                who = default_caller(db)
                receiver.script(Answer(hang=1.0))  # a slow answer, still acknowledged
                emit(db, who, "contact.user.created", ["1", "2", "3"])
                receiver.wait_for(1)
                first.stop()  # graceful: "1" is in flight and finishes; the server then stops
            assert sent(receiver) == [("1", 1)]
            receiver.script(Answer(hang=60))  # the next send is never answered
            with servers(url) as [second]:
                receiver.wait_for(2)
                second.kill()  # a crash mid-delivery: "2" is in flight, "3" waits
            emit(db, who, "contact.user.created", ["4", "5"])  # while no server runs
            with servers(url):
                received = receiver.wait_for(6, timeout=30)
                assert receiver.settle(quiet=1.0) == received  # and nothing after
            # "1" was acknowledged: never again. "2" was not, so it goes again once the crashed
            # server's lease ran out (same id, next attempt). Every other event exactly once, in order.
            assert sent(receiver) == [("1", 1), ("2", 1), ("2", 2), ("3", 1), ("4", 1), ("5", 1)]
            assert received[1]["id"] == received[2]["id"]
            assert len({n["id"] for n in received}) == 5
        finally:
            db.dispose()


def test_two_servers_on_one_database_deliver_each_event_once_in_order():
    topics = ["contact.user.created"]
    per_subscription = 40
    with support.fresh_database_url() as url, receiving() as receiver:
        db = Database(url)
        try:
            with servers(url, count=2) as [first, second]:
                paths = ["/a", "/b", "/c", "/d"]
                for index, path in enumerate(paths):
                    subscribe((first, second)[index % 2].base, receiver.url + path, topics)
                who = default_caller(db)
                emit(db, who, "contact.user.created", [str(n) for n in range(per_subscription)])
                receiver.wait_for(per_subscription * len(paths), timeout=60)
                receiver.settle(quiet=1.0)
            requests = receiver.requests
            assert len(requests) == per_subscription * len(paths)  # nothing twice
            for path in paths:
                ids = [r.json["data"]["item"]["id"] for r in requests if r.path == "/hook" + path]
                assert ids == [str(n) for n in range(per_subscription)], path  # everything, in order
            assert all(r.signature_ok for r in requests)
            with db.transaction(write=False) as session:
                workers = Counter(session.scalars(select(WebhookAttempt.worker)))
            assert sum(workers.values()) == len(requests)
            assert len(workers) == 2, workers  # both processes took part
        finally:
            db.dispose()
