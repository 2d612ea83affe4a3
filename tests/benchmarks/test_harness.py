"""Smoke test of the load benchmark's harness (benchmarks/run.py + mix.lua): wrk drives the bare
Starlette app for a second and the driver turns wrk's output into the report. No timing is
asserted: only that every piece runs and the numbers are there."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make bench installs it)")


def test_run_py_measures_the_bare_app(tmp_path):
    cmd = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--targets", "bare", "--duration", "1",
           "--warmup", "1", "--connections", "2", "--workers", "1", "--no-search", "--out", str(tmp_path)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    document = json.loads((tmp_path / "latest.json").read_text())
    (run,) = document["runs"]
    assert (run["target"], run["mix"], run["connections"]) == ("bare", "get", 2)
    assert run["requests"] > 0 and run["status_errors"] == 0 and run["socket_errors"] == 0
    assert run["ops"]["get_contact"]["count"] > 0
    assert run["cpu_ms_per_request"] > 0 and run["peak_rss_mb"] > 0
    assert "| bare | get | 2 |" in (tmp_path / "latest.md").read_text()
