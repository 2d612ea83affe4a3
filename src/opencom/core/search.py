"""Compile Intercom search queries (the `query` of a `search_request`) into SQL WHERE clauses.

A domain describes what can be searched with a `FieldTable` (field name -> `SearchField`),
and `compile_query` turns the request JSON into one SQLAlchemy boolean expression. Nothing is
filtered in Python, so pagination and counting stay in the database.

Query shape
    filter: {"field": str, "operator": op, "value": scalar | array | null}
    group:  {"operator": "AND" | "OR", "value": [filter | group, ...]}
    The root may be either. Groups nest at most 2 levels (a root group whose members may be
    groups of plain filters), hold 1 to 15 members, and unknown keys are ignored.

Operators
    =  !=  IN  NIN  <  <=  >  >=  ~ (contains)  !~ (not contains)  ^ (starts with)  $ (ends with)
    IN/NIN take a non-empty array (at most 200 values); every other operator takes a scalar.
    Default sets per type: string `= != IN NIN ~ !~ ^ $`; boolean `= != IN NIN`;
    integer and float `= != IN NIN < > <= >=`; date `= < >` in DateMode.DAY and
    `= != IN NIN < > <= >=` in DateMode.INCLUSIVE. A field or table may override them.

Values
    integer: JSON integers (or integral floats) and numeric strings, within 64-bit range.
    float:   JSON numbers and numeric strings, finite.
    date:    Unix seconds, as for integers, between the years 1 and 9999.
    boolean: true/false and the strings "true"/"false" (any case).
    string:  strings, and numbers converted with str(); NUL characters are refused
             (PostgreSQL cannot store them, so they could never match anyway).

NULL semantics (a row whose column is NULL, or a JSON attribute that is missing or null)
    `= null` is IS NULL and `!= null` is IS NOT NULL; null with any other operator is an error.
    The negative operators `!=`, `NIN` and `!~` match NULL rows, as `None != "x"` would in
    Python. `=`, `IN`, `~`, `^`, `$`, `<`, `<=`, `>`, `>=` never match NULL.

Strings
    `=` and `IN` are exact (case-sensitive). `~ !~ ^ $` are case-insensitive LIKE matches
    (ILIKE on PostgreSQL, lower() LIKE lower() on SQLite, so ASCII case folding is what both
    agree on), with `%`, `_` and the escape character escaped in the value. `^` is written so
    that an index can answer it (PrefixMatch), with the same meaning.

Dates (columns hold integer Unix seconds)
    DateMode.DAY (Contacts): the value is truncated to its calendar day in `tz`, the workspace
    timezone. `=` matches that whole day, `>` matches from the start of the next day, and `<`
    matches before the start of that day.
    DateMode.INCLUSIVE (Conversations, Tickets): second precision; `>` and `<` are inclusive
    (the upstream tables say "greater/lower (or equal)"), and `>=` / `<=` mean the same.

Errors
    Every problem is ApiError 400 `parameter_invalid` whose `field` is a path into the request,
    such as `query.value[1].operator` or `query.value[0].value[2]` (an IN element).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from opencom.core.errors import ApiError, parameter_invalid

MAX_DEPTH = 2
MAX_GROUP_SIZE = 15
# Bounds the number of bind parameters: 15 x 15 filters x 200 values stays under PostgreSQL's
# 65535 parameters per statement.
MAX_LIST_SIZE = 200

GROUP_OPERATORS = ("AND", "OR")
OPERATORS = ("=", "!=", "IN", "NIN", "<", "<=", ">", ">=", "~", "!~", "^", "$")
LIST_OPERATORS = ("IN", "NIN")
NULL_OPERATORS = ("=", "!=")

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# 0001-01-03 .. 9999-12-29 UTC: far enough inside datetime's range that the day bounds of any
# value exist in any timezone.
DATE_MIN, DATE_MAX = -62135424000, 253402041600

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
_FLOAT_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


class FieldType(str, Enum):
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"


# Data attribute types -> search types (a datetime attribute holds Unix seconds like a date);
# contacts, companies and the custom-attribute indexes all map them this way.
ATTRIBUTE_SEARCH_TYPES = {
    "string": FieldType.STRING,
    "integer": FieldType.INTEGER,
    "float": FieldType.FLOAT,
    "boolean": FieldType.BOOLEAN,
    "date": FieldType.DATE,
    "datetime": FieldType.DATE,
}


class DateMode(str, Enum):
    DAY = "day"
    INCLUSIVE = "inclusive"


_EQUALITY = frozenset({"=", "!=", "IN", "NIN"})
_ORDER = frozenset({"<", ">", "<=", ">="})
_TEXT = frozenset({"~", "!~", "^", "$"})

DEFAULT_OPERATORS: Mapping[FieldType, frozenset[str]] = {
    FieldType.STRING: _EQUALITY | _TEXT,
    FieldType.BOOLEAN: _EQUALITY,
    FieldType.INTEGER: _EQUALITY | _ORDER,
    FieldType.FLOAT: _EQUALITY | _ORDER,
}
DATE_OPERATORS: Mapping[DateMode, frozenset[str]] = {
    DateMode.DAY: frozenset({"=", "<", ">"}),
    DateMode.INCLUSIVE: _EQUALITY | _ORDER,
}


@dataclass(frozen=True)
class SearchField:
    """One searchable field.

    `column` is compared with the value. `build`, when given, is used instead: it receives the
    operator and the coerced value (a list for IN/NIN, None for `= null` / `!= null`, raw Unix
    seconds for dates) and returns the boolean expression, e.g. an EXISTS on a join table.
    `operators` replaces the table's operator set for this field.
    """

    type: FieldType
    column: ColumnElement | None = None
    build: Callable[[str, Any], ColumnElement[bool]] | None = None
    operators: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.column is None and self.build is None:
            raise ValueError("A SearchField needs a column or a build function")
        if self.operators is not None and not self.operators <= set(OPERATORS):
            raise ValueError(f"Unknown operators: {sorted(self.operators - set(OPERATORS))}")


class FieldTable:
    """The searchable fields of one domain, and how its dates compare."""

    def __init__(
        self,
        fields: Mapping[str, SearchField],
        *,
        date_mode: DateMode = DateMode.DAY,
        dynamic: Callable[[str], SearchField | None] | None = None,
        operators: Mapping[FieldType, frozenset[str]] | None = None,
    ) -> None:
        self.fields = dict(fields)
        self.date_mode = DateMode(date_mode)
        self.dynamic = dynamic
        self.operators = {
            **DEFAULT_OPERATORS,
            FieldType.DATE: DATE_OPERATORS[self.date_mode],
            **(operators or {}),
        }

    def lookup(self, name: str) -> SearchField | None:
        field = self.fields.get(name)
        if field is None and self.dynamic is not None:
            field = self.dynamic(name)
        return field

    def operators_for(self, field: SearchField) -> frozenset[str]:
        return field.operators if field.operators is not None else self.operators[field.type]


def compile_query(
    query: Any, table: FieldTable, *, tz: tzinfo = timezone.utc, path: str = "query"
) -> ColumnElement[bool]:
    """The WHERE clause for `query`; raises ApiError 400 `parameter_invalid` on any problem."""
    return _Compiler(table, tz).node(query, path, level=1)


def json_value(column: Any, key: str, type: FieldType) -> ColumnElement:
    """One key of a JSON column as a typed SQL value, on SQLite and PostgreSQL alike.

    A missing key and a JSON null both give SQL NULL. The key is written into the SQL as a
    literal, not a parameter, so that an expression index on the same JsonValue (see
    `json_index_ddl`) matches the query. The expression never raises on bad data (a string
    where a number was expected gives NULL on PostgreSQL), because an index over it is computed
    for every row of every workspace.
    """
    # SQLite's JSON path syntax has no way to escape a double quote inside a key.
    if '"' in key:
        raise parameter_invalid(f"Invalid attribute name '{key}'")
    return JsonValue(column, key, type)


class _JsonNumber(sa.types.TypeDecorator):
    """Bind type for numbers compared with a JsonValue: NUMERIC on PostgreSQL (where the JSON
    number is read as NUMERIC, exact and unable to overflow), FLOAT elsewhere.

    A float is sent as the shortest decimal that reads back as it (repr), which keeps the order
    of floats, so `<`/`>` mean what they mean for Python floats.
    """

    impl = sa.Float
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.Numeric())
        return dialect.type_descriptor(sa.Float())

    def process_bind_param(self, value, dialect):
        if dialect.name == "postgresql" and isinstance(value, float):
            return Decimal(repr(value))
        return value


class JsonValue(ColumnElement):
    """`json_value`'s expression; compiled per dialect below."""

    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("key", InternalTraversal.dp_string),
        ("kind", InternalTraversal.dp_string),
    ]

    def __init__(self, column: Any, key: str, kind: FieldType) -> None:
        self.column = column
        self.key = key
        self.kind = FieldType(kind).value
        self.type = {
            "string": sa.String(), "integer": sa.BigInteger(), "date": sa.BigInteger(),
            "float": sa.Float(), "boolean": sa.Boolean(),
        }[self.kind]

    def bind(self, value: Any) -> Any:
        """`value` as a parameter typed to compare with this expression on every dialect."""
        if self.kind in ("integer", "float", "date"):
            if isinstance(value, list):
                return sa.bindparam(None, value, type_=_JsonNumber(), expanding=True)
            return sa.literal(value, _JsonNumber())
        return value


