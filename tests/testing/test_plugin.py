"""The pytest plugin, as another project sees it: pytest runs in a subprocess on generated tests.

Each run is a separate pytest process (the plugin starts servers and threads; keeping them out
of this process keeps the suite's own state clean). Runs are few because each starts a server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import opencom
from opencom.core import ids
from opencom.core.clock import clock

ADMIN_KEY = "plugin-admin-key"

STATE_TESTS = '''
import os, pathlib, sys, threading

import pytest


def test_1_the_plugin_is_inert_until_its_fixtures_are_used():
    assert "opencom.app" not in sys.modules  # nothing of the server imported, nothing started
    assert not [t for t in threading.enumerate() if t.name.startswith("opencom-")]


def test_2_makes_a_contact_and_freezes_the_clock(intercom_client, opencom):
    intercom_client.contacts.create(request={"email": "a@example.com"})
    opencom.clock.freeze(1_000_000)


def test_3_starts_empty_with_the_clock_back(intercom_client, opencom):
    assert opencom.requests() == [] and list(intercom_client.contacts.list()) == []
    assert opencom.clock.now() == 1704067200  # with --opencom-seed the clock starts at OPENCOM_SEED_EPOCH
    made = intercom_client.contacts.create(request={"email": "b@example.com"})
    pathlib.Path(os.environ["RECORD_DIR"], "seeded-id").write_text(made.id)


@pytest.mark.opencom_keep_state
def test_4_keeps_the_state_when_marked(intercom_client):
    assert [c.email for c in intercom_client.contacts.list()] == ["b@example.com"]


def test_5_in_process_the_view_is_the_default_workspace(opencom_server, opencom):
    assert opencom is opencom_server and not opencom_server.external
    assert opencom.base_url.startswith("http://127.0.0.1:") and opencom.token


def test_6_a_failure_shows_the_journal(intercom_client):
    intercom_client.contacts.create(request={"email": "c@example.com"})
    assert False, "deliberate"
'''

WORKER_TESTS = '''
import json, os, pathlib

import pytest


@pytest.mark.parametrize("n", range(6))
def test_records_its_workspace(opencom, intercom_client, n):
    assert list(intercom_client.contacts.list()) == []  # reset, and no other worker's contacts
    intercom_client.contacts.create(request={"email": f"{n}@example.com"})
    worker = os.environ.get("PYTEST_XDIST_WORKER", "master")
    record = {"worker": worker, "workspace_id": opencom.workspace_id, "external": True}
    pathlib.Path(os.environ["RECORD_DIR"], f"{n}.json").write_text(json.dumps(record))
'''


def run_pytest(project: Path, *args: str, record_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCOM_", "PYTEST_"))}
    env["RECORD_DIR"] = str(record_dir)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)


def make_project(tmp_path: Path, **files: str) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n")  # the marker is registered
    for name, text in files.items():
        (project / f"{name}.py").write_text(textwrap.dedent(text))
    return project


@pytest.fixture(autouse=True)
def real_ids():
    yield
    ids.seed(None)  # opencom.running(seed=...) below seeds this process's id source and stops its clock
    clock.reset()


def test_reset_between_tests_keep_state_marker_and_journal_on_failure(tmp_path):
    project = make_project(tmp_path, test_state=STATE_TESTS)
    done = run_pytest(project, "--opencom-seed=fixed", record_dir=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "1 failed, 5 passed" in output, output
    assert "Opencom journal" in output and "POST /contacts -> 200" in output, output
    # --opencom-seed: the first contact after a reset has the id a seeded server gives it
    with opencom.running(seed="fixed") as server:
        server.reset()
        expected = server.client().contacts.create(request={"email": "b@example.com"}).id
    assert (tmp_path / "seeded-id").read_text() == expected


def test_an_external_server_gives_each_xdist_worker_a_workspace_of_its_own(tmp_path):
    project = make_project(tmp_path, test_workers=WORKER_TESTS)
    with opencom.running(admin_key=ADMIN_KEY) as server:
        done = run_pytest(project, "-n", "2", f"--opencom-url={server.base_url}", f"--opencom-admin-key={ADMIN_KEY}",
                          record_dir=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        left = [w["id"] for w in server.workspaces()]
    records = [json.loads(path.read_text()) for path in tmp_path.glob("*.json")]
    by_worker: dict[str, set[int]] = {}
    for record in records:
        by_worker.setdefault(record["worker"], set()).add(record["workspace_id"])
    assert len(records) == 6 and all(len(ids_) == 1 for ids_ in by_worker.values()), records
    workspaces = {next(iter(ids_)) for ids_ in by_worker.values()}
    assert len(workspaces) == len(by_worker) and server.workspace_id not in workspaces
    assert left == [server.workspace_id]  # each worker deleted its workspace at the end


def test_without_the_sdk_intercom_client_skips(tmp_path):
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "intercom.py").write_text("raise ModuleNotFoundError('No module named intercom', name='intercom')\n")
    project = make_project(tmp_path, test_sdk="""
        import threading

        def test_needs_the_sdk(intercom_client):
            pass

        def test_no_server_was_started():
            assert not [t for t in threading.enumerate() if t.name.startswith("opencom-")]
        """)
    env_path = f"{blocker}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs"], cwd=project,
                          env={**os.environ, "PYTHONPATH": env_path}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "1 passed, 1 skipped" in done.stdout and "python-intercom" in done.stdout, done.stdout + done.stderr
