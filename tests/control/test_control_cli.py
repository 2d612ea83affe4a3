"""`opencom snapshot export|import`, run in-process with typer's runner against a fresh SQLite file."""

from __future__ import annotations

import re

import orjson
import pytest

from tests.support import invoke_cli as invoke


@pytest.fixture
def url(cli_url):
    return cli_url


def test_export_import_export_is_byte_for_byte(url, tmp_path):
    workspace = re.search(r"workspace_id: (\d+)", invoke("workspace", "create", "Fixture").stdout).group(1)
    invoke("admin", "create", "--name", "Kim", "--email", "kim@example.com", "--workspace", workspace)
    invoke("visitor", "create", "--name", "Vee", "--workspace", workspace)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    invoke("snapshot", "export", str(first), "--workspace", workspace)
    document = orjson.loads(first.read_bytes())
    assert document["workspace"]["name"] == "Fixture"
    assert sorted(a["name"] for a in document["tables"]["admins"]) == ["Kim", "Workspace Owner"]
    assert [v["name"] for v in document["tables"]["visitors"]] == ["Vee"]

    invoke("admin", "create", "--name", "Later", "--email", "later@example.com", "--workspace", workspace)
    invoke("snapshot", "import", str(first), "--workspace", workspace)
    invoke("snapshot", "export", str(second), "--workspace", workspace)
    assert second.read_bytes() == first.read_bytes()
    assert invoke("snapshot", "export", "-", "--workspace", workspace).stdout.encode() == first.read_bytes()


def test_default_workspace_and_errors(url, tmp_path):
    saved = tmp_path / "default.json"
    invoke("snapshot", "export", str(saved))
    assert orjson.loads(saved.read_bytes())["workspace"]["is_default"] is True
    assert "No workspace" in invoke("snapshot", "export", str(saved), "--workspace", "999", code=1).output
    assert "Can't read" in invoke("snapshot", "import", str(tmp_path / "missing.json"), code=1).output
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"opencom_snapshot": 7, "tables": {}}')
    assert "opencom_snapshot" in invoke("snapshot", "import", str(bad), code=1).output
    bad.write_bytes(b"not json")
    assert "Can't read" in invoke("snapshot", "import", str(bad), code=1).output