_SQLITE_CASTS = {
    "string": "CAST({v} AS VARCHAR)",
    "integer": "CAST(CAST({v} AS VARCHAR) AS BIGINT)",
    "date": "CAST(CAST({v} AS VARCHAR) AS BIGINT)",
    "float": "CAST({v} AS FLOAT)",
    "boolean": "CAST({v} AS BOOLEAN)",
}


@compiles(JsonValue)
def _json_value_sqlite(element: JsonValue, compiler, **kw) -> str:
    # SQLite's CASTs never fail: text in a number attribute reads as 0, as it always did here.
    column = compiler.process(element.column, **kw)
    path = compiler.render_literal_value(f'$."{element.key}"', sa.String())
    return _SQLITE_CASTS[element.kind].format(v=f"JSON_EXTRACT({column}, {path})")


@compiles(JsonValue, "postgresql")
def _json_value_postgresql(element: JsonValue, compiler, **kw) -> str:
    # Read a number or a boolean only when the JSON holds one: a cast of anything else would
    # fail the statement (and, in an index, every insert of a row holding it).
    column = compiler.process(element.column, **kw)
    key = compiler.render_literal_value(element.key, sa.String())
    text = f"({column} ->> {key})"
    if element.kind == "string":
        return text
    json_type, sql_type = ("boolean", "BOOLEAN") if element.kind == "boolean" else ("number", "NUMERIC")
    return f"(CASE WHEN json_typeof({column} -> {key}) = '{json_type}' THEN CAST({text} AS {sql_type}) END)"


