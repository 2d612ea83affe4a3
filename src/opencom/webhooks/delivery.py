"""Delivering webhook notifications: threads in every server process, working the outbox.

A worker claims a *subscription*, not an event: one UPDATE ... WHERE id = (SELECT ... FOR UPDATE
SKIP LOCKED) RETURNING sets the lease (locked_by, locked_until_ms) and bumps `lease_epoch` (under
SQLite the write transaction holds the only write lock instead). Holding the lease, it sends the
subscription's oldest pending delivery, outside any transaction, then settles the outcome in a
transaction that first checks the lease is still its own (same worker, same epoch): the fence.
So one subscription is worked by one worker at a time, in any number of processes, and its
events leave in sequence order: an event waits until the one before it is delivered or given up.

A lease that runs out (the process died mid-send) is claimed again, and the unacknowledged event
is sent again with the same notification id and one more attempt: at-least-once, never a
second send of an acknowledged event. The attempt count is bumped when claiming, so an event
whose sends keep killing the process is still given up after `max_attempts`.

Outcomes of an attempt:
- 2xx: delivered; the streaks reset; the next pending event is due at once.
- 429: throttled, as Intercom does: wait Retry-After (seconds or an HTTP date) when given, else
  `throttle_base` doubling per consecutive 429 up to `throttle_cap`. Not a failure for pausing.
- anything else (other status, connection error, timeout): retried after `retry_base` doubling
  per attempt up to `retry_cap`; `pause_after` consecutive failed attempts pause the
  subscription (resume it from the control plane or CLI).
- after `max_attempts` attempts the event is given up ("failed") and the next one goes.

Every attempt is written to webhook_attempts (status or error, latency, a response snippet).
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import logging
import os
import socket
import threading
import time
import uuid
import weakref
from dataclasses import dataclass, replace
from typing import Any

import httpx
import orjson
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, aliased

from opencom.core import wakeups
from opencom.core.clock import FOLLOWS_BASE, ClockState, clock, stored_clock
from opencom.core.db import Database
from opencom.webhooks import publish
from opencom.webhooks.models import ACTIVE, DELIVERED, FAILED, PAUSED, PENDING, WebhookAttempt, WebhookDelivery, WebhookSubscription
from opencom.webhooks.publish import process_ms
from opencom.workspaces.models import Workspace

log = logging.getLogger("opencom.webhooks")

USER_AGENT = "intercom-parrot-service-client/1.0"  # what Intercom's signed notifications carry
POLL_INTERVAL = 0.5  # seconds between polls when idle (a publish in this process wakes it at once)
ERROR_PAUSE = 5.0  # after the database failed a poll
SNIPPET = 500  # characters of the receiver's answer kept in the log
CHAIN = 100  # events one lease may send in a row before the subscription goes back in line

DELIVERED_OUTCOME, RETRY, THROTTLED, GAVE_UP = "delivered", "retry", "throttled", "failed"


@dataclass(frozen=True)
class Tuning:
    """The delivery rules (OPENCOM_WEBHOOK_*); seconds unless named."""

    timeout: float = 5.0
    retry_base: float = 1.0
    retry_cap: float = 600.0
    max_attempts: int = 8
    pause_after: int = 10
    throttle_base: float = 60.0
    throttle_cap: float = 7200.0
    lease: float = 60.0

    @classmethod
    def from_settings(cls, settings: Any) -> Tuning:
        names = [f for f in cls.__dataclass_fields__]
        return cls(**{name: getattr(settings, f"webhook_{name}") for name in names if hasattr(settings, f"webhook_{name}")})

    def lease_ms(self) -> int:
        # Never shorter than one attempt: a lease must outlive the send it covers.
        return int(max(self.lease, self.timeout + 1.0) * 1000)

    def retry_delay(self, attempts: int) -> float:
        return min(self.retry_base * 2 ** (attempts - 1), self.retry_cap)

    def throttle_delay(self, streak: int, retry_after: str | None) -> float:
        given = parse_retry_after(retry_after)
        if given is not None:
            return min(given, self.throttle_cap)
        return min(self.throttle_base * 2 ** streak, self.throttle_cap)


@dataclass(frozen=True)
class Claim:
    """One event in hand: what to send and the lease it is sent under."""

    subscription_id: int
    epoch: int
    worker: str
    workspace_id: int
    delivery_id: int
    attempt: int
    url: str
    body: bytes
    signature: str
    chain: int = 0  # events sent before this one under the same lease


@dataclass(frozen=True)
class Result:
    status: int | None
    error: str | None
    latency_ms: int
    snippet: str | None
    retry_after: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


# -- the wire ----------------------------------------------------------------------------------


def notification(delivery: WebhookDelivery, attempt: int, first_sent_at: int) -> dict:
    """The notification_event as Intercom sends it."""
    return {
        "type": "notification_event",
        "id": delivery.notification_id,
        "topic": delivery.topic,
        "app_id": delivery.app_id,
        "data": {"type": "notification_event_data", "item": delivery.item},
        "delivery_status": "pending",  # the receiver's 2xx is what makes it delivered
        "delivery_attempts": attempt,
        "delivered_at": 0,
        "first_sent_at": first_sent_at,
        "created_at": delivery.created_at,
        "links": {},
        "self": None,
    }


def sign(secret: str, body: bytes) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as delay-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def send(http: httpx.Client, claim: Claim, timeout: float) -> Result:
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "X-Hub-Signature": claim.signature,
    }
    started = time.monotonic()
    try:
        response = http.post(claim.url, content=claim.body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return Result(None, f"timeout: no answer within {timeout:g} s", _ms_since(started), None, None)
    except Exception as exc:  # any failure to send (refused, reset, a URL httpx rejects) is a failed attempt
        return Result(None, f"{type(exc).__name__}: {exc}"[:1000], _ms_since(started), None, None)
    snippet = response.content[:SNIPPET * 4].decode("utf-8", "replace")[:SNIPPET]
    return Result(response.status_code, None, _ms_since(started), snippet, response.headers.get("retry-after"))


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


# -- claim and settle --------------------------------------------------------------------------


def _due(now_ms: int, sub=WebhookSubscription):
    unleased = or_(sub.locked_until_ms.is_(None), sub.locked_until_ms < now_ms)
    return and_(sub.state == ACTIVE, sub.next_due_ms <= now_ms, unleased)


_deliverers: weakref.WeakSet[Deliverer] = weakref.WeakSet()


class Deliverer:
    """Claims subscriptions and sends their events. start(n) runs n threads; the methods
    claim/deliver/run_once work without them (tests drive them with an explicit `now_ms`)."""

    def __init__(self, db: Database, tuning: Tuning | None = None, *, name: str | None = None,
                 poll_interval: float = POLL_INTERVAL) -> None:
        self.db = db
        self.tuning = tuning or Tuning()
        self.name = name or f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.poll_interval = poll_interval
        self._stop = threading.Event()
        self._wakes: list[threading.Event] = []
        self._threads: list[threading.Thread] = []
        self._local = threading.local()

    # -- one event -------------------------------------------------------------------------

    def claim(self, now_ms: int | None = None) -> Claim | bool:
        """An event to send; True when a subscription was seen to but had nothing due; False when idle."""
        now_ms = process_ms() if now_ms is None else now_ms
        # A cheap read first: an idle poll never takes SQLite's write lock.
        with self.db.transaction(write=False) as session:
            if session.scalar(select(WebhookSubscription.id).where(_due(now_ms)).limit(1)) is None:
                return False
        with self.db.transaction(write=True) as session:
            return self._claim(session, now_ms)

    def _claim(self, session: Session, now_ms: int) -> Claim | bool:
        tuning = self.tuning
        candidate = aliased(WebhookSubscription)  # a subquery on the UPDATE's own table would correlate
        pick = (
            select(candidate.id).where(_due(now_ms, candidate))
            .order_by(candidate.next_due_ms, candidate.id).limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite holds the write lock instead
            .scalar_subquery()
        )
        row = session.execute(
            update(WebhookSubscription).where(WebhookSubscription.id == pick)
            .values(locked_by=self.name, locked_until_ms=now_ms + tuning.lease_ms(),
                    lease_epoch=WebhookSubscription.lease_epoch + 1)
            .returning(WebhookSubscription.id, WebhookSubscription.lease_epoch, WebhookSubscription.url,
                       WebhookSubscription.secret, WebhookSubscription.workspace_id)
            .execution_options(synchronize_session=False)
        ).first()
        if row is None:
            return False
        head = _head(session, row.id)
        if head is None or head.next_attempt_ms > now_ms:
            # Nothing due after all: record when the head is due (NULL: the queue is empty).
            _release(session, row.id, next_due_ms=None if head is None else head.next_attempt_ms)
            return True
        with clock.workspace(_workspace_clock(session, row.workspace_id)):
            if head.attempts >= tuning.max_attempts:  # its last attempt died with the process sending it
                _give_up(session, head, "the lease ran out on the last attempt")
                _release(session, row.id, next_due_ms=_next_due(session, row.id))
                return True
            return self._take(head, row, row.lease_epoch, 0)

    def _take(self, head: WebhookDelivery, subscription, epoch: int, chain: int) -> Claim:
        """The head event, as this attempt sends it (the attempt is counted now, before sending)."""
        head.attempts += 1
        head.first_sent_at = head.first_sent_at or clock.now()
        head.updated_at = clock.now()
        body = orjson.dumps(notification(head, head.attempts, head.first_sent_at))
        return Claim(subscription.id, epoch, self.name, subscription.workspace_id, head.id, head.attempts,
                     subscription.url, body, sign(subscription.secret, body), chain)

    def deliver(self, claim: Claim, now_ms: int | None = None) -> Claim | None:
        """Send one event and settle it; returns the subscription's next event when it is due
        now (the lease is kept: one transaction per event while a queue drains)."""
        return self.settle(claim, send(self._http(), claim, self.tuning.timeout), now_ms)

    def settle(self, claim: Claim, result: Result, now_ms: int | None = None) -> Claim | None:
        now_ms = process_ms() if now_ms is None else now_ms
        with self.db.transaction(write=True) as session, clock.workspace(_workspace_clock(session, claim.workspace_id)):
            subscription = session.scalar(
                select(WebhookSubscription)
                .where(WebhookSubscription.id == claim.subscription_id, WebhookSubscription.locked_by == claim.worker,
                       WebhookSubscription.lease_epoch == claim.epoch)
                .with_for_update()
            )
            delivery = session.get(WebhookDelivery, claim.delivery_id)
            if delivery is None:  # emptied by a reset meanwhile: nothing to record
                if subscription is not None:
                    _release(session, subscription.id, next_due_ms=_next_due(session, subscription.id))
                return None
            if subscription is None:
                # The lease ran out and another worker took the subscription: the attempt is
                # logged, the event's state is the new holder's to decide.
                log.warning("webhook delivery %s: lease lost to another worker", claim.delivery_id)
                _log_attempt(session, claim, result, "stale")
                return None
            outcome = self._apply(session, subscription, delivery, result, now_ms)
            _log_attempt(session, claim, result, outcome)
            following = self._next_in_chain(session, subscription, claim, outcome, now_ms)
            if following is None:
                subscription.next_due_ms = _next_due(session, subscription.id)
                subscription.locked_by = subscription.locked_until_ms = None
            return following

    def _next_in_chain(self, session: Session, subscription: WebhookSubscription, claim: Claim, outcome: str,
                       now_ms: int) -> Claim | None:
        if outcome not in (DELIVERED_OUTCOME, GAVE_UP) or subscription.state != ACTIVE:
            return None
        if claim.chain + 1 >= CHAIN or self._stop.is_set():
            return None  # let other subscriptions (and a stopping process) have their turn
        head = _head(session, subscription.id)
        if head is None or head.next_attempt_ms > now_ms or head.attempts >= self.tuning.max_attempts:
            return None
        subscription.locked_until_ms = now_ms + self.tuning.lease_ms()
        subscription.next_due_ms = head.next_attempt_ms
        return self._take(head, subscription, claim.epoch, claim.chain + 1)

    def _apply(self, session: Session, subscription: WebhookSubscription, delivery: WebhookDelivery,
               result: Result, now_ms: int) -> str:
        tuning, now = self.tuning, clock.now()
        delivery.last_status, delivery.last_error, delivery.updated_at = result.status, result.error, now
        if result.ok:
            delivery.state, delivery.delivered_at = DELIVERED, now
            subscription.failure_streak = subscription.throttle_streak = 0
            outcome = DELIVERED_OUTCOME
        elif delivery.attempts >= tuning.max_attempts:
            _give_up(session, delivery, _describe(result))
            outcome = GAVE_UP
        elif result.status == 429:
            delay = tuning.throttle_delay(subscription.throttle_streak, result.retry_after)
            subscription.throttle_streak += 1
            delivery.next_attempt_ms = now_ms + int(delay * 1000)
            outcome = THROTTLED
        else:
            subscription.throttle_streak = 0
            delivery.next_attempt_ms = now_ms + int(tuning.retry_delay(delivery.attempts) * 1000)
            outcome = RETRY
        if not result.ok and result.status != 429:
            subscription.failure_streak += 1
            if subscription.failure_streak >= tuning.pause_after and subscription.state == ACTIVE:
                subscription.state, subscription.paused_at = PAUSED, now
                subscription.pause_reason = f"{subscription.failure_streak} consecutive failed attempts; the last: {_describe(result)}"
                log.warning("webhook subscription %s paused: %s", subscription.id, subscription.pause_reason)
        subscription.updated_at = now
        session.flush()
        return outcome

    def run_once(self, now_ms: int | None = None) -> bool:
        """Claim and send one due event; False when nothing was due."""
        claim = self.claim(now_ms)
        if isinstance(claim, bool):
            return claim
        while claim is not None:
            claim = self.deliver(claim, now_ms)
        return True

    def _http(self) -> httpx.Client:
        http = getattr(self._local, "http", None)
        if http is None:
            http = self._local.http = httpx.Client(follow_redirects=False, trust_env=False)
        return http

    # -- the threads -----------------------------------------------------------------------

    def nudge(self) -> None:
        for wake in self._wakes:
            wake.set()

    def start(self, threads: int = 1) -> None:
        _deliverers.add(self)
        for index in range(threads):
            wake = threading.Event()
            self._wakes.append(wake)
            thread = threading.Thread(target=self._loop, args=(wake,), name=f"opencom-webhooks-{index}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        """Stop after the sends in hand (a send still going after the timeout is reclaimed later)."""
        _deliverers.discard(self)
        self._stop.set()
        self.nudge()
        for thread in self._threads:
            thread.join(self.tuning.timeout + 5)

    def _loop(self, wake: threading.Event) -> None:
        try:
            while not self._stop.is_set():
                wake.clear()  # before polling: a nudge that arrives during the poll is kept
                try:
                    busy = self.run_once()
                except Exception as exc:
                    log.warning("webhook deliverer %s: poll failed: %s", self.name, exc)
                    self._stop.wait(ERROR_PAUSE)
                    continue
                if not busy:
                    wake.wait(self.poll_interval)
        finally:
            http = getattr(self._local, "http", None)
            if http is not None:
                http.close()


def _workspace_clock(session: Session, workspace_id: int) -> ClockState:
    """The clock of the event's workspace: the times an attempt records follow it, as the
    publishing request's did (scheduling stays on the process clock)."""
    row = session.execute(
        select(Workspace.clock_frozen_at, Workspace.clock_offset).where(Workspace.id == workspace_id)
    ).first()
    return FOLLOWS_BASE if row is None else stored_clock(row.clock_frozen_at, row.clock_offset)


