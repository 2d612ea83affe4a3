"""POST /conversations/search agrees with a plain Python evaluation of the same queries.

Conversations are started through the API, then their searchable values are arranged directly in
the database (states and snoozes, assignees, dates, tags, extra participants) so every field holds
a spread of values, NULLs included. Hypothesis draws single filters and 2-level AND/OR groups.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from opencom.conversations.models import Conversation, ConversationContact, ConversationTag
from opencom.core.clock import now
from opencom.messages.models import Message
from opencom.tags.models import Tag

DAY = 86400
BASE = 1_704_067_200  # 2024-01-01 00:00 UTC

# --- the Python side -------------------------------------------------------------------------------

# kind -> operators the API accepts for it (DateMode.INCLUSIVE for dates).
OPERATORS = {
    "string": ["=", "!=", "IN", "NIN", "~", "!~", "^", "$"],
    "integer": ["=", "!=", "IN", "NIN", "<", "<=", ">", ">="],
    "date": ["=", "!=", "IN", "NIN", "<", "<=", ">", ">="],
    "boolean": ["=", "!=", "IN", "NIN"],
    "member": ["=", "!=", "IN", "NIN"],  # contact_ids, tag_ids: a set of linked ids per row
}


def matches(kind: str, op: str, actual, value) -> bool:
    """One filter over one row's value, as the search description reads."""
    if kind == "member":
        if value is None:
            return not actual if op == "=" else bool(actual)
        wanted = set(value) if isinstance(value, list) else {value}
        hit = bool(actual & wanted)
        return hit if op in ("=", "IN") else not hit
    if value is None:
        return actual is None if op == "=" else actual is not None
    if kind == "string":  # numbers are accepted and compared as their text
        value = [str(v) for v in value] if isinstance(value, list) else str(value)
    if actual is None:
        return op in ("!=", "NIN", "!~")  # only the negative operators match NULL
    if kind == "date":
        op = {"<": "<=", ">": ">="}.get(op, op)  # second precision, inclusive `<` / `>`
    low = actual.lower() if isinstance(actual, str) else None
    checks = {
        "=": lambda: actual == value, "!=": lambda: actual != value,
        "IN": lambda: actual in value, "NIN": lambda: actual not in value,
        "<": lambda: actual < value, "<=": lambda: actual <= value,
        ">": lambda: actual > value, ">=": lambda: actual >= value,
        "~": lambda: value.lower() in low, "!~": lambda: value.lower() not in low,
        "^": lambda: low.startswith(value.lower()), "$": lambda: low.endswith(value.lower()),
    }
    return checks[op]()


def evaluate(query, row: dict, kinds: dict) -> bool:
    if "field" not in query:
        results = [evaluate(m, row, kinds) for m in query["value"]]
        return all(results) if query["operator"] == "AND" else any(results)
    return matches(kinds[query["field"]], query["operator"], row[query["field"]], query["value"])


def query_strategy(fields: dict):
    """fields: name -> (kind, strategy of single values). Gives filters and 2-level groups."""

    @st.composite
    def one_filter(draw):
        name = draw(st.sampled_from(sorted(fields)))
        kind, values = fields[name]
        op = draw(st.sampled_from(OPERATORS[kind]))
        if op in ("IN", "NIN"):
            value = draw(st.lists(values, min_size=1, max_size=3))
        elif op in ("=", "!=") and draw(st.integers(0, 5)) == 0:
            value = None
        else:
            value = draw(values)
        return {"field": name, "operator": op, "value": value}

    def groups(members):
        return st.fixed_dictionaries({"operator": st.sampled_from(["AND", "OR"]), "value": st.lists(members, min_size=1, max_size=4)})

    filters = one_filter()
    return st.one_of(filters, groups(filters), groups(st.one_of(filters, groups(filters))))


def check_agreement(api, path: str, key: str, rows: list[dict], fields: dict, examples: int = 50) -> None:
    kinds = {name: kind for name, (kind, _) in fields.items()}

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(query_strategy(fields))
    def check(query):
        response = api.post(path, json={"query": query, "pagination": {"per_page": 150}})
        assert response.status_code == 200, (query, response.text)
        found = {item["id"] for item in response.json()[key]}
        assert response.json()["total_count"] == len(found)
        assert found == {r["id"] for r in rows if evaluate(query, r, kinds)}, query

    check()


