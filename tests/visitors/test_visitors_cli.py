"""`opencom visitor create`, run in-process against a fresh SQLite file."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from opencom.cli import app

runner = CliRunner()


@pytest.fixture
def url(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENCOM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    from opencom.core.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_visitor_create_prints_json(url):
    result = runner.invoke(app, ["visitor", "create", "--name", "Vera", "--email", "vera@example.com"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["type"] == "visitor" and body["name"] == "Vera" and body["email"] == "vera@example.com"
    assert len(body["id"]) == 24 and len(body["user_id"]) == 36 and body["anonymous"] is True


def test_visitor_create_in_an_unknown_workspace_fails(url):
    result = runner.invoke(app, ["visitor", "create", "--workspace", "999"])
    assert result.exit_code == 1