def _head(session: Session, subscription_id: int) -> WebhookDelivery | None:
    return session.scalar(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.state == PENDING)
        .order_by(WebhookDelivery.sequence).limit(1)
    )


def _next_due(session: Session, subscription_id: int) -> int | None:
    head = _head(session, subscription_id)
    return None if head is None else head.next_attempt_ms


def _release(session: Session, subscription_id: int, *, next_due_ms: int | None) -> None:
    session.execute(
        update(WebhookSubscription).where(WebhookSubscription.id == subscription_id)
        .values(locked_by=None, locked_until_ms=None, next_due_ms=next_due_ms)
        .execution_options(synchronize_session=False)
    )


def _give_up(session: Session, delivery: WebhookDelivery, reason: str) -> None:
    delivery.state, delivery.last_error, delivery.updated_at = FAILED, reason, clock.now()
    session.flush()


def _describe(result: Result) -> str:
    return result.error or f"HTTP {result.status}"


def _log_attempt(session: Session, claim: Claim, result: Result, outcome: str) -> None:
    session.add(WebhookAttempt(
        workspace_id=claim.workspace_id, delivery_id=claim.delivery_id, attempt=claim.attempt, outcome=outcome,
        status_code=result.status, error=result.error, latency_ms=result.latency_ms,
        response_snippet=result.snippet, worker=claim.worker, sent_at=clock.now(),
    ))


# -- the app's deliverer -----------------------------------------------------------------------


def _nudge_all() -> None:
    for deliverer in list(_deliverers):
        deliverer.nudge()


wakeups.register(publish.WAKEUP, _nudge_all)


def start(db: Database, settings: Any) -> Deliverer | None:
    """The app lifespan's deliverer: OPENCOM_WEBHOOK_WORKERS threads (none when 0, or when
    OPENCOM_JOBS_ENABLED=false turns background work off in this process)."""
    threads = getattr(settings, "webhook_workers", 1)
    if threads <= 0 or not getattr(settings, "jobs_enabled", True):
        return None
    deliverer = Deliverer(db, Tuning.from_settings(settings))
    deliverer.start(threads)
    return deliverer


def stop(deliverer: Deliverer | None) -> None:
    if deliverer is not None:
        deliverer.stop()


def retune(**changes: Any) -> list[tuple[Deliverer, Tuning]]:
    """Change the rules of every running deliverer in this process (tests); returns what to restore."""
    saved = [(d, d.tuning) for d in list(_deliverers)]
    for deliverer, tuning in saved:
        deliverer.tuning = replace(tuning, **changes)
    return saved
