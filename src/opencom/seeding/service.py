"""`opencom seed`: fill a workspace with realistic, deterministic data, in bulk.

`seed_workspace` first sets the workspace up through the services the API uses (admins to assign
conversations to, the custom data attributes, the tags), then streams companies and contacts
(with their tags, companies, data events and conversations) through the BulkWriter, one batch
per transaction. Nothing is ever held for more than a batch, except the ids of the companies of
this run (contacts are attached to them).

Seeding twice appends: sequence numbers (in external ids, emails and company ids) continue after
the highest one a previous run left, so emails and ids stay unique, and the definitions (admins,
attributes, tags) are reused.

Big seeds into a small database run in bulk mode (BulkWriter.bulk): one transaction, non-unique
indexes rebuilt at the end. Smaller ones commit batch by batch with every index in place.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencom.admins.models import Admin
from opencom.admins.service import create_admin
from opencom.companies.models import Company
from opencom.contacts.models import Contact
from opencom.core.clock import clock, stored_clock
from opencom.core.db import Database
from opencom.core.errors import ApiError
from opencom.data_attributes.service import create_attribute, custom_definitions
from opencom.seeding import data
from opencom.seeding.generate import COLUMNS, DAY, TABLE_ORDER, Batch, Generator, Setting, conversations_before
from opencom.seeding.writer import BulkWriter
from opencom.tags.service import ensure_tag
from opencom.workspaces.service import get_workspace, owner_admin_id

SEQUENCE_DIGITS = 9
BULK_ROWS = 50_000
CONTACT_PREFIX, COMPANY_PREFIX = "usr_", "cmp_"
ADMIN_DOMAIN = "support.opencom.example"


class SeedError(Exception):
    """The seed can't run as asked (bad counts, unknown workspace, clashing definitions)."""


class Reporter(Protocol):
    def start(self, table: str, total: int) -> None: ...

    def advance(self, table: str, count: int) -> None: ...


class _Silent:
    def start(self, table: str, total: int) -> None:
        pass

    def advance(self, table: str, count: int) -> None:
        pass


@dataclass
class SeedResult:
    rows: dict[str, int] = field(default_factory=lambda: {name: 0 for name in TABLE_ORDER})
    seconds: float = 0.0

    def add(self, batch: Batch) -> None:
        for table, rows in batch.rows.items():
            self.rows[table] += len(rows)


