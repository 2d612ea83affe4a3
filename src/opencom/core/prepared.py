"""A select compiled once and run straight on a DBAPI connection (the hot reads, core.hot).

SQLAlchemy builds the SQL and converts the results (its own result processors: 0/1 to bool and
JSON text to objects on SQLite), but per call there is no statement, no compiled-cache lookup,
no Connection and no Result object: a cursor execute and a tuple per row, ~10× less CPU for a
primary-key read. Rows are named tuples, so code written for ORM objects or Core rows
(`row.email`) reads them unchanged.
"""

from __future__ import annotations

import re
from collections import namedtuple
from typing import Any

from sqlalchemy import Dialect, Select


class PreparedQuery:
    """`stmt` compiled for `dialect`: positional parameters for sqlite3, named ones for psycopg.

    `lists` names the expanding parameters (`col.in_(bindparam(..., expanding=True))`) and how
    many values each takes: the IN list is rendered at that size once.
    """

    def __init__(self, stmt: Select, dialect: Dialect, lists: dict[str, int] | None = None) -> None:
        lists = lists or {}
        sample = {name: [None] * size for name, size in lists.items()}
        compiled = (stmt.params(**sample) if sample else stmt).compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True}
        )
        self.sql = compiled.string
        # Literals bound in the statement itself (a postcompiled statement won't give them).
        self._defaults = dict(stmt.compile(dialect=dialect).params)
        self._positional = compiled.positional
        self._names = list(compiled.positiontup or ()) if compiled.positional else _named(self.sql)
        self._lists = lists
        columns = list(stmt.selected_columns)
        processors = [_processor(c.type, dialect) for c in columns]
        self._conversions = [(i, p) for i, p in enumerate(processors) if p is not None]
        self.Row = namedtuple("Row", [c.key for c in columns], rename=True)

    def _values(self, params: dict[str, Any]) -> list[Any] | dict[str, Any]:
        given = dict(params)
        for name in self._lists:
            for index, value in enumerate(given.pop(name)):
                given[f"{name}_{index + 1}"] = value
        if not self._positional:
            return {n: given[n] if n in given else self._defaults[n] for n in self._names}
        return [given[n] if n in given else self._defaults[n] for n in self._names]

    def all(self, connection: Any, **params: Any) -> list[tuple]:
        rows = connection.execute(self.sql, self._values(params)).fetchall()
        if not self._conversions:
            return [self.Row._make(row) for row in rows]
        return [self.Row._make(self._converted(row)) for row in rows]

    def _converted(self, row: tuple) -> list:
        values = list(row)
        for index, processor in self._conversions:
            values[index] = processor(values[index])
        return values

    def first(self, connection: Any, **params: Any) -> tuple | None:
        rows = self.all(connection, **params)
        return rows[0] if rows else None


def _named(sql: str) -> list[str]:
    """The parameter names of a pyformat statement (`%(name)s`), each once."""
    return list(dict.fromkeys(re.findall(r"%\((\w+)\)s", sql)))


def _processor(type_: Any, dialect: Dialect) -> Any:
    """SQLAlchemy's conversion of a result column, or None. PostgreSQL's numeric types choose
    theirs by the column's type in the result, which a prepared query doesn't know: there the
    driver's own value (psycopg: float, Decimal) is already the one SQLAlchemy would return."""
    try:
        return type_.dialect_impl(dialect).result_processor(dialect, None)
    except TypeError:
        return None
