"""`opencom serve --workers 2` as a process tree: one stdlib supervisor and its workers, which it
replaces when one dies and stops on SIGTERM. A real server on a fresh database of the run's backend.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import httpx

from tests import support
from tests.support import make_client

TOKEN = "serve-workers-test-token"
ENV = {"OPENCOM_RATE_LIMIT": "0", "OPENCOM_LOG_LEVEL": "warning", "OPENCOM_BOOTSTRAP_TOKEN": TOKEN}
PATIENCE = 60  # seconds to wait for anything: generous, for a loaded machine


def test_supervisor_replaces_a_dead_worker_and_stops_cleanly():
    port = support.free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "opencom.cli", "serve", "--port", str(port), "--workers", "2"]
    with support.fresh_database_url() as url, tempfile.TemporaryFile() as log:
        env = {**os.environ, **ENV, "OPENCOM_DATABASE_URL": url}
        supervisor = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        workers: list[int] = []
        try:
            wait_for(lambda: supervisor.poll() is not None or healthy(base), "the server to answer", log)
            assert supervisor.poll() is None, server_log(log)
            contact_id = create_contact(base, "first@example.com")

            workers = children(supervisor.pid)
            assert len(workers) == 2
            for pid in workers:
                assert "opencom.worker" in command_line(pid)
                assert children(pid) == []  # no resource tracker, no helper of any kind
            assert "opencom.supervisor" in command_line(supervisor.pid)

            dead, survivor = workers
            os.kill(dead, signal.SIGKILL)
            wait_for(lambda: len(set(children(supervisor.pid)) - {dead, survivor}) == 1, "a replacement worker", log)
            workers = children(supervisor.pid)
            assert len(workers) == 2 and survivor in workers

            # With the survivor stopped, only the replacement can accept connections.
            os.kill(survivor, signal.SIGSTOP)
            try:
                wait_for(lambda: healthy(base), "the replacement to serve", log)
                assert read_contact(base, contact_id)["email"] == "first@example.com"
                create_contact(base, "second@example.com")
            finally:
                os.kill(survivor, signal.SIGCONT)

            supervisor.send_signal(signal.SIGTERM)
            assert supervisor.wait(PATIENCE) == 0
            wait_for(lambda: not any(alive(pid) for pid in workers), "the workers to exit", log)
        finally:
            stop(supervisor, workers)


# -- helpers ---------------------------------------------------------------------------------

def healthy(base: str) -> bool:
    try:  # a connection of its own each time, so it goes to whichever worker accepts
        return httpx.get(f"{base}/healthz", timeout=2, headers={"Connection": "close"}).status_code == 200
    except httpx.HTTPError:
        return False


def create_contact(base: str, email: str) -> str:
    with make_client(base, TOKEN, Connection="close") as client:
        response = client.post("/contacts", json={"role": "user", "email": email})
        assert response.status_code == 200, response.text
        return response.json()["id"]


def read_contact(base: str, contact_id: str) -> dict:
    with make_client(base, TOKEN, Connection="close") as client:
        response = client.get(f"/contacts/{contact_id}")
        assert response.status_code == 200, response.text
        listed = client.get("/contacts")
        assert listed.status_code == 200, listed.text
        return response.json()


def children(pid: int) -> list[int]:
    """The live child processes of pid, from /proc (the parent is field 4 of /proc/<pid>/stat)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return sorted(found)


def command_line(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return cmdline.read().replace(b"\0", b" ").decode()


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition: Callable[[], bool], what: str, log) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}; {server_log(log)}")
        time.sleep(0.1)


def server_log(log) -> str:
    log.seek(0)
    return f"server log: {log.read().decode()[-2000:]}"


def stop(supervisor: subprocess.Popen, workers: list[int]) -> None:
    """Whatever happened, leave no process behind."""
    if supervisor.poll() is None:
        supervisor.kill()
        supervisor.wait()
    for pid in workers:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
