"""One database transaction per request: commit when the route returns, roll back on error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.requests import Request

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    db = request.app.state.db
    with db.transaction(write=request.method not in READ_METHODS) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit is
# answered with an error instead of a 200 for a write that never landed.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