def json_index_ddl(table: str, column: str, key: str, kind: FieldType, dialect: Any) -> tuple[str, str]:
    """The name and the CREATE INDEX statement of an index on (workspace_id, json_value(key)).

    On SQLite it is partial (only the rows holding a value), so an attribute few rows have
    costs little to keep. Not on PostgreSQL, whose planner takes statistics from an expression
    index only when it is not partial (selfuncs.c), and needs them to see how many rows a range
    keeps. IF NOT EXISTS, so that racing creators both succeed. The caller checks the key
    (json_value).
    """
    kind = FieldType(kind)
    sql = str(JsonValue(sa.column(column), key, kind).compile(dialect=dialect))
    digest = hashlib.sha1(f"{column}\0{key}\0{kind.value}".encode()).hexdigest()[:16]
    name = f"ix_{table}_json_{digest}"
    ddl = f"CREATE INDEX IF NOT EXISTS {name} ON {table} (workspace_id, {sql})"
    return name, ddl if dialect.name == "postgresql" else f"{ddl} WHERE {sql} IS NOT NULL"


class PrefixMatch(ColumnElement):
    """`^` (starts with, ASCII case-insensitive) in a form each database can answer from an index.

    SQLite: `col LIKE 'p%'`; its LIKE folds ASCII case, as lower() does, and with an index on
    `col COLLATE NOCASE` it reads only the matching range. PostgreSQL: `lower(col) LIKE
    lower('p%')`, the very comparison ILIKE makes in a UTF-8 database, which an index on
    `lower(col) text_pattern_ops` answers. The pattern arrives escaped, with its `%`.
    """

    inherit_cache = True
    type = sa.Boolean()
    # A predicate already: no `= 1` around it where booleans are integers (that would hide the
    # LIKE from SQLite's index planner).
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: Any, prefix: str) -> None:
        self.column = column
        escaped = prefix.replace("/", "//").replace("%", "/%").replace("_", "/_")
        self.pattern = sa.bindparam(None, escaped + "%", type_=sa.String())


@compiles(PrefixMatch)
def _prefix_sqlite(element: PrefixMatch, compiler, **kw) -> str:
    return f"{compiler.process(element.column, **kw)} LIKE {compiler.process(element.pattern, **kw)} ESCAPE '/'"


@compiles(PrefixMatch, "postgresql")
def _prefix_postgresql(element: PrefixMatch, compiler, **kw) -> str:
    column, pattern = (compiler.process(e, **kw) for e in (element.column, element.pattern))
    return f"lower({column}) LIKE lower({pattern}) ESCAPE '/'"


