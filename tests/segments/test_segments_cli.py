"""`opencom segment create`, run in-process against a fresh SQLite file."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from opencom.cli import app
from opencom.core.db import Database
from opencom.segments.models import Segment

runner = CliRunner()
ROLE_USER = json.dumps({"field": "role", "operator": "=", "value": "user"})


@pytest.fixture
def url(cli_url):
    return cli_url


def stored(url: str, segment_id: str) -> Segment | None:
    db = Database(url)
    with db.transaction(write=False) as session:
        segment = session.get(Segment, segment_id)
    db.dispose()
    return segment


def test_segment_create_prints_the_new_id(url):
    result = runner.invoke(app, ["segment", "create", "--name", "Paying", "--query", ROLE_USER])
    assert result.exit_code == 0, result.output
    segment = stored(url, result.stdout.strip())
    assert (segment.name, segment.person_type, segment.query) == ("Paying", "user", json.loads(ROLE_USER))
    leads = runner.invoke(app, ["segment", "create", "--name", "L", "--query", ROLE_USER, "--person-type", "contact"])
    assert stored(url, leads.stdout.strip()).person_type == "contact"


@pytest.mark.parametrize(
    "args",
    [
        ["--query", "{not json"],
        ["--query", json.dumps({"field": "nope", "operator": "=", "value": 1})],
        ["--query", ROLE_USER, "--person-type", "visitor"],
        ["--query", ROLE_USER, "--workspace", "999999"],
    ],
)
def test_segment_create_refuses_bad_input(url, args):
    result = runner.invoke(app, ["segment", "create", "--name", "Bad", *args])
    assert result.exit_code == 1
