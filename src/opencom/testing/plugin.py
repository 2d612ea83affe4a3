"""The pytest plugin (entry point `pytest11`): Opencom as a fixture for any project that calls Intercom.

Fixtures:
    opencom_server   session  the server: in-process on a temporary SQLite database, or the one at
                              --opencom-url; an `opencom.testing.server.Server`
    opencom          function this worker's workspace, reset before the test (unless the test is
                              marked `opencom_keep_state`); a `Workspace` with reset, snapshot,
                              requests (journal), outbox and clock helpers
    intercom_client  function the official python-intercom client on that workspace (skips the
                              test when the SDK is not installed)

Every pytest run of a project with Opencom installed loads this module, Opencom's own suite
included, so it is inert until a fixture is requested: no autouse fixture, no server, and
nothing heavier than pytest imported here.

With pytest-xdist each worker is its own process: in-process, each starts its own server (so
the default workspace is the worker's); against --opencom-url, each worker makes a workspace of
its own on first use and deletes it at the end, so workers never see each other's data.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

KEEP_STATE = "opencom_keep_state"
JOURNAL_LINES = 20  # requests shown under a failed test that used `opencom`


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("opencom", "Opencom (an Intercom API server for tests)")
    options = [
        ("url", "use the Opencom server at this URL instead of starting one in-process"),
        ("admin-key", "the server's OPENCOM_ADMIN_KEY (also read from the environment)"),
        ("seed", "OPENCOM_SEED for the in-process server: reproducible ids run after run"),
    ]
    for name, text in options:
        key = f"opencom_{name.replace('-', '_')}"
        group.addoption(f"--opencom-{name}", dest=key, default=None, help=text)
        parser.addini(key, text)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{KEEP_STATE}: don't reset the Opencom workspace before this test")


def _option(config: pytest.Config, key: str, env: str | None = None) -> str | None:
    return config.getoption(key) or config.getini(key) or (os.environ.get(env) if env else None) or None


@pytest.fixture(scope="session")
def opencom_server(pytestconfig: pytest.Config):
    """The Opencom server of this session (of this worker, under xdist)."""
    from opencom.testing.server import connect, running

    admin_key = _option(pytestconfig, "opencom_admin_key", "OPENCOM_ADMIN_KEY")
    url = _option(pytestconfig, "opencom_url")
    if url:
        server = connect(url, admin_key=admin_key)
        yield server
        server.close()
        return
    with running(seed=_option(pytestconfig, "opencom_seed"), admin_key=admin_key) as server:
        yield server


@pytest.fixture(scope="session")
def opencom_workspace(opencom_server) -> Iterator:
    """This worker's workspace, not reset: the server's default one in-process, else its own."""
    if not opencom_server.external:
        yield opencom_server
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "master")
    workspace = opencom_server.new_workspace(f"pytest {worker} on {socket.gethostname()} pid {os.getpid()}")
    try:
        yield workspace
    finally:
        opencom_server.delete_workspace(workspace)
        workspace.close()


@pytest.fixture
def opencom(request: pytest.FixtureRequest, opencom_workspace):
    """This worker's workspace, emptied before the test unless marked opencom_keep_state."""
    if request.node.get_closest_marker(KEEP_STATE) is None:
        # One call: a workspace reset also empties its journal and puts its clock back
        # (tests/testing/test_plugin.py checks both); the token stays valid.
        opencom_workspace.reset()
    request.node.stash[_USED] = opencom_workspace
    return opencom_workspace


@pytest.fixture
def intercom_client(request: pytest.FixtureRequest):
    """The official python-intercom client, configured for this test's workspace (`opencom`)."""
    # Checked before `opencom` is requested: a test that will skip starts no server.
    pytest.importorskip("intercom", reason="the official SDK (python-intercom) is not installed")
    return request.getfixturevalue("opencom").client()


# -- a failed test shows what it sent ------------------------------------------------------------

_USED = pytest.StashKey[object]()


@pytest.hookimpl(hookwrapper=True)  # the old style: pytest 7 projects load this plugin too
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    workspace = item.stash.get(_USED, None)
    if workspace is not None and report.when == "call" and report.failed:
        report.sections.append(("Opencom journal (latest requests)", _journal_text(workspace)))


def _journal_text(workspace) -> str:
    try:
        entries = workspace.requests(limit=JOURNAL_LINES, order="desc")
    except Exception as exc:  # the report must never fail because the server is gone
        return f"(journal unavailable: {exc})"
    lines = [f"{e.get('method')} {e.get('path')} -> {e.get('status')} ({e.get('duration_ms')} ms)" for e in reversed(entries)]
    return "\n".join(lines) or "(no requests)"
