"""examples/pytest-integration, the sample project of docs/testing.md, passes: alone and under xdist.

It runs as its own pytest process (its own rootdir and pyproject.toml) with this interpreter,
so `make test` keeps the example, the plugin's entry point and the docs honest. The example
brings its own SQLite database, so the PostgreSQL run of the suite doesn't repeat it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import selected_backend

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pytest-integration"

pytestmark = pytest.mark.skipif(selected_backend() != "sqlite", reason="the example project uses its own SQLite database; the SQLite run covers it")


@pytest.mark.parametrize("args", [[], ["-p", "xdist", "-n", "2"]], ids=["serial", "xdist"])
def test_the_example_project_passes(args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCOM_", "PYTEST_"))}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args]
    done = subprocess.run(command, cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "skipped" not in done.stdout and "xfail" not in done.stdout, done.stdout
