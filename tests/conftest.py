"""Fixtures for the whole suite.

The suite runs against one database per run: SQLite by default, PostgreSQL with
OPENCOM_TEST_DB=postgres (a database of its own is created on the server at
OPENCOM_TEST_POSTGRES_URL and dropped at the end). Without a reachable PostgreSQL the
PostgreSQL run skips, saying why; in CI (CI=true) it fails instead.

One real server (uvicorn on a loopback port) serves the session; each test gets a workspace of
its own, so tests never see each other's data — which exercises workspace isolation too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from opencom.app import create_app
from opencom.core.db import Database
from opencom.core.settings import Settings
from opencom.testing.spec import ResponseValidator, load_patched_spec
from tests.support import (
    TestWorkspace,
    make_client,
    postgres_admin_url,
    postgres_database,
    postgres_reachable,
    running_server,
    selected_backend,
)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    backend = selected_backend()
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'opencom.db'}"
        return
    if backend != "postgres":
        raise pytest.UsageError(f"OPENCOM_TEST_DB must be sqlite or postgres, not {backend!r}")
    admin_url = postgres_admin_url()
    reason = postgres_reachable(admin_url)
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs PostgreSQL: {reason}", pytrace=False)
        pytest.skip(f"PostgreSQL run skipped: {reason}")
    with postgres_database(admin_url) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url) -> Settings:
    return Settings(database_url=database_url, bootstrap_token="opencom-test-token", rate_limit=0)


@pytest.fixture(scope="session")
def server(settings) -> Iterator[str]:
    """The base URL of a real Opencom server for the whole session."""
    app = create_app(settings)
    with running_server(app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def db(server, settings) -> Iterator[Database]:
    """Direct database access for arranging state the API can't create (admins, teams)."""
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def validator() -> ResponseValidator:
    return ResponseValidator(load_patched_spec())


@pytest.fixture
def workspace(db) -> TestWorkspace:
    from opencom.workspaces.service import create_workspace, owner_admin_id

    with db.transaction() as session:
        created = create_workspace(session, "Test workspace")
        owner = owner_admin_id(session, created.workspace.id)
        return TestWorkspace(created.workspace.id, created.token, owner)


@pytest.fixture
def api(server, workspace, validator):
    """An authenticated client for this test's own workspace; responses checked against the spec."""
    with make_client(server, workspace.token, validator) as client:
        yield client


@pytest.fixture
def control(server):
    """A control-plane client (no spec validation: /_opencom is not an Intercom operation)."""
    with make_client(server, None) as client:
        yield client


@pytest.fixture
def cli_url(tmp_path, monkeypatch):
    """A fresh SQLite file as the `opencom` command line's database (typer's runner, in-process)."""
    database_url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("OPENCOM_DATABASE_URL", database_url)
    from opencom.core.settings import get_settings

    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


@pytest.fixture
def anon(server, validator):
    """A client without a token."""
    with make_client(server, None, validator) as client:
        yield client
