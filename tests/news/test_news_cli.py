"""`opencom newsfeed create`, run in-process against a fresh SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from opencom.cli import app
from opencom.core.db import Database
from opencom.news.models import Newsfeed

runner = CliRunner()


@pytest.fixture
def url(cli_url):
    return cli_url


def feeds(url: str) -> list[tuple[int, int, str]]:
    db = Database(url)
    with db.transaction(write=False) as session:
        rows = [(f.id, f.workspace_id, f.name) for f in session.scalars(select(Newsfeed).order_by(Newsfeed.id))]
    db.dispose()
    return rows


def test_newsfeed_create_prints_the_new_id(url):
    result = runner.invoke(app, ["newsfeed", "create", "Customers"])
    assert result.exit_code == 0, result.output
    seeded, created = feeds(url)
    assert seeded[2] == "Visitor Feed"  # the default workspace's seeded feed
    assert created == (int(result.stdout.strip()), seeded[1], "Customers")
    again = runner.invoke(app, ["newsfeed", "create", "Leads", "--workspace", str(seeded[1])])
    assert again.exit_code == 0 and feeds(url)[-1][2] == "Leads"


@pytest.mark.parametrize("args", [["  "], ["x" * 256], ["Feed", "--workspace", "999999"], []])
def test_newsfeed_create_refuses_bad_input(url, args):
    result = runner.invoke(app, ["newsfeed", "create", *args])
    assert result.exit_code != 0
