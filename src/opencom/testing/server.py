"""Opencom inside someone else's tests: an in-process server and a small client of its control plane.

    with opencom.running() as server:          # uvicorn in a thread, temporary SQLite, free port
        client = server.client()               # the official python-intercom SDK, if installed
        ...
        assert server.outbox(channel="email", to="ada@example.com")

    server = opencom.connect("http://127.0.0.1:8000", token, admin_key=...)   # a server already running

`Server` is a `Workspace` (the default one) that also makes more workspaces. Every helper is a
call to /_opencom over HTTP, so the same code works in-process and against a remote server.
This module imports only httpx at import time: the pytest plugin loads it in every project that
has Opencom installed, and the server's own modules (FastAPI, SQLAlchemy) load only in running().
"""

from __future__ import annotations

import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

START_TIMEOUT = 60  # seconds; a first start migrates an empty database
STOP_TIMEOUT = 10


class ControlError(RuntimeError):
    """A control-plane call failed; carries the status and the server's error body."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.body = response.text
        super().__init__(f"{response.request.method} {response.request.url.path} -> {response.status_code}: {response.text[:500]}")


@dataclass
class Workspace:
    """One workspace of a server, seen from a test: its token and the control plane scoped to it."""

    base_url: str
    token: str
    workspace_id: int
    admin_key: str | None = field(default=None, repr=False)  # kept out of failure reports
    _control: httpx.Client | None = field(default=None, init=False, repr=False, compare=False)

    # -- clients -------------------------------------------------------------------------------

    @property
    def control(self) -> httpx.Client:
        """An httpx client for /_opencom (admin key as bearer when there is one)."""
        if self._control is None:
            headers = {"Authorization": f"Bearer {self.admin_key}"} if self.admin_key else {}
            self._control = httpx.Client(base_url=self.base_url, headers=headers, timeout=30)
        return self._control

    def http(self, **kwargs) -> httpx.Client:
        """A plain httpx client for Intercom calls with this workspace's token."""
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=kwargs.pop("timeout", 30), **kwargs)

    def client(self, **kwargs):
        """The official python-intercom client pointed at this workspace (imported only now)."""
        try:
            from intercom import Intercom
        except ImportError as exc:  # an optional dependency of the user's project, not of Opencom
            raise RuntimeError("the official SDK is not installed: pip install python-intercom") from exc
        return Intercom(token=self.token, base_url=self.base_url, **kwargs)

    # -- state ---------------------------------------------------------------------------------

    def reset(self) -> None:
        """Empty the workspace and give it its defaults back; the token keeps working."""
        self._call("POST", "/_opencom/reset", json={"workspace_id": self.workspace_id})

    def snapshot(self) -> dict:
        """The workspace's whole state as one JSON document (see also `snapshot_bytes`)."""
        return self._call("GET", "/_opencom/snapshot", params={"workspace_id": self.workspace_id}).json()

    def snapshot_bytes(self) -> bytes:
        """The snapshot exactly as the server serialises it: what to commit as a fixture file."""
        return self._call("GET", "/_opencom/snapshot", params={"workspace_id": self.workspace_id}).content

    def save_snapshot(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.snapshot_bytes())
        return path

    def load_snapshot(self, document: dict | bytes | str | Path) -> dict:
        """Replace the workspace's state with a snapshot: a dict, its JSON bytes, or a file path."""
        if isinstance(document, (str, Path)):
            content = Path(document).read_bytes()
        elif isinstance(document, bytes):
            content = document
        else:
            return self._call("POST", "/_opencom/snapshot", params={"workspace_id": self.workspace_id}, json=document).json()
        headers = {"Content-Type": "application/json"}
        return self._call("POST", "/_opencom/snapshot", params={"workspace_id": self.workspace_id}, content=content, headers=headers).json()

    # -- what happened -------------------------------------------------------------------------

    def requests(self, **filters) -> list[dict]:
        """The journal: this workspace's API calls, filtered by method, path, path_prefix, status,
        since, until, limit, order (as GET /_opencom/requests takes them)."""
        return self._list("/_opencom/requests", filters)

    def clear_requests(self) -> None:
        self._call("DELETE", "/_opencom/requests", params={"workspace_id": self.workspace_id})

    def outbox(self, **filters) -> list[dict]:
        """What Intercom would have delivered from this workspace: filter by channel
        (email, in_app, sms, news), to, since, limit."""
        return self._list("/_opencom/outbox", filters)

    @property
    def clock(self) -> Clock:
        return Clock(self)

    # -- plumbing ------------------------------------------------------------------------------

    def _list(self, path: str, filters: dict) -> list[dict]:
        params = {"workspace_id": self.workspace_id, **{k: _param(v) for k, v in filters.items() if v is not None}}
        return self._call("GET", path, params=params).json()["data"]

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        response = self.control.request(method, path, **kwargs)
        if response.is_error:
            raise ControlError(response)
        return response

    def close(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None


class Clock:
    """The workspace's clock (POST /_opencom/clock): frozen, moved, or back to real time."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace

    def freeze(self, at: float | datetime | None = None) -> dict:
        """Stop the clock, now or at `at` (unix seconds or an aware datetime)."""
        return self._change(freeze=True, at=_seconds(at))

    def unfreeze(self) -> dict:
        return self._change(freeze=False)

    def advance(self, seconds: float) -> dict:
        return self._change(advance=float(seconds))

    def set(self, at: float | datetime) -> dict:
        """Jump to `at`; a running clock keeps running from there."""
        return self._change(at=_seconds(at))

    def reset(self) -> dict:
        """Back to real time."""
        return self._change(reset=True)

    def now(self) -> int:
        return self.state()["now"]

    def state(self) -> dict:
        return self._workspace._call("GET", "/_opencom/clock", params={"workspace_id": self._workspace.workspace_id}).json()

    def _change(self, **fields) -> dict:
        body = {"workspace_id": self._workspace.workspace_id, **{k: v for k, v in fields.items() if v is not None}}
        return self._workspace._call("POST", "/_opencom/clock", json=body).json()


class Server(Workspace):
    """A server and its default workspace; `new_workspace` makes isolated ones."""

    external = False  # True when connect()ed to a server this process did not start
    database_url: str | None = None  # running(): where its data lives (None when connected)

    def new_workspace(self, name: str, **fields) -> Workspace:
        created = self._call("POST", "/_opencom/workspaces", json={"name": name, **fields}).json()
        return Workspace(self.base_url, created["token"], created["id"], self.admin_key)

    def workspaces(self) -> list[dict]:
        return self._call("GET", "/_opencom/workspaces").json()["workspaces"]

    def delete_workspace(self, workspace: Workspace | int) -> None:
        workspace_id = workspace.workspace_id if isinstance(workspace, Workspace) else workspace
        self._call("DELETE", f"/_opencom/workspaces/{workspace_id}")

    def reset_all(self) -> None:
        """Every workspace emptied, id sequences restarted (with a seed: the same ids again)."""
        self._call("POST", "/_opencom/reset", json={})


def connect(base_url: str, token: str | None = None, admin_key: str | None = None) -> Server:
    """A `Server` for an Opencom already running.

    The token says which workspace is the server's own; without one, it is the default
    workspace, and a new token is made for it through the control plane.
    """
    server = Server(base_url.rstrip("/"), token or "", 0, admin_key)
    server.external = True
    if token:
        server.workspace_id = _workspace_of(server)
    else:
        server.workspace_id = next(w["id"] for w in server.workspaces() if w["is_default"])
        minted = server._call("POST", f"/_opencom/workspaces/{server.workspace_id}/tokens", json={"name": "opencom.connect"})
        server.token = minted.json()["token"]
    return server


def _workspace_of(server: Server) -> int:
    with server.http() as http:
        me = http.get("/me")
    if me.is_error:
        raise ControlError(me)
    code = me.json()["app"]["id_code"]
    for workspace in server.workspaces():
        if workspace["id_code"] == code:
            return workspace["id"]
    raise RuntimeError(f"no workspace has the code {code!r} of this token")


@contextmanager
def running(
    database_url: str | None = None,
    *,
    seed: str | None = None,
    admin_key: str | None = None,
    port: int | None = None,
    token: str | None = None,
    **settings: Any,
) -> Iterator[Server]:
    """Serve Opencom in this process on a loopback port until the block ends.

    Without a database URL, a temporary SQLite database is made and deleted afterwards. Extra
    keyword arguments are Settings fields (e.g. rate_limit=600, jobs_enabled=False); rate
    limiting is off unless asked for, since a fast test suite can outrun Intercom's limit.
    """
    token = token or f"opencom-{secrets.token_urlsafe(24)}"
    with _database(database_url) as url:
        from opencom.app import create_app
        from opencom.core.settings import Settings

        config = Settings(database_url=url, bootstrap_token=token, seed=seed, admin_key=admin_key, **{"rate_limit": 0, **settings})
        with _serving(create_app(config), port or 0) as base_url:
            server = connect(base_url, token, admin_key)
            server.external, server.database_url = False, url
            try:
                yield server
            finally:
                server.close()


@contextmanager
def _database(database_url: str | None) -> Iterator[str]:
    if database_url:
        yield database_url
        return
    # ignore_cleanup_errors: on some platforms SQLite's -wal/-shm linger a moment after dispose.
    with tempfile.TemporaryDirectory(prefix="opencom-", ignore_cleanup_errors=True) as folder:
        yield f"sqlite:///{Path(folder) / 'opencom.db'}"


@contextmanager
def _serving(app, port: int) -> Iterator[str]:
    """uvicorn in a daemon thread on a socket bound here (port 0: the OS picks, no race)."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    # log_config=None: leave the host project's logging configuration alone.
    config = uvicorn.Config(app, log_level="warning", log_config=None, lifespan="on", timeout_graceful_shutdown=STOP_TIMEOUT)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"opencom-{port}", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT + 5)
        sock.close()


def _wait_started(server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("Opencom did not start (see the log above)")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"Opencom did not start within {START_TIMEOUT} s")
        time.sleep(0.01)


def _seconds(at: float | datetime | None) -> float | None:
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise ValueError("give the clock an aware datetime (a naive one has no single instant)")
        return at.timestamp()
    return None if at is None else float(at)


def _param(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, bool):
        return str(value).lower()
    return value
