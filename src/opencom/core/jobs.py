"""Background jobs: a queue in the database, worked by a thread inside every server process.

    register("data_export", build_export, max_attempts=3, on_failure=mark_failed)
    enqueue(session, workspace_id, "data_export", {"export_id": 7})   # in the request's transaction

A job is a row of `jobs`, so it is written (or not) with the request that asked for it: a job
enqueued in a transaction that rolls back never exists. Its state moves

    queued -> running -> done
                      -> queued again, `run_after` pushed back (a failure with attempts left)
                      -> failed (the last attempt failed; the kind's `on_failure` runs)
    queued -> canceled (cancel() before a worker claimed it)

A worker claims one due job at a time in a single UPDATE ... WHERE id = (SELECT ...) RETURNING:
under PostgreSQL the inner SELECT is FOR UPDATE SKIP LOCKED, under SQLite the transaction holds
the database's only write lock (BEGIN IMMEDIATE), so two workers never claim the same job. A claim
is a lease (`locked_until`): a job whose lease ran out is claimed again, which is how work left by
a process that died mid-job is picked up. Each claim bumps `attempts`, and (locked_by, attempts)
fences the outcome: a worker that lost its lease can't mark the job done, and its handler's writes
roll back with that refusal.

The handler runs in a transaction of its own, the one that marks the job done, so its writes and
the job's completion land together. Handlers must be idempotent enough to run twice (a lease can
run out under a slow handler) and should finish well within the lease.

Times are integer Unix seconds from core.clock, so a frozen or shifted clock moves job times too.
The queue's times (run_after, leases) are on the process clock; a handler runs on the clock of
its job's workspace, like a request of that workspace.
Only registered kinds are claimed: a process that doesn't know a kind leaves its jobs to others.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from opencom.core import wakeups
from opencom.core.clock import FOLLOWS_BASE, ClockState, clock, stored_clock
from opencom.core.db import Base, Database, IdInteger
from opencom.workspaces.models import Workspace

log = logging.getLogger("opencom.jobs")

QUEUED, RUNNING, DONE, FAILED, CANCELED = "queued", "running", "done", "failed", "canceled"
POLL_INTERVAL = 0.5  # seconds between polls when idle (an enqueue in this process wakes it at once)
ERROR_PAUSE = 5.0  # after the database failed a poll (down, or not migrated yet)
LEASE_SECONDS = 300
DEFAULT_MAX_ATTEMPTS = 5
BACKOFF_BASE = 2  # seconds before the 2nd attempt; doubles each time
BACKOFF_CAP = 600
WAKEUP = "jobs"  # core.wakeups name: an enqueue wakes this process's workers after its commit


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "state", "run_after"),)

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[int] = mapped_column(BigInteger)
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locked_until: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


@dataclass(frozen=True)
class ClaimedJob:
    """What a handler gets: the job as claimed. `attempts` counts this attempt (1 the first time)."""

    id: int
    workspace_id: int
    kind: str
    payload: dict
    attempts: int
    worker: str


Handler = Callable[[Session, ClaimedJob], None]
FailureHook = Callable[[Session, ClaimedJob, str], None]


@dataclass(frozen=True)
class Kind:
    handler: Handler
    max_attempts: int
    on_failure: FailureHook | None


_kinds: dict[str, Kind] = {}


def register(kind: str, handler: Handler, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS, on_failure: FailureHook | None = None) -> None:
    """Name the handler of a kind. `on_failure` runs, in the transaction that marks the job
    failed, once the last attempt failed."""
    _kinds[kind] = Kind(handler, max_attempts, on_failure)


def registered(kind: str) -> Kind | None:
    return _kinds.get(kind)


def unregister(kind: str) -> None:
    _kinds.pop(kind, None)


# -- producing ---------------------------------------------------------------------------------


def enqueue(session: Session, workspace_id: int, kind: str, payload: dict[str, Any], run_after: int | None = None) -> Job:
    """Add a job in the caller's transaction; it becomes visible (and runs) once that commits."""
    # The queue's own times are on the process clock: a workspace clock set in the future
    # would otherwise leave its jobs waiting for a day that never comes to the worker.
    now = clock.process_now()
    job = Job(workspace_id=workspace_id, kind=kind, payload=payload, state=QUEUED, attempts=0,
              run_after=now if run_after is None else run_after, created_at=now, updated_at=now)
    session.add(job)
    session.flush()
    wakeups.after_commit(session, WAKEUP)
    return job


