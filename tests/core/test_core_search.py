"""Tests of the search-query compiler (opencom.core.search).

Every rule has a unit test; a property test compares the SQL that compile_query builds with a
plain Python evaluation of the same query over the same rows. Both run on in-memory SQLite, and
on PostgreSQL in the suite's PostgreSQL run (OPENCOM_TEST_DB=postgres, inside a schema of their own).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencom.core.errors import ApiError
from tests.support import postgres_admin_url, postgres_reachable, selected_backend
from opencom.core.search import (
    DateMode,
    FieldTable,
    FieldType,
    SearchField,
    compile_query,
    day_bounds,
    json_value,
)

STRING, INTEGER, FLOAT, BOOLEAN, DATE = (
    FieldType.STRING,
    FieldType.INTEGER,
    FieldType.FLOAT,
    FieldType.BOOLEAN,
    FieldType.DATE,
)

metadata = sa.MetaData()
items = sa.Table(
    "search_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("s", sa.String(40), nullable=False),
    sa.Column("ns", sa.String(40)),
    # INTEGER, not BIGINT, so that comparing with 2^40 checks the compiler's bind types.
    sa.Column("i", sa.Integer),
    sa.Column("f", sa.Float),
    sa.Column("b", sa.Boolean),
    sa.Column("d", sa.BigInteger),
    sa.Column("j", sa.JSON),
)
item_tags = sa.Table(
    "search_item_tags",
    metadata,
    sa.Column("item_id", sa.Integer, primary_key=True),
    sa.Column("tag", sa.String(20), primary_key=True),
)

COLUMN_TYPES = {"s": STRING, "ns": STRING, "i": INTEGER, "f": FLOAT, "b": BOOLEAN, "d": DATE}
CUSTOM_TYPES = {"plan": STRING, "n": INTEGER, "x": FLOAT, "ok": BOOLEAN, "at": DATE}
CUSTOM = "custom_attributes."
FIELD_TYPES = {**COLUMN_TYPES, **{CUSTOM + key: t for key, t in CUSTOM_TYPES.items()}}


def custom_field(name: str) -> SearchField | None:
    key = name.removeprefix(CUSTOM)
    if key == name:
        return None
    if '"' in key:  # json_value refuses keys that SQLite's JSON paths cannot spell
        return SearchField(STRING, json_value(items.c.j, key, STRING))
    field_type = CUSTOM_TYPES.get(key)
    return SearchField(field_type, json_value(items.c.j, key, field_type)) if field_type else None


def tag_filter(op: str, value: str | None) -> sa.ColumnElement[bool]:
    tagged = sa.exists().where(item_tags.c.item_id == items.c.id, item_tags.c.tag == value)
    return tagged if op == "=" else ~tagged


def make_table(mode: DateMode = DateMode.DAY, **kwargs) -> FieldTable:
    fields = {name: SearchField(t, items.c[name]) for name, t in COLUMN_TYPES.items()}
    fields["tag_id"] = SearchField(STRING, build=tag_filter, operators=frozenset({"=", "!="}))
    return FieldTable(fields, date_mode=mode, dynamic=custom_field, **kwargs)


DAY_TABLE = make_table(DateMode.DAY)
INCLUSIVE_TABLE = make_table(DateMode.INCLUSIVE)


# --- databases ---------------------------------------------------------------------------


class Backend:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def ids(self, rows: list[dict], clause: sa.ColumnElement[bool]) -> list[int]:
        """Insert `rows`, select the ids matching `clause`, and roll everything back."""
        return [row[0] for row in self.run(rows, select_ids(clause))[0]]

    def run(self, rows: list[dict], *queries: sa.Select) -> list[list[tuple]]:
        trans = self.conn.begin()
        try:
            if rows:
                self.conn.execute(items.insert(), [_item_row(r) for r in rows])
            tags = [{"item_id": r["id"], "tag": t} for r in rows for t in r.get("tags", ())]
            if tags:
                self.conn.execute(item_tags.insert(), tags)
            return [[tuple(row) for row in self.conn.execute(q)] for q in queries]
        finally:
            trans.rollback()


def select_ids(where: sa.ColumnElement[bool], *flags: sa.ColumnElement[bool]) -> sa.Select:
    """Ids of the rows matching `where`, each with whether every one of `flags` holds."""
    columns = [sa.case((clause, True), else_=False) for clause in flags]
    return sa.select(items.c.id, *columns).where(where).order_by(items.c.id)


def _item_row(row: dict) -> dict:
    return {c.name: row.get(c.name) for c in items.columns}


@pytest.fixture(scope="module", params=["sqlite" if selected_backend() == "sqlite" else "postgresql"])
def db(request):
    """The database of this run (OPENCOM_TEST_DB), as for the rest of the suite."""
    if request.param == "sqlite":
        engine = sa.create_engine("sqlite://")
        with engine.connect() as conn:
            metadata.create_all(conn)
            conn.commit()
            yield Backend(conn)
        engine.dispose()
        return
    url = postgres_admin_url()
    reason = postgres_reachable(url)
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs PostgreSQL: {reason}", pytrace=False)
        pytest.skip(f"PostgreSQL run skipped: {reason}")
    yield from _postgres(url)


def _postgres(url: str):
    schema = f"search_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            conn = conn.execution_options(schema_translate_map={None: schema})
            metadata.create_all(conn)
            conn.commit()
            try:
                yield Backend(conn)
            finally:
                conn.rollback()
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                conn.commit()
    finally:
        engine.dispose()


# --- unit tests: fixed rows ----------------------------------------------------------------


def ts(*parts: int, tz=timezone.utc) -> int:
    return int(datetime(*parts, tzinfo=tz).timestamp())


ROWS = [
    dict(id=1, s="Alpha", ns=None, i=1, f=0.5, b=True, d=ts(2024, 1, 10, 12),
         j={"plan": "pro", "n": 5, "x": 1.5, "ok": True, "at": ts(2024, 1, 10)}, tags=["vip"]),
    dict(id=2, s="beta%", ns="x", i=None, f=None, b=False, d=None, j=None),
    dict(id=3, s="under_score", ns="ALPHA", i=3, f=2.25, b=None, d=ts(2024, 1, 11),
         j={"plan": None, "ok": False}, tags=["vip", "new"]),
    dict(id=4, s="back\\slash/", ns="", i=-2, f=-1.0, b=True, d=ts(2024, 1, 9, 23, 59, 59),
         j={"plan": "Free", "n": 2**31 + 5}),
]


def search(db: Backend, query, table: FieldTable = DAY_TABLE, tz=timezone.utc) -> list[int]:
    return db.ids(ROWS, compile_query(query, table, tz=tz))


def f(field, operator, value) -> dict:
    return {"field": field, "operator": operator, "value": value}


def group(operator, *members) -> dict:
    return {"operator": operator, "value": list(members)}


def error_of(query, table: FieldTable = DAY_TABLE) -> ApiError:
    with pytest.raises(ApiError) as info:
        compile_query(query, table)
    error = info.value
    assert (error.status, error.code) == (400, "parameter_invalid")
    return error


def test_filter_at_the_root(db):
    assert search(db, f("s", "=", "Alpha")) == [1]


def test_and_or_groups_two_levels(db):
    query = group("OR", f("i", "=", 3), group("AND", f("b", "=", True), f("i", "<", 0)))
    assert search(db, query) == [3, 4]
    assert search(db, group("AND", f("b", "=", True), f("i", ">", 0))) == [1]


def test_group_of_fifteen_is_accepted(db):
    assert search(db, group("OR", *[f("i", "=", n) for n in range(15)])) == [1, 3]


@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        ("foo", "A query must be a filter or an AND/OR group object", "query"),
        (None, "A query must be a filter or an AND/OR group object", "query"),
        ([f("s", "=", "a")], "A query must be a filter or an AND/OR group object", "query"),
        ({}, "A query needs 'field' and 'operator', or an AND/OR group", "query"),
        (group("OR", 5), "A query must be a filter or an AND/OR group object", "query.value[0]"),
        (group("AND"), "A group must hold at least one filter", "query.value"),
        ({"operator": "OR"}, "A group's 'value' must be an array of filters or groups",
         "query.value"),
        ({"operator": "AND", "value": "x"},
         "A group's 'value' must be an array of filters or groups", "query.value"),
        (group("OR", *[f("i", "=", n) for n in range(16)]),
         "A group can hold at most 15 filters", "query.value"),
        (group("OR", f("i", "=", 1), group("AND", group("OR", f("i", "=", 1)))),
         "Nested queries are limited to 2 levels", "query.value[1].value[0]"),
        ({"operator": "XOR", "value": []},
         "Unknown operator 'XOR': a group takes 'AND' or 'OR'", "query.operator"),
        ({"operator": ["AND"], "value": []},
         "Unknown operator [\"AND\"]: a group takes 'AND' or 'OR'", "query.operator"),
        ({"operator": "=", "value": 1}, "A filter needs a 'field'", "query.field"),
        ({"field": "s", "value": "a"}, "A filter needs an 'operator'", "query.operator"),
        ({"field": "s", "operator": "="}, "A filter needs a 'value'", "query.value"),
        (group("AND", f("s", "=", "a"), f("foo", "=", 1)), "Unknown field 'foo'",
         "query.value[1].field"),
        (f("custom_attributes.nope", "=", 1), "Unknown field 'custom_attributes.nope'",
         "query.field"),
        (f(None, "=", 1), "'field' must be a non-empty string", "query.field"),
        (f("", "=", 1), "'field' must be a non-empty string", "query.field"),
        (f(["s"], "=", 1), "'field' must be a non-empty string", "query.field"),
        (f("s", "LIKE", "a"),
         "Unknown operator 'LIKE'; expected one of = != IN NIN < <= > >= ~ !~ ^ $",
         "query.operator"),
        (f("s", "in", ["a"]),
         "Unknown operator 'in'; expected one of = != IN NIN < <= > >= ~ !~ ^ $",
         "query.operator"),
        (f("s", {"op": 1}, "a"),
         "Unknown operator {\"op\": 1}; expected one of = != IN NIN < <= > >= ~ !~ ^ $",
         "query.operator"),
        (f("s", "AND", [f("s", "=", "a")]),
         "Unknown operator 'AND'; expected one of = != IN NIN < <= > >= ~ !~ ^ $",
         "query.operator"),
    ],
)
def test_structure_errors(query, message, field):
    error = error_of(query)
    assert (error.message, error.field) == (message, field)


@pytest.mark.parametrize(
    ("field", "operators"),
    [
        ("s", ["<", "<=", ">", ">="]),
        ("ns", ["<", ">"]),
        ("b", ["<", "<=", ">", ">=", "~", "!~", "^", "$"]),
        ("i", ["~", "!~", "^", "$"]),
        ("f", ["~", "!~", "^", "$"]),
        ("d", ["!=", "IN", "NIN", "<=", ">=", "~", "!~", "^", "$"]),
        ("custom_attributes.at", ["!=", "IN", "NIN", "<=", ">="]),
        ("tag_id", ["IN", "NIN", "~", "^"]),
    ],
)
def test_unsupported_operators(field, operators):
    type_name = FIELD_TYPES.get(field, STRING).value
    for op in operators:
        error = error_of(group("AND", f("s", "=", "a"), f(field, op, ["1"])))
        expected = f"Operator '{op}' is not supported for field '{field}' ({type_name})"
        assert error.message == expected
        assert error.field == "query.value[1].operator"


def test_date_message_example():
    assert error_of(f("d", "~", "x")).message == (
        "Operator '~' is not supported for field 'd' (date)"
    )


@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        (f("d", "=", "foobar"), "Value 'foobar' is not a valid date for field 'd'", "query.value"),
        (f("b", "=", "maybe"), "Value 'maybe' is not a valid boolean for field 'b'",
         "query.value"),
        (f("b", "=", 1), "Value 1 is not a valid boolean for field 'b'", "query.value"),
        (f("i", "=", True), "Value true is not a valid integer for field 'i'", "query.value"),
        (f("i", "=", 1.5), "Value 1.5 is not a valid integer for field 'i'", "query.value"),
        (f("i", "=", "1.0"), "Value '1.0' is not a valid integer for field 'i'", "query.value"),
        (f("i", "=", " 1"), "Value ' 1' is not a valid integer for field 'i'", "query.value"),
        (f("i", "=", 2**63), f"Value {2**63} is not a valid integer for field 'i' (out of range)",
         "query.value"),
        (f("d", ">", 10**12), "Value 1000000000000 is not a valid date for field 'd' "
         "(out of range)", "query.value"),
        (f("f", "=", "nan"), "Value 'nan' is not a valid float for field 'f'", "query.value"),
        (f("f", "=", "1e999"), "Value '1e999' is not a valid float for field 'f' (out of range)",
         "query.value"),
        (f("s", "=", True), "Value true is not a valid string for field 's'", "query.value"),
        (f("s", "=", "a\x00b"), "Value 'a\x00b' is not a valid string for field 's' "
         "(NUL characters are not allowed)", "query.value"),
        (f("s", "=", ["a"]), "Operator '=' needs a single value, not an array", "query.value"),
        (f("s", "~", {"a": 1}), "Operator '~' needs a single value, not an object",
         "query.value"),
        (f("s", "IN", "a"), "Operator 'IN' needs a non-empty array of values", "query.value"),
        (f("s", "NIN", []), "Operator 'NIN' needs a non-empty array of values", "query.value"),
        (f("s", "IN", ["a"] * 201), "Operator 'IN' accepts at most 200 values", "query.value"),
        (group("OR", f("i", "IN", [1, None])),
         "null is only allowed as the value of '=' or '!='", "query.value[0].value[1]"),
        (f("i", "NIN", [1, "x"]), "Value 'x' is not a valid integer for field 'i'",
         "query.value[1]"),
        (f("i", "<", None), "null is only allowed as the value of '=' or '!='", "query.value"),
        (f("s", "~", None), "null is only allowed as the value of '=' or '!='", "query.value"),
        (f("d", ">", None), "null is only allowed as the value of '=' or '!='", "query.value"),
        (f('custom_attributes.a"b', "=", 1), "Invalid attribute name 'a\"b'", "query.field"),
    ],
)
def test_value_errors(query, message, field):
    error = error_of(query)
    assert (error.message, error.field) == (message, field)


def test_value_coercion(db):
    assert search(db, f("i", "=", "3")) == [3]
    assert search(db, f("i", "IN", ["-2", 1, 3.0])) == [1, 3, 4]
    assert search(db, f("f", "=", "2.25")) == [3]
    assert search(db, f("f", ">", 0)) == [1, 3]
    assert search(db, f("b", "=", "true")) == [1, 4]
    assert search(db, f("b", "IN", ["FALSE"])) == [2]
    assert search(db, f("s", "~", 5)) == []
    assert search(db, f("d", "=", str(ts(2024, 1, 10, 3)))) == [1]


def test_null_semantics(db):
    assert search(db, f("ns", "=", None)) == [1]
    assert search(db, f("ns", "!=", None)) == [2, 3, 4]
    assert search(db, f("ns", "!=", "x")) == [1, 3, 4]
    assert search(db, f("ns", "NIN", ["x", ""])) == [1, 3]
    assert search(db, f("ns", "!~", "alp")) == [1, 2, 4]
    assert search(db, f("ns", "~", "")) == [2, 3, 4]
    assert search(db, f("i", "!=", 1)) == [2, 3, 4]
    assert search(db, f("i", "<", 100)) == [1, 3, 4]
    assert search(db, f("b", "!=", True)) == [2, 3]
    assert search(db, f("d", "=", None)) == [2]
    assert search(db, f("custom_attributes.plan", "=", None)) == [2, 3]
    assert search(db, f("custom_attributes.plan", "!=", "pro")) == [2, 3, 4]
    assert search(db, f("custom_attributes.ok", "!=", False)) == [1, 2, 4]


def test_string_operators_are_case_insensitive_and_exact_for_equality(db):
    assert search(db, f("s", "=", "alpha")) == []
    assert search(db, f("s", "IN", ["Alpha", "BETA%"])) == [1]
    assert search(db, f("s", "~", "LPH")) == [1]
    assert search(db, f("s", "^", "al")) == [1]
    assert search(db, f("s", "$", "PHA")) == [1]
    assert search(db, f("ns", "^", "alpha")) == [3]
    assert search(db, f("s", "!~", "a")) == [3]
    assert search(db, f("s", "!~", "e")) == [1, 4]


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("~", "%", [2]),
        ("~", "_", [3]),
        ("~", "\\", [4]),
        ("$", "/", [4]),
        ("^", "b%", []),
        ("$", "a%", [2]),
        ("~", "r_s", [3]),
        ("~", "r%s", []),
        ("!~", "_", [1, 2, 4]),
    ],
)
def test_wildcards_are_escaped(db, op, value, expected):
    assert search(db, f("s", op, value)) == expected


def test_day_mode_dates(db):
    day = ts(2024, 1, 10, 17, 30)
    assert search(db, f("d", "=", day)) == [1]
    assert search(db, f("d", ">", day)) == [3]
    assert search(db, f("d", "<", day)) == [4]
    # Row 3 sits exactly on the first second of 2024-01-11.
    assert search(db, f("d", "<", ts(2024, 1, 11, 8))) == [1, 4]
    assert search(db, f("d", "=", ts(2024, 1, 11, 8))) == [3]
    assert search(db, f("custom_attributes.at", "=", day)) == [1]


def test_day_mode_uses_the_timezone(db):
    # 2024-01-09 23:59:59 UTC is 2024-01-10 in Paris, with row 1 (12:00 UTC).
    paris = ZoneInfo("Europe/Paris")
    assert search(db, f("d", "=", ts(2024, 1, 10, 12)), tz=paris) == [1, 4]
    # 2024-01-11 00:00 UTC is 2024-01-10 in New York, the day of rows 1 and 3 there.
    new_york = ZoneInfo("America/New_York")
    assert search(db, f("d", "=", ts(2024, 1, 11)), tz=new_york) == [1, 3]
    assert search(db, f("d", ">", ts(2024, 1, 11)), tz=new_york) == []


def test_day_bounds_across_dst():
    sao_paulo = ZoneInfo("America/Sao_Paulo")
    # Clocks jumped from 00:00 to 01:00 on 2018-11-04: that day starts at 03:00 UTC.
    start, end = day_bounds(ts(2018, 11, 4, 12), sao_paulo)
    assert (start, end) == (ts(2018, 11, 4, 3), ts(2018, 11, 5, 2))
    # Clocks went back from 00:00 to 23:00 at the end of 2019-02-16, a day of 25 hours.
    start, end = day_bounds(ts(2019, 2, 16, 12), sao_paulo)
    assert (start, end) == (ts(2019, 2, 16, 2), ts(2019, 2, 17, 3))
    assert day_bounds(0, timezone.utc) == (0, 86400)


def test_inclusive_mode_dates(db):
    exact = ts(2024, 1, 10, 12)
    assert search(db, f("d", "=", exact), INCLUSIVE_TABLE) == [1]
    assert search(db, f("d", ">", exact), INCLUSIVE_TABLE) == [1, 3]
    assert search(db, f("d", "<", exact), INCLUSIVE_TABLE) == [1, 4]
    assert search(db, f("d", ">=", exact + 1), INCLUSIVE_TABLE) == [3]
    assert search(db, f("d", "<=", exact - 1), INCLUSIVE_TABLE) == [4]
    assert search(db, f("d", "!=", exact), INCLUSIVE_TABLE) == [2, 3, 4]
    assert search(db, f("d", "NIN", [exact, str(ts(2024, 1, 11))]), INCLUSIVE_TABLE) == [2, 4]


def test_build_fields_and_operator_overrides(db):
    assert search(db, f("tag_id", "=", "vip")) == [1, 3]
    assert search(db, f("tag_id", "!=", "new")) == [1, 2, 4]
    assert search(db, f("tag_id", "=", 5)) == []
    table = make_table(operators={FieldType.BOOLEAN: frozenset({"="})})
    assert search(db, f("b", "=", False), table) == [2]
    error = error_of(f("b", "!=", False), table)
    assert error.message == "Operator '!=' is not supported for field 'b' (boolean)"


def test_big_numbers_do_not_overflow(db):
    assert search(db, f("i", "<", 2**40)) == [1, 3, 4]
    assert search(db, f("i", "IN", [2**40, 1])) == [1]
    assert search(db, f("custom_attributes.n", ">", 2**31)) == [4]
    assert search(db, f("custom_attributes.n", "=", 5)) == [1]


def test_json_values(db):
    assert search(db, f("custom_attributes.plan", "~", "R")) == [1, 4]
    assert search(db, f("custom_attributes.x", ">=", 1.5)) == [1]
    assert search(db, f("custom_attributes.ok", "=", True)) == [1]
    assert search(db, f("custom_attributes.ok", "IN", [False])) == [3]


def test_search_field_needs_a_column_or_a_builder():
    with pytest.raises(ValueError):
        SearchField(STRING)
    with pytest.raises(ValueError):
        SearchField(STRING, items.c.s, operators=frozenset({"LIKE"}))


def test_a_custom_root_path():
    with pytest.raises(ApiError) as info:
        compile_query(f("foo", "=", 1), DAY_TABLE, path="body.query")
    assert info.value.field == "body.query.field"


# --- any JSON gives a clause or a 400, never another exception ------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=4)
JUNK = [None, 1, "", "and", ["AND"], {"x": 1}]


def mostly(valid: list) -> st.SearchStrategy:
    return st.sampled_from(valid * 5 + JUNK)  # repeats weigh the valid choices up


# Near-valid queries: real field names and operators mixed with junk, values of any shape.
fuzzy_filters = st.fixed_dictionaries(
    {
        "field": mostly([*FIELD_TYPES, "tag_id", "nope"]),
        "operator": mostly(["=", "!=", "IN", "NIN", "<", ">=", "~", "^"]),
    },
    optional={"value": json_values | st.sampled_from(["1700000000", "true", "a%"])},
)
any_queries = st.recursive(
    fuzzy_filters,
    lambda inner: st.fixed_dictionaries(
        {"operator": mostly(["AND", "OR"]), "value": st.lists(inner, max_size=4)}
    ),
    max_leaves=6,
)


@settings(max_examples=100, deadline=None, database=None)
@given(query=any_queries)
def test_any_json_gives_a_clause_or_a_400(query):
    for table in (DAY_TABLE, INCLUSIVE_TABLE):
        try:
            clause = compile_query(query, table)
        except ApiError as error:
            assert (error.status, error.code) == (400, "parameter_invalid")
            assert error.message and error.field.startswith("query")
        else:
            clause.compile(dialect=sqlite.dialect())
            clause.compile(dialect=postgresql.psycopg.dialect())


# --- property test: SQL against a reference evaluation ---------------------------------------

# Days around the end of US daylight saving time (2023-11-05 06:00 UTC).
FIRST_DAY = date(2023, 11, 2)
ZONES = [timezone.utc, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/New_York"),
         ZoneInfo("Pacific/Chatham")]
# Local times at and next to the day boundaries, where DAY-mode mistakes show.
LOCAL_TIMES = [time(0, 0, 0), time(0, 0, 1), time(23, 59, 59), time(1, 30), time(12, 0)]

OPERATOR_SETS = {
    STRING: ["=", "!=", "IN", "NIN", "~", "!~", "^", "$"],
    BOOLEAN: ["=", "!=", "IN", "NIN"],
    INTEGER: ["=", "!=", "IN", "NIN", "<", ">", "<=", ">="],
    FLOAT: ["=", "!=", "IN", "NIN", "<", ">", "<=", ">="],
}
DATE_OPERATOR_SETS = {
    DateMode.DAY: ["=", "<", ">"],
    DateMode.INCLUSIVE: ["=", "!=", "IN", "NIN", "<", ">", "<=", ">="],
}

# Small pools, so that equalities, prefixes and wildcard look-alikes hit often.
texts = st.text(alphabet="aAbB1%_/\\", max_size=3)
integers = st.integers(-3, 3)
floats = st.integers(-8, 8).map(lambda n: n / 4)  # exact in binary, JSON and SQL

# Strategies are built once per (mode, timezone) and reused: building them per example costs
# more than running the SQL.


@cache
def row_values(field_type: FieldType, tz) -> st.SearchStrategy:
    plain = {STRING: texts, INTEGER: integers, FLOAT: floats, BOOLEAN: st.booleans()}
    if field_type is not DATE:
        return plain[field_type]
    local = st.builds(
        lambda days, at: int(datetime.combine(FIRST_DAY + timedelta(days), at, tz).timestamp()),
        st.integers(0, 5),
        st.sampled_from(LOCAL_TIMES),
    )
    return local | st.integers(ts(2023, 11, 1), ts(2023, 11, 9))


def wire_text(value) -> str:
    return value if isinstance(value, str) else str(value).lower()


@dataclass(frozen=True)
class FromRows:
    """A placeholder for a value that some row holds, chosen once the rows are known."""

    index: int
    as_text: bool
    fallback: object


@cache
def wire_values(field_type: FieldType, tz) -> st.SearchStrategy:
    """Values as a client may send them: numbers and booleans also as strings."""
    drawn = row_values(field_type, tz)
    values = drawn | drawn.map(wire_text)
    if field_type in (STRING, FLOAT):
        values |= integers
    if field_type is INTEGER:
        values |= st.sampled_from([2**40, -3.0])
    from_rows = st.builds(FromRows, st.integers(0, 7), st.booleans(), values)
    return values | from_rows


@cache
def operator_choices(mode: DateMode) -> st.SearchStrategy:
    """Every (field, operator) pair, drawn uniformly so that each shows up as often."""
    pairs = []
    for name, field_type in sorted(FIELD_TYPES.items()):
        ops = DATE_OPERATOR_SETS[mode] if field_type is DATE else OPERATOR_SETS[field_type]
        pairs += [(name, op) for op in ops]
    return st.sampled_from(pairs)


@cache
def operand(field_type: FieldType, op: str, tz) -> st.SearchStrategy:
    values = wire_values(field_type, tz)
    if op in ("IN", "NIN"):
        return st.lists(values, min_size=1, max_size=3)
    if op in ("=", "!="):
        return st.one_of(values, values, values, st.none())
    return values


@st.composite
def _filters(draw, mode: DateMode, tz) -> dict:
    name, op = draw(operator_choices(mode))
    return f(name, op, draw(operand(FIELD_TYPES[name], op, tz)))


@cache
def filters(mode: DateMode, tz) -> st.SearchStrategy:
    return _filters(mode, tz)


@cache
def queries(mode: DateMode, tz) -> st.SearchStrategy:
    leaf = filters(mode, tz)
    operators = st.sampled_from(["AND", "OR"])
    inner = st.builds(group, operators, leaf, leaf, leaf) | st.builds(group, operators, leaf)
    members = st.lists(leaf | inner, min_size=1, max_size=4)
    root = st.builds(lambda op, ms: group(op, *ms), operators, members)
    return leaf | root


def resolve(node: dict, table_rows: list[dict]) -> dict:
    """The query with every FromRows placeholder replaced by a value of its field."""
    if "field" not in node:
        return group(node["operator"], *(resolve(m, table_rows) for m in node["value"]))
    present = [v for v in (value_of(r, node["field"]) for r in table_rows) if v is not None]

    def pick(value):
        if not isinstance(value, FromRows):
            return value
        if not present:
            return value.fallback
        chosen = present[value.index % len(present)]
        return wire_text(chosen) if value.as_text else chosen

    value = node["value"]
    value = [pick(v) for v in value] if isinstance(value, list) else pick(value)
    return f(node["field"], node["operator"], value)


def optional(values):
    return st.one_of(st.none(), values)


@cache
def rows(tz) -> st.SearchStrategy:
    columns = {"s": texts, "ns": optional(texts)}
    for name in ("i", "f", "b", "d"):
        columns[name] = optional(row_values(COLUMN_TYPES[name], tz))
    custom = {key: optional(row_values(t, tz)) for key, t in CUSTOM_TYPES.items()}
    columns["j"] = optional(st.fixed_dictionaries({}, optional=custom))
    return st.fixed_dictionaries(columns)


def value_of(row: dict, name: str):
    if name.startswith(CUSTOM):
        return (row["j"] or {}).get(name.removeprefix(CUSTOM))
    return row[name]


def evaluate(node: dict, row: dict, mode: DateMode, tz) -> bool:
    """The reference: the query's meaning, written the obvious way in Python."""
    if "field" not in node:
        results = [evaluate(member, row, mode, tz) for member in node["value"]]
        return all(results) if node["operator"] == "AND" else any(results)
    name, op, value = node["field"], node["operator"], node["value"]
    field_type = FIELD_TYPES[name]
    actual = value_of(row, name)
    if value is None:
        return actual is None if op == "=" else actual is not None
    if isinstance(value, list):
        wanted = [parse(field_type, v) for v in value]
        found = actual is not None and actual in wanted
        return found if op == "IN" else not found
    return compare(field_type, op, actual, parse(field_type, value), mode, tz)


