"""core/jobs.py driven directly, on a database of its own (the run's backend).

The session server's worker shares this process's registry, so these tests keep their jobs in a
separate database where no other worker looks. Times are passed explicitly (`now=`), so no test
touches the process clock.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from opencom.core import jobs
from opencom.core.clock import clock
from opencom.core.db import Database
from opencom.core.migrate import upgrade
from tests import support


@pytest.fixture(scope="module")
def jobs_url() -> Iterator[str]:
    with support.fresh_database_url() as url:
        database = Database(url)
        upgrade(database.write_engine)
        database.dispose()
        yield url


@pytest.fixture
def db(jobs_url) -> Iterator[Database]:
    database = Database(jobs_url)
    with database.transaction() as session:  # every test starts with an empty queue
        session.query(jobs.Job).delete()
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def workspace_id(jobs_url) -> int:
    from opencom.workspaces.service import create_workspace

    database = Database(jobs_url)
    with database.transaction() as session:
        workspace_id = create_workspace(session, "Jobs").workspace.id
    database.dispose()
    return workspace_id


@pytest.fixture
def kinds() -> Iterator[dict]:
    """Register test kinds through this dict's `add`; all are unregistered afterwards."""
    added: list[str] = []

    def add(kind, handler, **options):
        jobs.register(kind, handler, **options)
        added.append(kind)

    yield {"add": add}
    for kind in added:
        jobs.unregister(kind)


def enqueue(db, workspace_id, kind, payload=None, **options) -> int:
    with db.transaction() as session:
        return jobs.enqueue(session, workspace_id, kind, payload or {}, **options).id


def job_row(db, job_id) -> jobs.Job:
    with db.transaction(write=False) as session:
        return session.get(jobs.Job, job_id)


def count_jobs(db, kind) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(jobs.Job).where(jobs.Job.kind == kind))


def test_enqueue_claim_complete(db, workspace_id, kinds):
    seen = []
    kinds["add"]("test.ok", lambda session, job: seen.append((job.workspace_id, job.payload, job.attempts)))
    job_id = enqueue(db, workspace_id, "test.ok", {"n": 1})
    assert job_row(db, job_id).state == jobs.QUEUED

    worker = jobs.Worker(db, name="w1")
    now = clock.now()
    assert worker.run_once(now) is True
    assert seen == [(workspace_id, {"n": 1}, 1)]
    row = job_row(db, job_id)
    assert (row.state, row.attempts, row.locked_by, row.locked_until, row.last_error) == (jobs.DONE, 1, None, None, None)
    assert worker.run_once(now) is False  # done jobs are never claimed again


def test_run_after_and_unknown_kinds_wait(db, workspace_id, kinds):
    kinds["add"]("test.later", lambda session, job: None)
    now = clock.now()
    later = enqueue(db, workspace_id, "test.later", run_after=now + 60)
    unknown = enqueue(db, workspace_id, "test.nobody-handles-this")
    worker = jobs.Worker(db)
    assert worker.claim(now) is None
    assert worker.claim(now + 60).id == later
    assert job_row(db, unknown).state == jobs.QUEUED


def test_failures_are_retried_with_backoff_then_fail(db, workspace_id, kinds):
    failures = []

    def broken(session, job):
        raise RuntimeError(f"boom {job.attempts}")

    kinds["add"]("test.broken", broken, max_attempts=3, on_failure=lambda session, job, error: failures.append(error))
    job_id = enqueue(db, workspace_id, "test.broken")
    worker = jobs.Worker(db)
    now = clock.now()

    assert worker.run_once(now)
    row = job_row(db, job_id)
    assert (row.state, row.attempts, row.run_after, row.last_error) == (jobs.QUEUED, 1, now + 2, "RuntimeError: boom 1")
    assert worker.claim(now + 1) is None  # backing off

    assert worker.run_once(now + 2)
    row = job_row(db, job_id)
    assert (row.state, row.attempts, row.run_after) == (jobs.QUEUED, 2, now + 2 + 4)  # the wait doubles

    assert worker.run_once(now + 6)
    row = job_row(db, job_id)
    assert (row.state, row.attempts, row.last_error) == (jobs.FAILED, 3, "RuntimeError: boom 3")
    assert failures == ["RuntimeError: boom 3"]
    assert worker.claim(now + 10_000) is None
    assert [jobs.backoff(n) for n in (1, 2, 3, 20)] == [2, 4, 8, jobs.BACKOFF_CAP]


def test_handler_writes_commit_with_the_job_and_roll_back_with_a_failure(db, workspace_id, kinds):
    def writes_then_fails(session, job):
        jobs.enqueue(session, job.workspace_id, "test.marker", {})
        if job.payload["fail"]:
            raise ValueError("no")

    kinds["add"]("test.writer", writes_then_fails, max_attempts=1)
    enqueue(db, workspace_id, "test.writer", {"fail": True})
    jobs.Worker(db).run_once()
    assert count_jobs(db, "test.marker") == 0
    enqueue(db, workspace_id, "test.writer", {"fail": False})
    jobs.Worker(db).run_once()
    assert count_jobs(db, "test.marker") == 1