def cancel(session: Session, job_id: int) -> bool:
    """Cancel a job nobody has claimed yet; False when it is running or finished."""
    result = session.execute(
        update(Job).where(Job.id == job_id, Job.state == QUEUED)
        .values(state=CANCELED, updated_at=clock.process_now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def backoff(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th attempt failed."""
    return min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_CAP)


# Enqueues wake this process's workers once the transaction commits (not before: the job
# would not be visible yet), so a job runs within milliseconds instead of the next poll.
_workers: weakref.WeakSet[Worker] = weakref.WeakSet()


def _nudge_workers() -> None:
    for worker in list(_workers):
        worker.nudge()


wakeups.register(WAKEUP, _nudge_workers)


# -- consuming ---------------------------------------------------------------------------------


def _due(now: int, job=Job):
    """Queued jobs whose time has come, and running jobs whose lease ran out."""
    waiting = and_(job.state == QUEUED, job.run_after <= now)
    abandoned = and_(job.state == RUNNING, job.locked_until < now)
    return and_(or_(waiting, abandoned), job.kind.in_(list(_kinds)))


class _LeaseLost(Exception):
    pass


class Worker:
    """Claims and runs jobs, one at a time. start() runs it in a daemon thread; the methods
    claim/run/run_once work without the thread too (tests drive them with an explicit `now`)."""

    def __init__(self, db: Database, *, name: str | None = None, lease: int = LEASE_SECONDS, poll_interval: float = POLL_INTERVAL) -> None:
        self.db = db
        self.name = name or f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease = lease
        self.poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one job ---------------------------------------------------------------------------

    def claim(self, now: int | None = None) -> ClaimedJob | None:
        now = clock.process_now() if now is None else now
        if not _kinds:
            return None
        # A cheap read first: an idle poll then never takes SQLite's write lock.
        with self.db.transaction(write=False) as session:
            if session.scalar(select(Job.id).where(_due(now)).limit(1)) is None:
                return None
        with self.db.transaction(write=True) as session:
            return self._claim(session, now)

    def _claim(self, session: Session, now: int) -> ClaimedJob | None:
        # An alias: a subquery on the UPDATE's own table would otherwise correlate to it.
        candidate = aliased(Job)
        pick = (
            select(candidate.id).where(_due(now, candidate)).order_by(candidate.run_after, candidate.id).limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite holds the write lock instead
            .scalar_subquery()
        )
        claimed = session.execute(
            update(Job).where(Job.id == pick)
            .values(state=RUNNING, attempts=Job.attempts + 1, locked_by=self.name, locked_until=now + self.lease, updated_at=now)
            .returning(Job.id, Job.workspace_id, Job.kind, Job.payload, Job.attempts)
            .execution_options(synchronize_session=False)
        ).first()
        if claimed is None:
            return None
        return ClaimedJob(claimed.id, claimed.workspace_id, claimed.kind, claimed.payload or {}, claimed.attempts, self.name)

    def run(self, job: ClaimedJob, now: int | None = None) -> None:
        """Run a claimed job's handler and record the outcome."""
        kind = _kinds.get(job.kind)
        if kind is None:  # unregistered since the claim: let the lease run out for another process
            return
        if job.attempts > kind.max_attempts:  # the last attempt died with the process running it
            self._give_up(job, kind, "the job's lease expired on its last attempt", now)
            return
        try:
            with self.db.transaction(write=True) as session, clock.workspace(_workspace_clock(session, job)):
                kind.handler(session, job)
                if not _settle(session, job, now, state=DONE, last_error=None):
                    raise _LeaseLost
        except _LeaseLost:
            log.warning("job %s (%s): lease lost to another worker; its work was rolled back", job.id, job.kind)
        except Exception as exc:  # any handler failure is retried, then recorded
            error = f"{type(exc).__name__}: {exc}"[:2000]
            log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, error)
            if job.attempts >= kind.max_attempts:
                self._give_up(job, kind, error, now)
            else:
                self._retry(job, error, now)

    def _retry(self, job: ClaimedJob, error: str, now: int | None) -> None:
        later = (clock.process_now() if now is None else now) + backoff(job.attempts)
        with self.db.transaction(write=True) as session:
            _settle(session, job, now, state=QUEUED, run_after=later, last_error=error)

    def _give_up(self, job: ClaimedJob, kind: Kind, error: str, now: int | None) -> None:
        with self.db.transaction(write=True) as session:
            if not _settle(session, job, now, state=FAILED, last_error=error) or kind.on_failure is None:
                return
            try:
                with session.begin_nested(), clock.workspace(_workspace_clock(session, job)):
                    kind.on_failure(session, job, error)
            except Exception:  # the job stays failed even when its hook breaks
                log.exception("job %s (%s): on_failure hook failed", job.id, job.kind)

    def run_once(self, now: int | None = None) -> bool:
        """Claim and run one due job; False when none was due."""
        job = self.claim(now)
        if job is None:
            return False
        self.run(job, now)
        return True

    # -- the thread ------------------------------------------------------------------------

    def nudge(self) -> None:
        self._wake.set()

    def start(self) -> None:
        _workers.add(self)
        self._thread = threading.Thread(target=self._loop, name=f"opencom-jobs-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the job in hand (a job still running after `timeout` is reclaimed later)."""
        _workers.discard(self)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before polling: a nudge that arrives during the poll is kept
            try:
                busy = self.run_once()
            except Exception as exc:
                log.warning("job worker %s: poll failed: %s", self.name, exc)
                self._stop.wait(ERROR_PAUSE)
                continue
            if not busy:
                self._wake.wait(self.poll_interval)


def _workspace_clock(session: Session, job: ClaimedJob) -> ClockState:
    """The clock of the job's workspace: its handler's timestamps follow it, as a request's do."""
    row = session.execute(
        select(Workspace.clock_frozen_at, Workspace.clock_offset).where(Workspace.id == job.workspace_id)
    ).first()
    return FOLLOWS_BASE if row is None else stored_clock(row.clock_frozen_at, row.clock_offset)


def _settle(session: Session, job: ClaimedJob, now: int | None, **values: Any) -> bool:
    """Record the outcome of this attempt, if the job is still ours (same worker, same attempt)."""
    result = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.state == RUNNING, Job.locked_by == job.worker, Job.attempts == job.attempts)
        .values(locked_by=None, locked_until=None, updated_at=clock.process_now() if now is None else now, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def start_worker(db: Database, settings: Any) -> Worker | None:
    """The app lifespan's worker (None when OPENCOM_JOBS_ENABLED=false)."""
    if not getattr(settings, "jobs_enabled", True):
        return None
    worker = Worker(db)
    worker.start()
    return worker


def stop_worker(worker: Worker | None) -> None:
    if worker is not None:
        worker.stop()