def seed_workspace(
    db: Database,
    workspace_id: int,
    *,
    contacts: int = 0,
    companies: int = 0,
    conversations: int = 0,
    seed: int = 0,
    batch_size: int = 10_000,
    reporter: Reporter | None = None,
    anchor: int | None = None,
    bulk: bool | None = None,
) -> SeedResult:
    """Seed the workspace; `anchor` is the data's "now" (default: the start of today, UTC, so
    that the same seed gives the same data all day). `bulk`: one transaction with the non-unique
    indexes rebuilt at the end (BulkWriter.bulk); None decides by size (_worth_bulk_mode)."""
    if min(contacts, companies, conversations) < 0 or batch_size < 1:
        raise SeedError("counts must not be negative and the batch size must be at least 1")
    if conversations and not contacts:
        raise SeedError("conversations are started by the seeded contacts: give --contacts too")
    reporter = reporter or _Silent()
    started = time.perf_counter()
    with db.transaction() as session:
        workspace = get_workspace(session, workspace_id)
        if workspace is None:
            raise SeedError(f"No workspace with id {workspace_id}")
        # The workspace's own clock, as for its API requests (frozen or shifted by the control plane).
        with clock.workspace(stored_clock(workspace.clock_frozen_at, workspace.clock_offset)):
            setting = _prepare(session, workspace_id, seed, contacts, companies, conversations,
                               anchor if anchor is not None else clock.now() // DAY * DAY)
        if bulk is None:
            bulk = _worth_bulk_mode(session, contacts + companies)
    result = SeedResult()
    with BulkWriter(db) as writer:
        if bulk:
            with writer.bulk(TABLE_ORDER, on_index=lambda total: _index_progress(reporter, total)):
                _stream(writer, Generator(setting), setting, batch_size, reporter, result)
        else:
            _stream(writer, Generator(setting), setting, batch_size, reporter, result)
        writer.analyze([table for table, count in result.rows.items() if count])
    result.seconds = time.perf_counter() - started
    return result


def _worth_bulk_mode(session: Session, adding: int) -> bool:
    """Big seeds into a small (or empty) database: at least BULK_ROWS rows, and no fewer than the
    contacts already there (the indexes are rebuilt over the whole table)."""
    return adding >= BULK_ROWS and session.scalar(select(func.count()).select_from(Contact)) <= adding


def _index_progress(reporter: Reporter, total: int | None) -> None:
    if total is not None:
        reporter.start("indexes", total)
    else:
        reporter.advance("indexes", 1)


def _stream(writer: BulkWriter, generator: Generator, setting: Setting, batch_size: int, reporter: Reporter,
            result: SeedResult) -> None:
    """Companies, then contacts with everything that hangs off them, a batch at a time.

    In bulk mode the next batch of contacts is generated in a thread while this one is written
    (the drivers release the GIL while the database works): the ids a batch needs can be taken
    ahead, since the bulk transaction keeps other writers out. One thread generates every batch in
    turn, so the rows are the same as without it.
    """
    companies, contacts = setting.companies, setting.contacts
    reporter.start("companies", companies)
    for number, first in enumerate(range(0, companies, batch_size), 1):
        count = min(batch_size, companies - first)
        with writer.transaction():
            _write(writer, generator.companies(first, count), result)
        _refresh_statistics(writer, number, result)
        reporter.advance("companies", count)
    reporter.start("contacts", contacts)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed") if writer.in_bulk else nullcontext() as pool:
        ahead: tuple[Future, int] | None = None  # the batch being generated, and its size
        for number, first in enumerate(range(0, contacts, batch_size), 1):
            count = min(batch_size, contacts - first)
            with writer.transaction():
                started_here = conversations_before(setting, first + count) - conversations_before(setting, first)
                ids = writer.reserve_ids("messages", started_here), writer.reserve_ids("conversations", started_here)
                if pool is None:
                    _write(writer, generator.contacts(first, count, *ids), result)
                    reporter.advance("contacts", count)
                else:
                    next_ahead = (pool.submit(generator.contacts, first, count, *ids), count)
                    if ahead is not None:
                        _write(writer, ahead[0].result(), result)
                        reporter.advance("contacts", ahead[1])
                    ahead = next_ahead
            _refresh_statistics(writer, number, result)
        if ahead is not None:
            _write(writer, ahead[0].result(), result)
            reporter.advance("contacts", ahead[1])


# The tables the seeded rows' foreign keys point at.
PARENT_TABLES = ("companies", "contacts", "messages", "conversations")


def _refresh_statistics(writer: BulkWriter, batch_number: int, result: SeedResult) -> None:
    """ANALYZE the parent tables after batches 1, 2, 4, 8, ... (PostgreSQL).

    A table filled in bulk keeps the planner statistics it had when empty; the foreign-key checks
    of the next batches are then planned as sequential scans of the parent, and each batch takes
    longer than the one before. Refreshing at doubling intervals keeps the plans right for a
    handful of ANALYZEs in all.
    """
    if batch_number & (batch_number - 1) == 0:
        writer.analyze([table for table in PARENT_TABLES if result.rows[table]], key_only=True)


def _write(writer: BulkWriter, batch: Batch, result: SeedResult) -> None:
    for table in TABLE_ORDER:
        writer.write(table, COLUMNS[table], batch.rows[table])
    result.add(batch)


# --- setting the workspace up ------------------------------------------------------------------


def _prepare(session: Session, workspace_id: int, seed: int, contacts: int, companies: int,
             conversations: int, anchor: int) -> Setting:
    owner = owner_admin_id(session, workspace_id)
    admin_ids = _admins(session, workspace_id, owner)
    _attributes(session, workspace_id, owner)
    tag_ids = tuple(ensure_tag(session, workspace_id, name, owner).id for name in data.TAGS)
    return Setting(
        workspace_id=workspace_id, seed=seed, anchor=anchor, admin_ids=admin_ids, tag_ids=tag_ids,
        contact_offset=_next_sequence(session, workspace_id, Contact.external_id, CONTACT_PREFIX),
        company_offset=_next_sequence(session, workspace_id, Company.company_id, COMPANY_PREFIX),
        contacts=contacts, companies=companies, conversations=conversations,
    )


def _admins(session: Session, workspace_id: int, owner: int | None) -> tuple[int, ...]:
    """The owner and a small support team (created on the first seed) who own contacts and
    answer conversations."""
    existing = {
        email: admin_id
        for email, admin_id in session.execute(select(Admin.email, Admin.id).where(Admin.workspace_id == workspace_id))
    }
    team = []
    for name, title in data.ADMINS:
        email = f"{name.split()[0].lower()}@{ADMIN_DOMAIN}"
        admin_id = existing.get(email)
        if admin_id is None:
            admin_id = create_admin(session, workspace_id, name=name, email=email, job_title=title).id
        team.append(admin_id)
    return tuple([owner] + team if owner is not None else team)


def _attributes(session: Session, workspace_id: int, owner: int | None) -> None:
    """The seeded custom attributes, defined as POST /data_attributes defines them."""
    for model, attributes in (("contact", data.CONTACT_ATTRIBUTES), ("company", data.COMPANY_ATTRIBUTES)):
        defined = custom_definitions(session, workspace_id, model)
        for name, _, data_type, description in attributes:
            found = defined.get(name)
            if found is not None:
                if found.data_type != data_type or found.archived:
                    raise SeedError(f"The workspace's {model} attribute '{name}' is not a live {data_type} attribute")
                continue
            try:
                create_attribute(session, workspace_id, owner, {
                    "name": name, "model": model, "data_type": data_type, "description": description,
                })
            except ApiError as error:
                raise SeedError(f"Can't define the {model} attribute '{name}': {error.message}") from None


def _next_sequence(session: Session, workspace_id: int, column, prefix: str) -> int:
    """1 + the highest sequence number a previous seed left in `column` (1 on the first seed)."""
    model = column.class_
    top = session.scalar(
        select(func.max(column)).where(
            model.workspace_id == workspace_id,
            column.startswith(prefix, autoescape=True),
            func.length(column) == len(prefix) + SEQUENCE_DIGITS,
        )
    )
    suffix = top[len(prefix):] if top else ""
    return int(suffix) + 1 if suffix.isdigit() else 1