def compare(field_type, op, actual, wanted, mode, tz) -> bool:
    if op in ("!=", "!~"):
        return actual is None or not compare(field_type, op[1:], actual, wanted, mode, tz)
    if actual is None:
        return False
    if field_type is DATE and mode is DateMode.DAY:
        actual, wanted = local_day(actual, tz), local_day(wanted, tz)
    if field_type is DATE and mode is DateMode.INCLUSIVE:
        op = {"<": "<=", ">": ">="}.get(op, op)
    if op in ("~", "^", "$"):
        actual, wanted = actual.lower(), wanted.lower()
    return {
        "=": lambda: actual == wanted,
        "<": lambda: actual < wanted,
        "<=": lambda: actual <= wanted,
        ">": lambda: actual > wanted,
        ">=": lambda: actual >= wanted,
        "~": lambda: wanted in actual,
        "^": lambda: actual.startswith(wanted),
        "$": lambda: actual.endswith(wanted),
    }[op]()


def parse(field_type: FieldType, value):
    if field_type is STRING:
        return str(value)
    if field_type is BOOLEAN:
        return value if isinstance(value, bool) else value == "true"
    if field_type is FLOAT:
        return float(value)
    return int(float(value)) if isinstance(value, float) else int(value)


def local_day(seconds: int, tz):
    return datetime.fromtimestamp(seconds, tz).date()


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_sql_matches_the_reference(db, data):
    mode = data.draw(st.sampled_from(list(DateMode)), label="mode")
    tz = data.draw(st.sampled_from(ZONES), label="tz")
    drawn = data.draw(st.lists(rows(tz), min_size=1, max_size=10), label="rows")
    table_rows = [{**row, "id": n} for n, row in enumerate(drawn)]
    query = resolve(data.draw(queries(mode, tz), label="query"), table_rows)
    # Filters are checked one by one on every row too, so that no AND/OR hides a mistake; a
    # batch of extra ones per example makes every operator of every type show up often.
    extra = data.draw(st.lists(filters(mode, tz), min_size=10, max_size=16), label="filters")
    extra = [resolve(node, table_rows) for node in extra]
    table = DAY_TABLE if mode is DateMode.DAY else INCLUSIVE_TABLE
    where = compile_query(query, table, tz=tz)
    filters_ = leaves(query) + extra
    flags = [compile_query(q, table, tz=tz) for q in filters_]
    found, flagged = db.run(table_rows, select_ids(where), select_ids(sa.true(), *flags))
    expected = [row["id"] for row in table_rows if evaluate(query, row, mode, tz)]
    assert [r[0] for r in found] == expected
    expected_flags = [
        (row["id"], *(evaluate(q, row, mode, tz) for q in filters_)) for row in table_rows
    ]
    assert [(r[0], *map(bool, r[1:])) for r in flagged] == expected_flags


def leaves(node: dict) -> list[dict]:
    if "field" in node:
        return [node]
    return [leaf for member in node["value"] for leaf in leaves(member)]
