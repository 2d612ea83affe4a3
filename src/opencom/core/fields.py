"""Checks that request field types of every domain share (used as pydantic validators)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator


def no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text, so refuse it up front instead of failing at COMMIT.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def not_bool(value: Any) -> Any:
    # JSON true/false would pass as 1/0 in pydantic's lax integers.
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")
    return value


# A text field or query parameter that will be compared with stored text: a NUL could never match
# and would make PostgreSQL fail the query, so it is a 400 naming the field.
Text = Annotated[str, AfterValidator(no_nul)]