# --- conversations ---------------------------------------------------------------------------------

SUBJECTS = ["Billing", "billing issue", "Refund%", "", None]
ASSIGNEES = [None, 7, 12, 40]


def make_tag(session, workspace_id: int, name: str) -> int:
    tag = Tag(workspace_id=workspace_id, name=name, name_key=name.lower(), created_at=now())
    session.add(tag)
    session.flush()
    return tag.id


def test_conversation_search_agrees_with_python(api, db, workspace):
    rng = random.Random(11)
    contacts = [api.post("/contacts", json={"role": "user", "email": f"s{i}@example.com"}).json()["id"] for i in range(3)]
    moment = now()
    with db.transaction() as session:
        tag_ids = [str(make_tag(session, workspace.id, name)) for name in ("vip", "bug")]
    rows = []
    for i in range(20):
        author = rng.choice(contacts)
        started = api.post("/conversations", json={"from": {"type": "user", "id": author}, "body": f"hello {i}"})
        assert started.status_code == 200, started.text
        cid = started.json()["conversation_id"]
        state = rng.choice(["open", "closed", "snoozed", "snoozed"])
        # a snooze whose time has passed reads as open
        snoozed_until = rng.choice([moment - DAY, moment + DAY]) if state == "snoozed" else None
        effective = "open" if state == "snoozed" and snoozed_until < moment else state
        values = {
            "state": state, "snoozed_until": snoozed_until, "read": rng.random() < 0.5,
            "priority": rng.choice(["priority", "not_priority"]), "admin_assignee_id": rng.choice(ASSIGNEES),
            "created_at": BASE + rng.choice([0, 1, 60, DAY]), "waiting_since": rng.choice([None, BASE, BASE + 3600]),
            "count_reopens": rng.choice([0, 1, 3]),
        }
        people = {author} | ({rng.choice(contacts)} if rng.random() < 0.4 else set())
        tagged = {t for t in tag_ids if rng.random() < 0.4}
        subject = rng.choice(SUBJECTS)
        with db.transaction() as session:
            session.execute(update(Conversation).where(Conversation.id == int(cid)).values(**values))
            message_id = session.get(Conversation, int(cid)).message_id
            session.execute(update(Message).where(Message.id == message_id).values(subject=subject))
            for position, other in enumerate(people - {author}, start=1):
                session.add(ConversationContact(conversation_id=int(cid), contact_id=other, position=position, added_at=BASE))
            for tag_id in tagged:
                session.add(ConversationTag(conversation_id=int(cid), tag_id=int(tag_id), applied_at=BASE,
                                            applied_by_id=workspace.owner_id))
        rows.append({
            "id": str(cid), "state": effective, "open": effective != "closed", "read": values["read"],
            "priority": values["priority"], "source.subject": subject, "admin_assignee_id": values["admin_assignee_id"],
            "statistics.count_reopens": values["count_reopens"], "created_at": values["created_at"],
            "waiting_since": values["waiting_since"], "snoozed_until": snoozed_until if effective == "snoozed" else None,
            "contact_ids": people, "tag_ids": tagged,
        })
    dates = st.sampled_from([BASE - 1, BASE, BASE + 1, BASE + 59, BASE + 60, BASE + 3600, BASE + DAY, moment, moment + DAY])
    fields = {
        "state": ("string", st.sampled_from(["open", "closed", "snoozed", "OPEN", "o", "ed"])),
        "priority": ("string", st.sampled_from(["priority", "not_priority", "not", "Y"])),
        "source.subject": ("string", st.sampled_from([s for s in SUBJECTS if s] + ["bill", "ISSUE", "%", "_"])),
        "admin_assignee_id": ("integer", st.sampled_from([v for v in ASSIGNEES if v] + [0, 8, 39])),
        "statistics.count_reopens": ("integer", st.integers(-1, 4)),
        "open": ("boolean", st.booleans()),
        "read": ("boolean", st.booleans()),
        "created_at": ("date", dates),
        "waiting_since": ("date", dates),
        "snoozed_until": ("date", dates),
        "contact_ids": ("member", st.sampled_from(contacts + ["nobody"])),
        "tag_ids": ("member", st.sampled_from(tag_ids + ["999999"])),
    }
    check_agreement(api, "/conversations/search", "conversations", rows, fields)
