"""The route class every API router uses: a sync route ends its transaction in its own thread.

The request's session (core.session) would otherwise be committed by the dependency's teardown,
back on the event loop and then in a second threadpool hop. On SQLite a writing transaction
holds the database's write lock from its first statement to its commit, so every event-loop
turn between the route's return and the commit is time the other writers, in every process,
wait: under load, most of a write's lock time. Committing (or rolling back) at the end of the
route, in the thread that ran it, holds the lock only for the work itself. The teardown then
finds the session closed and has nothing left to do.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from opencom.core.db import commit_and_close, rollback_and_close


def _ending_in_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        return endpoint  # runs on the loop: the teardown ends it as before

    @functools.wraps(endpoint)  # FastAPI reads the signature through __wrapped__
    def run(*args: Any, **kwargs: Any) -> Any:
        sessions = [value for value in kwargs.values() if isinstance(value, Session)]
        try:
            result = endpoint(*args, **kwargs)
        except BaseException:
            for session in sessions:
                rollback_and_close(session)
            raise
        for session in sessions:
            commit_and_close(session)
        return result

    return run


class TransactionRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _ending_in_thread(endpoint), **kwargs)
