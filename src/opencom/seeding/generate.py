"""Deterministic row generators for `opencom seed`.

Rows come out as tuples in the column order of `COLUMNS`, one `Batch` (rows per table) at a time,
so the writer never holds more than a batch. Everything is drawn from `random.Random` streams
seeded from the seed and the run's starting sequence numbers (and the workspace, for the id bits
only): the same seed on the same database state gives the same rows, whatever the batch size.

The rows keep the invariants the services keep when the API writes (contacts.service,
companies.service, data_events.service, conversations.service):
- contact and company ids are 24-hex ids laid out as core.ids.hex_id lays them out (creation time,
  5 run bits, counter), and contacts are generated in creation order, so ids grow with created_at;
- emails are stored as email-validator normalises them, with email_domain beside them;
- each data event adds to the contact's per-name summary (count, first, last);
- a conversation's source is an inbound message (body_words filled), its participant row is at
  position 0, its parts are what the reply/assign/close/snooze endpoints add, and its statistics
  columns, state, waiting_since and read follow those parts as the service sets them; the
  contact's last_replied_at is the latest time it wrote in.
"""

from __future__ import annotations

import random

import orjson
from dataclasses import dataclass, field

from opencom.companies.service import plan_id
from opencom.conversations import bodies
from opencom.seeding import data

DAY = 86_400
HISTORY = 3 * 365 * DAY  # contacts and companies are created over the last three years

COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": (
        "id", "workspace_id", "company_id", "name", "plan_id", "plan_name", "size", "website", "industry",
        "monthly_spend", "session_count", "user_count", "remote_created_at", "last_request_at", "created_at",
        "updated_at", "custom_attributes", "archived",
    ),
    "company_tags": ("company_id", "tag_id", "applied_at", "applied_by_id"),
    "contacts": (
        "id", "workspace_id", "role", "external_id", "email", "email_domain", "phone", "name", "avatar", "owner_id",
        "has_hard_bounced", "marked_email_as_spam", "unsubscribed_from_emails", "archived", "created_at",
        "updated_at", "signed_up_at", "last_seen_at", "last_replied_at", "last_contacted_at",
        "last_email_opened_at", "last_email_clicked_at", "browser", "browser_version", "browser_language", "os",
        "ios_app_name", "ios_app_version", "ios_device", "ios_os_version", "ios_sdk_version", "ios_last_seen_at",
        "android_app_name", "android_app_version", "android_device", "android_os_version", "android_sdk_version",
        "android_last_seen_at", "location_country", "location_region", "location_city", "location_country_code",
        "location_continent_code", "referrer", "utm_campaign", "utm_medium", "utm_source", "custom_attributes",
    ),
    "contact_tags": ("contact_id", "tag_id", "applied_at", "applied_by_id"),
    "contact_companies": ("contact_id", "company_id", "created_at"),
    "data_events": ("workspace_id", "contact_id", "event_name", "created_at", "metadata"),
    "data_event_summaries": ("contact_id", "event_name", "count", "first", "last", "description"),
    "messages": (
        "id", "workspace_id", "direction", "message_type", "author_type", "author_id", "contact_id", "body",
        "body_words", "attachments", "redacted", "create_conversation_without_contact_reply", "created_at",
    ),
    "conversations": (
        "id", "workspace_id", "message_id", "source_type", "delivered_as", "state", "read", "priority",
        "admin_assignee_id", "snoozed_until", "waiting_since", "custom_attributes", "created_at", "updated_at",
        "first_contact_reply_at", "last_contact_reply_at", "first_admin_reply_at", "last_admin_reply_at",
        "first_assignment_at", "last_assignment_at", "first_close_at", "last_close_at", "last_closed_by_id",
        "count_reopens", "count_assignments", "count_conversation_parts",
    ),
    "conversation_contacts": ("conversation_id", "contact_id", "position", "added_at"),
    "conversation_parts": (
        "conversation_id", "part_type", "body", "author_type", "author_id", "assigned_to_type", "assigned_to_id",
        "attachments", "redacted", "created_at", "updated_at", "notified_at",
    ),
    "conversation_tags": ("conversation_id", "tag_id", "applied_at", "applied_by_id"),
}
# Parents before children, for the foreign keys.
TABLE_ORDER = tuple(COLUMNS)


@dataclass
class Batch:
    rows: dict[str, list[tuple]] = field(default_factory=lambda: {name: [] for name in TABLE_ORDER})

    def count(self, table: str) -> int:
        return len(self.rows[table])


