"""`opencom help-center create`, run in-process against a fresh SQLite file."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from opencom.cli import app
from opencom.core.db import Database
from opencom.help_center.service import list_help_centers

runner = CliRunner()


@pytest.fixture
def url(cli_url):
    return cli_url


def help_centers(url: str, workspace_id: int | None = None):
    db = Database(url)
    with db.transaction(write=False) as session:
        from opencom.workspaces.service import default_workspace

        workspace_id = workspace_id or default_workspace(session).id
        found = [(hc.id, hc.identifier, hc.display_name, hc.is_default) for hc in list_help_centers(session, workspace_id)]
    db.dispose()
    return found


def test_help_center_create(url):
    result = runner.invoke(app, ["help-center", "create", "Developer Docs"])
    assert result.exit_code == 0, result.output
    created = int(result.stdout.strip())
    centers = help_centers(url)
    assert len(centers) == 2 and centers[0][3] is True
    assert centers[1] == (created, "developer-docs", "Developer Docs", False)
    result = runner.invoke(app, ["help-center", "create", "Other", "--identifier", "ops"])
    assert result.exit_code == 0, result.output
    assert help_centers(url)[2][1] == "ops"


def test_help_center_create_errors(url):
    assert runner.invoke(app, ["help-center", "create", "Docs"]).exit_code == 0
    assert runner.invoke(app, ["help-center", "create", "Docs"]).exit_code == 1  # identifier taken
    assert runner.invoke(app, ["help-center", "create", "X", "--workspace", "999"]).exit_code == 1
    assert runner.invoke(app, ["help-center", "create", "   "]).exit_code == 1
