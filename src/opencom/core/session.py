"""One database transaction per request: commit when the route returns, roll back on error.

Two rules keep the threadpool from starving while SQLite serialises writers:
- On SQLite, a process lets one writing request at a time into the threadpool (an async lock
  held from before the route runs until its commit). SQLite admits one writer anyway; without
  the gate, 40 requests can fill the pool's 40 threads waiting on the write lock (BEGIN
  IMMEDIATE) while the holder's commit waits for a free thread: stuck until busy_timeout.
- Transactions end (commit/rollback) on their own small limiter, never behind requests that
  are waiting to start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import anyio
from anyio import to_thread
from anyio.lowlevel import RunVar
from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.requests import Request

from opencom.core.db import commit_and_close, rollback_and_close

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# POSTs that only read (Intercom's searches and the companies list take their query in a
# body): a read transaction, so on SQLite they neither take the write lock nor the write gate.
READ_POSTS = frozenset({"/contacts/search", "/conversations/search", "/tickets/search", "/companies/list"})


def reads_only(request: Request) -> bool:
    method = request.method
    return method in READ_METHODS or (method == "POST" and request.scope["path"] in READ_POSTS)

# Per event loop (anyio's RunVar), as anyio's own default limiter is.
_ENDINGS: RunVar[anyio.CapacityLimiter] = RunVar("opencom_transaction_endings")
_GATES: RunVar[dict[int, anyio.Lock]] = RunVar("opencom_sqlite_write_gates")


def _ending_limiter() -> anyio.CapacityLimiter:
    try:
        return _ENDINGS.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(8)
        _ENDINGS.set(limiter)
        return limiter


def _write_gate(db) -> anyio.Lock:
    try:
        gates = _GATES.get()
    except LookupError:
        gates = {}
        _GATES.set(gates)
    return gates.setdefault(id(db), anyio.Lock())


async def get_session(request: Request) -> AsyncIterator[Session]:
    """An async dependency on purpose: FastAPI runs a sync generator dependency's start and end
    in two threadpool hops. Opening a session touches no database (the transaction begins with
    the first query, in the route's thread), so only the end, commit or rollback, needs one."""
    db = request.app.state.db
    read = reads_only(request)
    if read or not db.is_sqlite:
        async with _transaction(db, read) as session:
            yield session
        return
    async with _write_gate(db), _transaction(db, read) as session:
        yield session


@asynccontextmanager
async def _transaction(db, read: bool) -> AsyncIterator[Session]:
    session = db.session(write=not read)
    try:
        yield session
    except BaseException:
        await to_thread.run_sync(rollback_and_close, session, limiter=_ending_limiter())
        raise
    if not session.in_transaction() or (read and db.is_sqlite):
        # Already ended by the route's thread (core.routing), or a read transaction in WAL
        # mode, whose end takes no lock and does no I/O: done in place.
        commit_and_close(session)
    else:
        await to_thread.run_sync(commit_and_close, session, limiter=_ending_limiter())


# scope="function": the commit happens before the response is sent, so a failed commit is
# answered with an error instead of a 200 for a write that never landed.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