@dataclass(frozen=True)
class Setting:
    """What the generators need to know about the workspace and this run."""

    workspace_id: int
    seed: int
    anchor: int  # "now" for the data: every time is at or before it, except snoozes
    admin_ids: tuple[int, ...]
    tag_ids: tuple[int, ...]
    contact_offset: int  # the first contact sequence number of this run
    company_offset: int
    contacts: int
    companies: int
    conversations: int


class HexIds:
    """24-hex ids as core.ids.hex_id makes them, from the run's own bits and counter."""

    def __init__(self, bits: int) -> None:
        self.bits = f"{bits & 0xFFFFFFFFFF:010x}"
        self.counter = 0

    def make(self, at: int) -> str:
        self.counter = (self.counter + 1) & 0xFFFFFF
        return f"{at & 0xFFFFFFFF:08x}{self.bits}{self.counter:06x}"


def _json(value) -> str:
    # orjson writes compact JSON (no spaces after separators); the columns read back the same.
    return orjson.dumps(value).decode()


def _stream(setting: Setting, name: str) -> random.Random:
    """A random stream of its own for each kind of row. The contents depend on the seed and the
    run's sequence numbers only (the same seed gives the same people in any workspace); the id
    bits depend on the workspace too, since ids are unique across workspaces."""
    # A string seed hashes deterministically (sha512), unlike hash() of a tuple.
    scope = f"{setting.workspace_id}:" if name == "ids" else ""
    return random.Random(f"{setting.seed}:{scope}{setting.contact_offset}:{setting.company_offset}:{name}")


def _html(texts: tuple[str, ...], *, allow_html: bool = True) -> tuple[str, ...]:
    return tuple(bodies.to_html(text, allow_html=allow_html) for text in texts)


ADMIN_REPLIES = _html(data.ADMIN_REPLIES)
CONTACT_REPLIES = _html(data.CONTACT_REPLIES, allow_html=False)
NOTES = _html(data.NOTES)
CLOSING = _html(data.CLOSING)
OPENER_WORDS = tuple(bodies.words(text) for text in data.OPENERS)


def _distinct(rng: random.Random, items: tuple, count: int) -> list:
    """`count` different items (fewer if there aren't as many); random.sample's checks cost more
    than the draw for these small tuples."""
    picked: list = []
    count = min(count, len(items))
    while len(picked) < count:
        item = items[int(rng.random() * len(items))]
        if item not in picked:
            picked.append(item)
    return picked


def conversations_before(setting: Setting, index: int) -> int:
    """How many conversations the contacts before `index` (of this run) start: spread evenly."""
    if setting.contacts == 0:
        return 0
    return index * setting.conversations // setting.contacts


