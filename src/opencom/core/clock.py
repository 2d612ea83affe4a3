"""The one clock everything time-based reads.

Domains never call time.time() directly: tests (and later the control plane) can freeze or
shift this clock, and every timestamp, expiry and rate-limit window follows.
"""

from __future__ import annotations

import time


class Clock:
    def __init__(self) -> None:
        self._frozen_at: float | None = None
        self._offset: float = 0.0

    def time(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at
        return time.time() + self._offset

    def now(self) -> int:
        """Unix seconds, the unit of every `*_at` field in the API."""
        return int(self.time())

    def freeze(self, at: float | None = None) -> None:
        self._frozen_at = self.time() if at is None else at

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def set(self, at: float) -> None:
        """Jump to `at`; a running clock keeps running from there."""
        if self._frozen_at is not None:
            self._frozen_at = at
        else:
            self._offset = at - time.time()

    def unfreeze(self) -> None:
        """Let a frozen clock run again from where it stood (no jump back to real time)."""
        if self._frozen_at is not None:
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None

    def advance(self, seconds: float) -> None:
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds

    def reset(self) -> None:
        self._frozen_at = None
        self._offset = 0.0


clock = Clock()


def now() -> int:
    return clock.now()