class _Compiler:
    def __init__(self, table: FieldTable, tz: tzinfo) -> None:
        self.table = table
        self.tz = tz

    def node(self, node: Any, path: str, level: int) -> ColumnElement[bool]:
        if not isinstance(node, dict):
            raise parameter_invalid("A query must be a filter or an AND/OR group object", path)
        if "field" in node:
            return self.filter(node, path)
        op = node.get("operator")
        if isinstance(op, str) and op in GROUP_OPERATORS:
            return self.group(node, path, level)
        if "operator" not in node:
            raise parameter_invalid(
                "A query needs 'field' and 'operator', or an AND/OR group", path
            )
        if isinstance(op, str) and op in OPERATORS:
            raise parameter_invalid("A filter needs a 'field'", f"{path}.field")
        raise parameter_invalid(
            f"Unknown operator {_show(op)}: a group takes 'AND' or 'OR'", f"{path}.operator"
        )

    def group(self, node: dict, path: str, level: int) -> ColumnElement[bool]:
        if level > MAX_DEPTH:
            raise parameter_invalid(f"Nested queries are limited to {MAX_DEPTH} levels", path)
        members = node.get("value")
        if not isinstance(members, list):
            raise parameter_invalid(
                "A group's 'value' must be an array of filters or groups", f"{path}.value"
            )
        if not members:
            raise parameter_invalid("A group must hold at least one filter", f"{path}.value")
        if len(members) > MAX_GROUP_SIZE:
            raise parameter_invalid(
                f"A group can hold at most {MAX_GROUP_SIZE} filters", f"{path}.value"
            )
        clauses = [self.node(m, f"{path}.value[{i}]", level + 1) for i, m in enumerate(members)]
        return sa.and_(*clauses) if node["operator"] == "AND" else sa.or_(*clauses)

    def filter(self, node: dict, path: str) -> ColumnElement[bool]:
        name = node["field"]
        field = self.field(name, f"{path}.field")
        op = self.operator(node, field, name, path)
        if "value" not in node:
            raise parameter_invalid("A filter needs a 'value'", f"{path}.value")
        value = _filter_value(op, node["value"], field.type, name, f"{path}.value")
        if field.build is not None:
            return field.build(op, value)
        return self.compare(field.column, field.type, op, value)

    def field(self, name: Any, path: str) -> SearchField:
        if not isinstance(name, str) or not name:
            raise parameter_invalid("'field' must be a non-empty string", path)
        try:
            field = self.table.lookup(name)
        except ApiError as error:
            # A dynamic resolver (or json_value) cannot know where the name sat in the query.
            if error.field is None:
                error.field = path
            raise
        if field is None:
            raise parameter_invalid(f"Unknown field '{name}'", path)
        return field

    def operator(self, node: dict, field: SearchField, name: str, path: str) -> str:
        if "operator" not in node:
            raise parameter_invalid("A filter needs an 'operator'", f"{path}.operator")
        op = node["operator"]
        if not isinstance(op, str) or op not in OPERATORS:
            raise parameter_invalid(
                f"Unknown operator {_show(op)}; expected one of {' '.join(OPERATORS)}",
                f"{path}.operator",
            )
        if op not in self.table.operators_for(field):
            raise parameter_invalid(
                f"Operator '{op}' is not supported for field '{name}' ({field.type.value})",
                f"{path}.operator",
            )
        return op

    def compare(self, column: Any, type: FieldType, op: str, value: Any) -> ColumnElement[bool]:
        if value is None:
            return column.is_(None) if op == "=" else column.is_not(None)
        if type is FieldType.DATE and self.table.date_mode is DateMode.DAY:
            return _day_comparison(column, op, value, self.tz)
        if type is FieldType.DATE:
            op = {"<": "<=", ">": ">="}.get(op, op)
        bound = column.bind(value) if isinstance(column, JsonValue) else _bind(value, type)
        return _COMPARISONS[op](column, bound)


def _filter_value(op: str, raw: Any, type: FieldType, name: str, path: str) -> Any:
    if op in LIST_OPERATORS:
        if not isinstance(raw, list) or not raw:
            raise parameter_invalid(f"Operator '{op}' needs a non-empty array of values", path)
        if len(raw) > MAX_LIST_SIZE:
            raise parameter_invalid(
                f"Operator '{op}' accepts at most {MAX_LIST_SIZE} values", path
            )
        return [_coerce(item, type, name, f"{path}[{i}]") for i, item in enumerate(raw)]
    if raw is None and op in NULL_OPERATORS:
        return None
    if isinstance(raw, (list, dict)):
        raise parameter_invalid(f"Operator '{op}' needs a single value, not {_kind(raw)}", path)
    return _coerce(raw, type, name, path)