def test_an_expired_lease_is_reclaimed_and_the_old_holder_loses(db, workspace_id, kinds):
    def writes(session, job):
        jobs.enqueue(session, job.workspace_id, "test.lease-marker", {"by": job.worker})

    kinds["add"]("test.lease", writes)
    job_id = enqueue(db, workspace_id, "test.lease")
    first, second = jobs.Worker(db, name="first", lease=10), jobs.Worker(db, name="second", lease=10)
    now = clock.now()

    stale = first.claim(now)  # ... and then "dies" mid-job
    assert stale.attempts == 1 and job_row(db, job_id).locked_by == "first"
    assert second.claim(now + 10) is None  # the lease still holds
    fresh = second.claim(now + 11)
    assert (fresh.id, fresh.attempts) == (job_id, 2)

    first.run(stale, now + 12)  # the old holder wakes up: its outcome and its writes are refused
    assert count_jobs(db, "test.lease-marker") == 0
    assert job_row(db, job_id).locked_by == "second"
    second.run(fresh, now + 12)
    row = job_row(db, job_id)
    assert (row.state, row.attempts) == (jobs.DONE, 2)
    assert count_jobs(db, "test.lease-marker") == 1


def test_a_lease_that_expires_on_the_last_attempt_fails_the_job(db, workspace_id, kinds):
    failed = []
    kinds["add"]("test.dies", lambda session, job: None, max_attempts=1, on_failure=lambda s, job, error: failed.append(error))
    job_id = enqueue(db, workspace_id, "test.dies")
    worker = jobs.Worker(db, lease=5)
    now = clock.now()
    assert worker.claim(now).attempts == 1
    assert worker.run_once(now + 6)  # reclaimed as attempt 2 of 1: failed without running
    row = job_row(db, job_id)
    assert (row.state, row.attempts) == (jobs.FAILED, 2)
    assert failed == ["the job's lease expired on its last attempt"]


def test_a_job_enqueued_in_a_rolled_back_transaction_never_exists(db, workspace_id, kinds):
    ran = []
    kinds["add"]("test.rolled-back", lambda session, job: ran.append(job.id))
    with pytest.raises(RuntimeError):
        with db.transaction() as session:
            jobs.enqueue(session, workspace_id, "test.rolled-back", {})
            raise RuntimeError("the request failed")
    assert count_jobs(db, "test.rolled-back") == 0
    assert jobs.Worker(db).run_once() is False
    assert ran == []


def test_a_canceled_job_never_runs(db, workspace_id, kinds):
    kinds["add"]("test.cancel", lambda session, job: pytest.fail("canceled job ran"))
    job_id = enqueue(db, workspace_id, "test.cancel")
    with db.transaction() as session:
        assert jobs.cancel(session, job_id) is True
        assert jobs.cancel(session, job_id) is False  # only queued jobs can be canceled
    assert jobs.Worker(db).run_once() is False
    assert job_row(db, job_id).state == jobs.CANCELED


def test_two_workers_never_run_the_same_job(jobs_url, db, workspace_id, kinds):
    runs = Counter()
    lock = threading.Lock()

    def count(session, job):
        with lock:
            runs[job.id] += 1
        time.sleep(0.002)  # hold the job a moment, so the other worker really competes

    kinds["add"]("test.race", count)
    with db.transaction() as session:
        ids = [jobs.enqueue(session, workspace_id, "test.race", {"n": n}).id for n in range(40)]

    # Each worker has its own Database (engines and connections), as a second process would.
    databases = [Database(jobs_url) for _ in range(2)]
    workers = [jobs.Worker(database, name=f"racer{n}") for n, database in enumerate(databases)]
    done_by = Counter()

    def drain(worker):
        while worker.run_once():
            done_by[worker.name] += 1

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for database in databases:
        database.dispose()
    assert runs == Counter({job_id: 1 for job_id in ids})
    assert sum(done_by.values()) == 40
    with db.transaction(write=False) as session:
        states = session.scalars(select(jobs.Job.state).where(jobs.Job.kind == "test.race")).all()
    assert set(states) == {jobs.DONE}


def test_the_worker_thread_runs_a_job_soon_after_the_enqueue_commits(db, workspace_id, kinds):
    ran = threading.Event()
    kinds["add"]("test.thread", lambda session, job: ran.set())
    worker = jobs.Worker(db, poll_interval=30)  # a long poll: only the nudge can be this quick
    worker.start()
    try:
        time.sleep(0.1)  # let the thread reach its wait
        enqueue(db, workspace_id, "test.thread")
        assert ran.wait(5)  # well before the 30-s poll: the commit woke the worker
    finally:
        worker.stop()
    for _ in range(50):  # the outcome commits just after the handler returns
        if count_jobs(db, "test.thread") and job_row(db, _only_id(db, "test.thread")).state == jobs.DONE:
            break
        time.sleep(0.02)
    assert job_row(db, _only_id(db, "test.thread")).state == jobs.DONE


def test_start_worker_follows_the_setting(db):
    from opencom.core.settings import Settings

    assert jobs.start_worker(db, Settings(jobs_enabled=False)) is None
    jobs.stop_worker(None)


def _only_id(db, kind) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(jobs.Job.id).where(jobs.Job.kind == kind))
