"""Waking this process's background threads as soon as a transaction gives them work.

Work written in a transaction (a job, a webhook delivery) becomes visible when the transaction
commits, not before. So a producer marks its session, and once the commit is done the threads
registered under that name are woken at once instead of at their next poll; a rollback forgets
the mark. (Other processes find the work at their next poll.)

    wakeups.register("jobs", nudge)          # a consumer, once per process
    wakeups.after_commit(session, "jobs")    # a producer, inside its transaction
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

_MARK = "opencom.wakeups"  # Session.info key: the names to wake after this session's commit
_hooks: dict[str, list[Callable[[], None]]] = {}


def register(name: str, hook: Callable[[], None]) -> None:
    _hooks.setdefault(name, []).append(hook)


def after_commit(session: Session, name: str) -> None:
    session.info.setdefault(_MARK, set()).add(name)


@event.listens_for(Session, "after_commit")
def _wake(session: Session) -> None:
    for name in session.info.pop(_MARK, ()):
        for hook in list(_hooks.get(name, ())):
            hook()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_MARK, None)
