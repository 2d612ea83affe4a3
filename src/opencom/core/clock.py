"""The one clock everything time-based reads.

Domains never call time.time() directly: the control plane can freeze or shift this clock, and
every timestamp, id, expiry and rate-limit window follows.

Two layers:

- the process clock: real time, unless frozen or shifted (POST /_opencom/clock without a
  workspace_id, and OPENCOM_SEED, which starts it frozen). It lives in this process's memory.
- a workspace clock: each workspace may freeze or shift its own clock on top of the process
  clock (POST /_opencom/clock with a workspace_id). Its state is stored on the workspace row, read
  with the token at authentication (no extra query), and put in a context variable for the
  request (core.protocol) or the background job (core.jobs) working for that workspace. Every
  `clock.now()` made there reads the workspace's clock, so parallel test workers that each own a
  workspace never move each other's time, and every server process sees the same clock.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ClockState:
    """A clock relative to a base clock: stopped at `frozen_at`, or the base moved by `offset`.

    The process clock's base is time.time(); a workspace clock's base is the process clock. The
    state is immutable: each change returns a new one (given the base's current time).
    """

    frozen_at: float | None = None
    offset: float = 0.0

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def follows_base(self) -> bool:
        return self.frozen_at is None and self.offset == 0

    def at(self, base: float) -> float:
        return self.frozen_at if self.frozen_at is not None else base + self.offset

    def freeze(self, base: float, at: float | None = None) -> ClockState:
        return ClockState(self.at(base) if at is None else at)  # a frozen clock needs no offset

    def unfreeze(self, base: float) -> ClockState:
        """Run again from where it stood (no jump back to the base)."""
        if self.frozen_at is None:
            return self
        return ClockState(None, self.frozen_at - base)

    def set(self, base: float, at: float) -> ClockState:
        """Jump to `at`; a running clock keeps running from there."""
        return replace(self, frozen_at=at) if self.frozen else ClockState(None, at - base)

    def advance(self, seconds: float) -> ClockState:
        if self.frozen_at is not None:
            return replace(self, frozen_at=self.frozen_at + seconds)
        return replace(self, offset=self.offset + seconds)


FOLLOWS_BASE = ClockState()


def stored_clock(frozen_at: float | None, offset: float | None) -> ClockState:
    """A workspace's clock from its two columns (workspaces.clock_frozen_at, clock_offset)."""
    if frozen_at is None and not offset:
        return FOLLOWS_BASE  # the common case: no new object per request
    return ClockState(frozen_at, offset or 0.0)

# The clock of the workspace the current request or job works for; None outside of one.
_workspace_clock: ContextVar[ClockState | None] = ContextVar("opencom_workspace_clock", default=None)


class Clock:
    def __init__(self) -> None:
        self._state = FOLLOWS_BASE

    # -- reading: the current workspace's clock when there is one ------------------------------

    def time(self) -> float:
        workspace = _workspace_clock.get()
        base = self.process_time()
        return base if workspace is None else workspace.at(base)

    def now(self) -> int:
        """Unix seconds, the unit of every `*_at` field in the API."""
        return int(self.time())

    @contextmanager
    def workspace(self, state: ClockState | None) -> Iterator[None]:
        """Read `state` (a workspace's clock) inside the block; None: the process clock."""
        token = _workspace_clock.set(None if state is None or state.follows_base else state)
        try:
            yield
        finally:
            _workspace_clock.reset(token)

    # -- the process clock ---------------------------------------------------------------------

    def process_time(self) -> float:
        """The process clock, whatever workspace is in context (job queue bookkeeping uses it)."""
        return self._state.at(time.time())

    def process_now(self) -> int:
        return int(self.process_time())

    @property
    def frozen(self) -> bool:
        return self._state.frozen

    def freeze(self, at: float | None = None) -> None:
        self._state = self._state.freeze(time.time(), at)

    def set(self, at: float) -> None:
        """Jump to `at`; a running clock keeps running from there."""
        self._state = self._state.set(time.time(), at)

    def unfreeze(self) -> None:
        """Let a frozen clock run again from where it stood (no jump back to real time)."""
        self._state = self._state.unfreeze(time.time())

    def advance(self, seconds: float) -> None:
        self._state = self._state.advance(seconds)

    def reset(self) -> None:
        self._state = FOLLOWS_BASE


clock = Clock()


def now() -> int:
    return clock.now()
