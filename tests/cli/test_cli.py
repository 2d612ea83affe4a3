"""The `opencom` command line, run in-process with typer's runner against a fresh SQLite file."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from opencom.cli import app
from opencom.core.db import Database
from opencom.core.ids import token_hash
from opencom.workspaces.models import ApiToken

runner = CliRunner()


@pytest.fixture
def url(cli_url):
    return cli_url


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def token_workspace(url: str, token: str) -> int | None:
    db = Database(url)
    with db.transaction(write=False) as session:
        row = session.query(ApiToken).filter_by(token_hash=token_hash(token)).one_or_none()
        workspace_id = row.workspace_id if row else None
    db.dispose()
    return workspace_id


def test_migrate(url):
    assert "up to date" in invoke("migrate").output


def test_workspace_create_prints_id_and_a_working_token(url):
    output = invoke("workspace", "create", "Acme").stdout
    workspace_id = int(re.search(r"workspace_id: (\d+)", output).group(1))
    token = re.search(r"token: (\S+)", output).group(1)
    assert token_workspace(url, token) == workspace_id


def test_token_create_prints_only_the_token(url):
    default_token = invoke("token", "create").stdout.strip()
    assert "\n" not in default_token and len(default_token) > 30
    assert token_workspace(url, default_token) is not None
    other = int(re.search(r"workspace_id: (\d+)", invoke("workspace", "create", "Other").stdout).group(1))
    assert token_workspace(url, invoke("token", "create", "--workspace", str(other)).stdout.strip()) == other


def test_token_create_for_an_unknown_workspace_fails(url):
    result = runner.invoke(app, ["token", "create", "--workspace", "999"])
    assert result.exit_code == 1


def test_admin_and_team_commands(url):
    admin_id = int(invoke("admin", "create", "--name", "Bo", "--email", "bo@example.com").stdout.strip())
    team_id = int(invoke("team", "create", "Sales", "--admin", str(admin_id)).stdout.strip())
    invoke("team", "add-member", str(team_id), str(admin_id), "--priority", "primary")
    from opencom.teams.models import TeamMembership

    db = Database(url)
    with db.transaction(write=False) as session:
        membership = session.get(TeamMembership, (team_id, admin_id))
        assert membership is not None and membership.priority == "primary"
    db.dispose()
    invoke("team", "remove-member", str(team_id), str(admin_id))
    bad = runner.invoke(app, ["team", "add-member", str(team_id), "424242"])
    assert bad.exit_code == 1