def _coerce(raw: Any, type: FieldType, name: str, path: str) -> Any:
    if raw is None:
        raise parameter_invalid("null is only allowed as the value of '=' or '!='", path)
    try:
        return _COERCERS[type](raw)
    except (TypeError, ValueError, OverflowError) as error:
        reason = f" ({error})" if str(error) else ""
        raise parameter_invalid(
            f"Value {_show(raw)} is not a valid {type.value} for field '{name}'{reason}", path
        ) from None


def _to_integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise TypeError
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    elif isinstance(raw, str) and _INTEGER_RE.fullmatch(raw):
        raw = int(raw)
    if not isinstance(raw, int):
        raise TypeError
    if not INT64_MIN <= raw <= INT64_MAX:
        raise ValueError("out of range")
    return raw


def _to_float(raw: Any) -> float:
    if isinstance(raw, bool):
        raise TypeError
    if isinstance(raw, str) and _FLOAT_RE.fullmatch(raw):
        raw = float(raw)
    if not isinstance(raw, (int, float)):
        raise TypeError
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("out of range")
    return value


def _to_date(raw: Any) -> int:
    value = _to_integer(raw)
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError("out of range")
    return value


def _to_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise TypeError


def _to_string(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise TypeError
    value = raw if isinstance(raw, str) else str(raw)
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


_COERCERS: Mapping[FieldType, Callable[[Any], Any]] = {
    FieldType.STRING: _to_string,
    FieldType.INTEGER: _to_integer,
    FieldType.FLOAT: _to_float,
    FieldType.DATE: _to_date,
    FieldType.BOOLEAN: _to_boolean,
}

# Explicit bind types for numbers: PostgreSQL casts each parameter to the column's type, and an
# INTEGER column compared with 2^40 would fail on the cast instead of not matching.
_BIND_TYPES: Mapping[FieldType, Any] = {
    FieldType.INTEGER: sa.BigInteger(),
    FieldType.DATE: sa.BigInteger(),
    FieldType.FLOAT: sa.Float(),
}


def _bind(value: Any, type: FieldType) -> Any:
    bind_type = _BIND_TYPES.get(type)
    if bind_type is None:
        return value  # strings and booleans take the column's own type
    if isinstance(value, list):
        return sa.bindparam(None, value, type_=bind_type, expanding=True)
    return sa.literal(value, bind_type)


def _or_null(clause: ColumnElement[bool], column: Any) -> ColumnElement[bool]:
    # Negative operators also match NULL, which SQL's three-valued logic would drop.
    return sa.or_(clause, column.is_(None))


_COMPARISONS: Mapping[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "=": lambda c, v: c == v,
    "!=": lambda c, v: _or_null(c != v, c),
    "IN": lambda c, v: c.in_(v),
    "NIN": lambda c, v: _or_null(c.not_in(v), c),
    "<": lambda c, v: c < v,
    "<=": lambda c, v: c <= v,
    ">": lambda c, v: c > v,
    ">=": lambda c, v: c >= v,
    "~": lambda c, v: c.icontains(v, autoescape=True),
    "!~": lambda c, v: _or_null(sa.not_(c.icontains(v, autoescape=True)), c),
    "^": PrefixMatch,
    "$": lambda c, v: c.iendswith(v, autoescape=True),
}


def _day_comparison(column: Any, op: str, seconds: int, tz: tzinfo) -> ColumnElement[bool]:
    start, end = (sa.literal(s, sa.BigInteger()) for s in day_bounds(seconds, tz))
    if op == "=":
        return sa.and_(column >= start, column < end)
    if op == ">":
        return column >= end
    if op == "<":
        return column < start
    raise ValueError(f"Operator {op!r} has no day semantics")  # excluded by the operator sets


def day_bounds(seconds: int, tz: tzinfo) -> tuple[int, int]:
    """Unix seconds of the start of the calendar day (in `tz`) holding `seconds`, and of the next.

    A midnight skipped by a DST change resolves, with fold=0, to the transition instant, which
    is the first moment of that day.
    """
    day = datetime.fromtimestamp(seconds, tz).date()
    start = datetime.combine(day, time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    return _unix(start), _unix(end)


def _unix(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(seconds=1)


def _kind(value: Any) -> str:
    return "an array" if isinstance(value, list) else "an object"


def _show(value: Any) -> str:
    text = f"'{value}'" if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