class Generator:
    def __init__(self, setting: Setting) -> None:
        self.s = setting
        self.ids = HexIds(_stream(setting, "ids").getrandbits(40))
        self.company_rng = _stream(setting, "companies")
        self.contact_rng = _stream(setting, "contacts")
        self.activity_rng = _stream(setting, "activity")  # tags, companies attached, events
        self.inbox_rng = _stream(setting, "conversations")
        self.company_ids: list[tuple[str, int]] = []  # (id, created_at) of this run's companies
        self.plan_ids = {plan: plan_id(setting.workspace_id, plan) for plan in data.PLANS}
        self.start = setting.anchor - HISTORY

    def _created_at(self, index: int, total: int, rng: random.Random) -> int:
        # Spread over the history in creation order: never decreasing, so ids grow too.
        return self.start + int((index + rng.random()) * HISTORY / total)

    # --- companies -----------------------------------------------------------------------------

    def companies(self, first: int, count: int) -> Batch:
        batch = Batch()
        rows, tag_rows = batch.rows["companies"], batch.rows["company_tags"]
        rng, s = self.company_rng, self.s
        for index in range(first, first + count):
            created = self._created_at(index, s.companies, rng)
            company_id = self.ids.make(created)
            self.company_ids.append((company_id, created))
            word = data.COMPANY_WORDS[int(rng.random() * len(data.COMPANY_WORDS))]
            kind = data.COMPANY_KINDS[int(rng.random() * len(data.COMPANY_KINDS))]
            seq = s.company_offset + index
            plan = data.PLANS[min(3, int(rng.random() ** 2 * 4))]
            size = int(rng.paretovariate(1.2) * 5)
            last_request = created + int(rng.random() * (s.anchor - created)) if rng.random() < 0.9 else None
            custom = {
                "account_manager": data.ACCOUNT_MANAGERS[int(rng.random() * len(data.ACCOUNT_MANAGERS))],
                "seats_purchased": max(1, size // 2),
                "health_score": round(rng.uniform(0, 100), 1),
                "is_strategic": rng.random() < 0.1,
                "renewal_date": s.anchor + rng.randrange(-180, 365) * DAY,
            }
            rows.append((
                company_id, s.workspace_id, f"cmp_{seq:09d}", f"{word} {kind}", self.plan_ids[plan], plan, size,
                f"https://{word.lower().replace(' ', '')}-{kind.lower()}-{seq}.example.com",
                data.INDUSTRIES[int(rng.random() * len(data.INDUSTRIES))], rng.randrange(0, 50_000),
                rng.randrange(0, 5_000), 0, created - rng.randrange(0, 5 * 365) * DAY, last_request, created,
                max(created, last_request or created), _json(custom), False,
            ))
            if s.tag_ids and rng.random() < 0.2:
                tag_rows.append((company_id, s.tag_ids[int(rng.random() * len(s.tag_ids))], created, s.admin_ids[0]))
        return batch

    # --- contacts and what hangs off them ------------------------------------------------------

    def contacts(self, first: int, count: int, message_ids: list[int], conversation_ids: list[int]) -> Batch:
        """Contacts `first`..`first+count` of the run, with their tags, companies, events and
        conversations (whose message and conversation ids the caller reserved)."""
        batch = Batch()
        ids = iter(zip(message_ids, conversation_ids))
        for index in range(first, first + count):
            starts = conversations_before(self.s, index + 1) - conversations_before(self.s, index)
            self._contact(batch, index, [next(ids) for _ in range(starts)])
        return batch

    def _contact(self, batch: Batch, index: int, conversation_ids: list[tuple[int, int]]) -> None:
        rng, s = self.contact_rng, self.s
        r = rng.random
        anchor = s.anchor
        created = self._created_at(index, s.contacts, rng)
        contact_id = self.ids.make(created)
        seq = s.contact_offset + index
        user = r() < 0.8
        role = "user" if user else "lead"
        first = data.FIRST_NAMES[int(rng.random() * len(data.FIRST_NAMES))]
        last = data.LAST_NAMES[int(rng.random() * len(data.LAST_NAMES))]
        name = f"{first} {last}" if user or r() < 0.7 else None
        email = domain = None
        if user or r() < 0.6:
            if r() < 0.5:
                domain = data.FREEMAIL[int(rng.random() * len(data.FREEMAIL))]
            else:
                domain = f"{data.COMPANY_WORDS[int(rng.random() * len(data.COMPANY_WORDS))].lower().replace(' ', '')}.example.com"
            email = f"{first.lower()}.{last.lower()}.{seq}@{domain}"
        span = anchor - created
        seen = created + int(r() * span) if r() < 0.9 else None
        city, region, country, country_code, continent = data.LOCATIONS[int(rng.random() * len(data.LOCATIONS))]
        browser, versions = data.BROWSERS[int(rng.random() * len(data.BROWSERS))]
        device = r()
        ios = ("Acme", "4.2.1", data.IOS_DEVICES[int(r() * 3)], "17.2", "16.1.0", seen) if device < 0.1 and seen else (None,) * 6
        android = (
            ("Acme", "4.2.0", data.ANDROID_DEVICES[int(r() * 3)], "14", "34", seen) if 0.1 <= device < 0.2 and seen
            else (None,) * 6
        )
        utm = (
            (data.REFERRERS[int(r() * 4)], data.UTM_CAMPAIGNS[int(r() * 4)], data.UTM_MEDIUMS[int(r() * 4)],
             data.UTM_SOURCES[int(r() * 5)]) if r() < 0.25 else (None, None, None, None)
        )
        custom = {"plan_tier": data.PLAN_TIERS[min(4, int(r() ** 1.5 * 5))], "beta_tester": r() < 0.15}
        if user:
            custom["seats"] = int(rng.paretovariate(1.5))
            custom["lifetime_value"] = round(rng.lognormvariate(5, 1.2), 2)
        if r() < 0.3:
            custom["trial_ends_at"] = created + 14 * DAY
        last_replied = self._conversations(batch, contact_id, role, created, conversation_ids)
        self._activity(batch, contact_id, role, created)
        updated = max(t for t in (created, seen, last_replied) if t is not None)
        batch.rows["contacts"].append((
            contact_id, s.workspace_id, role, f"usr_{seq:09d}" if user else None, email, domain,
            f"+1{2_000_000_000 + int(r() * 7_999_999_999)}" if r() < 0.4 else None, name,
            f"https://avatars.example.com/{seq}.png" if r() < 0.2 else None,
            s.admin_ids[int(rng.random() * len(s.admin_ids))] if r() < 0.3 else None,
            r() < 0.01, r() < 0.005, r() < 0.05, False, created, updated,
            created + int(r() * 3600) if user else None, seen, last_replied,
            created + int(r() * span) if r() < 0.3 else None,
            created + int(r() * span) if r() < 0.4 else None,
            created + int(r() * span) if r() < 0.15 else None,
            browser, versions[int(rng.random() * len(versions))], data.LANGUAGES[int(rng.random() * len(data.LANGUAGES))],
            data.OPERATING_SYSTEMS[int(rng.random() * len(data.OPERATING_SYSTEMS))], *ios, *android,
            country, region, city, country_code, continent, *utm, _json(custom),
        ))

    def _activity(self, batch: Batch, contact_id: str, role: str, created: int) -> None:
        """Tags, an attached company and data events of one contact."""
        rng, s = self.activity_rng, self.s
        span = s.anchor - created
        if s.tag_ids and rng.random() < 0.35:
            for tag_id in _distinct(rng, s.tag_ids, 1 + int(rng.random() ** 2 * 3)):
                admin = s.admin_ids[int(rng.random() * len(s.admin_ids))]
                batch.rows["contact_tags"].append((contact_id, tag_id, created + int(rng.random() * span), admin))
        if self.company_ids and role == "user" and rng.random() < 0.6:
            company_id, company_created = self.company_ids[int(rng.random() * len(self.company_ids))]
            since = max(created, company_created)
            batch.rows["contact_companies"].append((contact_id, company_id, since + int(rng.random() * (s.anchor - since))))
        if rng.random() < 0.3:
            for event in _distinct(rng, data.EVENTS, 1 + (rng.random() < 0.3)):
                self._events(batch, contact_id, event, created, span, rng)

    def _events(self, batch: Batch, contact_id: str, event: str, created: int, span: int, rng: random.Random) -> None:
        times: set[int] = set()
        for _ in range(1 + int(rng.random() ** 2 * 3)):
            # Half of them in the last 60 days, where GET /events lists them.
            recent = rng.random() < 0.5 and span > 60 * DAY
            times.add(self.s.anchor - int(rng.random() * 60 * DAY) if recent else created + int(rng.random() * span))
        source = data.EVENT_SOURCES[int(rng.random() * len(data.EVENT_SOURCES))]
        metadata = _json({"source": source})
        for at in sorted(times):
            batch.rows["data_events"].append((self.s.workspace_id, contact_id, event, at, metadata))
        batch.rows["data_event_summaries"].append((contact_id, event, len(times), min(times), max(times), None))

    # --- conversations -------------------------------------------------------------------------

    def _conversations(self, batch: Batch, contact_id: str, role: str, created: int, ids: list[tuple[int, int]]) -> int | None:
        """The contact's conversations; returns the last time the contact wrote in (or None)."""
        rng = self.inbox_rng
        span = self.s.anchor - created
        starts = sorted(created + int(rng.random() * span) for _ in ids)
        last_replied = None
        for (message_id, conversation_id), start in zip(ids, starts):
            wrote = self._conversation(batch, contact_id, role, start, message_id, conversation_id)
            last_replied = max(last_replied or 0, wrote)
        return last_replied

    def _conversation(self, batch: Batch, contact_id: str, role: str, at: int, message_id: int, conversation_id: int) -> int:
        rng, s = self.inbox_rng, self.s
        r = rng.random
        ws = s.workspace_id
        opener = int(r() * len(data.OPENERS))
        batch.rows["messages"].append((
            message_id, ws, "inbound", "inapp", role, contact_id, contact_id, data.OPENERS[opener],
            OPENER_WORDS[opener], "[]", False, False, at,
        ))
        batch.rows["conversation_contacts"].append((conversation_id, contact_id, 0, at))
        c = _Stats(at)
        parts = batch.rows["conversation_parts"]
        clock = [at]

        def later() -> int:
            clock[0] = min(s.anchor, clock[0] + 60 + int(rng.random() * 8 * 3600))
            return clock[0]

        def part(kind: str, body: str | None, author_type: str, author_id: str, assigned=(None, None)) -> int:
            moment = later()
            parts.append((conversation_id, kind, body, author_type, author_id, *assigned, "[]", False, moment, moment, moment))
            c.parts += 1
            c.updated = moment
            return moment

        admin = s.admin_ids[int(rng.random() * len(s.admin_ids))]
        if r() < 0.7:  # an admin assigns it to a teammate
            assignee = s.admin_ids[int(rng.random() * len(s.admin_ids))]
            c.assign(part("assignment", None, "admin", str(admin), ("admin", str(assignee))), assignee)
            admin = assignee
        if r() < 0.85:
            c.admin_reply(part("comment", ADMIN_REPLIES[int(rng.random() * len(ADMIN_REPLIES))], "admin", str(admin)))
            if r() < 0.5:
                c.contact_reply(part("comment", CONTACT_REPLIES[int(rng.random() * len(CONTACT_REPLIES))], role, contact_id))
                if r() < 0.6:
                    c.admin_reply(part("comment", ADMIN_REPLIES[int(rng.random() * len(ADMIN_REPLIES))], "admin", str(admin)))
        if r() < 0.3:
            part("note", NOTES[int(rng.random() * len(NOTES))], "admin", str(admin))
        ending = r()
        if ending < 0.55:
            closing = CLOSING[int(rng.random() * len(CLOSING))] if r() < 0.5 else None
            c.close(part("close", closing, "admin", str(admin)), admin, replied=closing is not None)
            if r() < 0.15:  # the contact writes again: the reply reopens it
                c.reopen()
                c.contact_reply(part("open", CONTACT_REPLIES[int(rng.random() * len(CONTACT_REPLIES))], role, contact_id))
        elif ending < 0.65:
            part("snoozed", None, "admin", str(admin))
            c.state, c.snoozed_until = "snoozed", s.anchor + rng.randrange(2, 15) * DAY
        if s.tag_ids and r() < 0.2:
            tag_id = s.tag_ids[int(rng.random() * len(s.tag_ids))]
            batch.rows["conversation_tags"].append((conversation_id, tag_id, c.updated, admin))
        batch.rows["conversations"].append((
            conversation_id, ws, message_id, "conversation", "customer_initiated", c.state, c.read,
            "priority" if r() < 0.1 else "not_priority", c.assignee, c.snoozed_until, c.waiting_since, "{}",
            at, c.updated, at, c.last_contact, c.first_admin, c.last_admin, c.first_assignment, c.last_assignment,
            c.first_close, c.last_close, c.closed_by, c.reopens, c.assignments, c.parts,
        ))
        return c.last_contact


class _Stats:
    """A conversation's state and statistics, changed as conversations.service changes them."""

    def __init__(self, at: int) -> None:
        self.state, self.read, self.snoozed_until = "open", False, None
        self.waiting_since, self.updated = at, at
        self.last_contact = at
        self.first_admin = self.last_admin = None
        self.first_assignment = self.last_assignment = self.assignee = None
        self.first_close = self.last_close = self.closed_by = None
        self.reopens = self.assignments = self.parts = 0

    def assign(self, moment: int, admin_id: int) -> None:
        self.assignee = admin_id
        self.assignments += 1
        self.first_assignment = self.first_assignment or moment
        self.last_assignment = moment

    def admin_reply(self, moment: int) -> None:
        self.waiting_since, self.read = None, True
        self.first_admin = self.first_admin or moment
        self.last_admin = moment

    def contact_reply(self, moment: int) -> None:
        self.waiting_since = self.waiting_since or moment
        self.read = False
        self.last_contact = moment

    def close(self, moment: int, admin_id: int, *, replied: bool) -> None:
        self.state, self.snoozed_until = "closed", None
        self.first_close = self.first_close or moment
        self.last_close, self.closed_by = moment, admin_id
        if replied:  # a closing message is a reply to the contact (but does not mark it read)
            self.waiting_since = None
            self.first_admin = self.first_admin or moment
            self.last_admin = moment

    def reopen(self) -> None:
        self.state, self.snoozed_until = "open", None
        self.reopens += 1
