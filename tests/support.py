"""Test support shared by the suite: databases per run, a real server per session, clients."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, make_url, text

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def selected_backend() -> str:
    return os.environ.get("OPENCOM_TEST_DB", "sqlite").lower()


def postgres_admin_url() -> str:
    return os.environ.get("OPENCOM_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_reachable(url: str) -> str | None:
    """None when PostgreSQL answers, else the reason it doesn't."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect is a reason to skip (or fail in CI)
        return f"PostgreSQL at {make_url(url).render_as_string(hide_password=True)} is unreachable: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A database of its own for this run, created now and dropped afterwards."""
    name = f"opencom_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database_url() -> Iterator[str]:
    """An empty database of this run's backend, gone afterwards: a temporary SQLite file, or a
    PostgreSQL database of its own (skipped when PostgreSQL is unreachable)."""
    if selected_backend() == "postgres":
        reason = postgres_reachable(postgres_admin_url())
        if reason:
            pytest.skip(reason)
        with postgres_database(postgres_admin_url()) as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'opencom.db'}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(app) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class TestWorkspace:
    id: int
    token: str
    owner_id: int


def make_client(base_url: str, token: str | None, validator=None, **headers: str) -> httpx.Client:
    """An HTTP client whose every response is checked against the official description."""
    hooks = {"response": [_validating_hook(validator)]} if validator else {}
    all_headers = dict(headers)
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=base_url, headers=all_headers, event_hooks=hooks, timeout=30)


def _validating_hook(validator):
    def check(response: httpx.Response) -> None:
        response.read()
        body = response.json() if response.content else None
        request = response.request
        validator.validate(request.method, request.url.path, response.status_code, body)

    return check


def invoke_cli(*args: str, code: int = 0):
    """`opencom ARGS` run in-process with typer's runner; its exit code must be `code`."""
    from typer.testing import CliRunner

    from opencom.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result
