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
