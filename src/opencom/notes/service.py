"""The rules for notes on contacts: create, list newest first, retrieve."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencom.admins.models import Admin
from opencom.admins.schemas import team_memberships
from opencom.admins.service import find_admin, token_admin
from opencom.contacts.models import Contact
from opencom.core.clock import now
from opencom.core.errors import not_found, parameter_invalid
from opencom.core.pagination import Page, offset_paginate
from opencom.notes.models import Note
from opencom.teams.models import TeamMembership

INT64_MAX = 2**63 - 1

# Elements whose presence makes a body HTML already (so "a <b> c" is HTML, "x < y" or "<3" is not).
HTML_ELEMENTS = frozenset("""
a abbr address article aside b blockquote br caption cite code col colgroup dd del details div dl dt
em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li mark ol p pre q s samp
section small span strong sub summary sup table tbody td tfoot th thead tr u ul
""".split())


class _TagFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = False

    def handle_starttag(self, tag: str, attrs) -> None:
        self.found = self.found or tag in HTML_ELEMENTS

    def handle_endtag(self, tag: str) -> None:
        self.found = self.found or tag in HTML_ELEMENTS


def is_html(text: str) -> bool:
    finder = _TagFinder()
    finder.feed(text)
    finder.close()
    return finder.found


def html_body(text: str) -> str:
    """A note body as HTML: kept when it already is, else escaped with each line a paragraph."""
    if is_html(text):
        return text
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)


def _contact(session: Session, workspace_id: int, contact_id: str) -> Contact:
    contact = session.scalar(select(Contact).where(Contact.workspace_id == workspace_id, Contact.id == contact_id))
    if contact is None:
        raise not_found("User Not Found")
    return contact


def _author(session: Session, workspace_id: int, admin_id: Any, token_admin_id: int | None) -> Admin:
    """The named admin of the workspace, or the token's admin when none is named."""
    if admin_id is None:
        return token_admin(session, workspace_id, token_admin_id)
    key = str(admin_id).strip()
    admin = find_admin(session, workspace_id, key) if key.isascii() and key.isdigit() and int(key) <= INT64_MAX else None
    if admin is None:
        raise not_found()
    return admin


def create_note(
    session: Session, workspace_id: int, contact_id: str, *, body: str, admin_id: Any, token_admin_id: int | None
) -> tuple[Note, Admin]:
    if not body.strip():
        raise parameter_invalid("body must not be blank", "body")
    contact = _contact(session, workspace_id, contact_id)
    author = _author(session, workspace_id, admin_id, token_admin_id)
    note = Note(workspace_id=workspace_id, contact_id=contact.id, admin_id=author.id,
                body=html_body(body), created_at=now())
    session.add(note)
    session.flush()
    return note, author


def list_notes(session: Session, workspace_id: int, contact_id: str, *, page: int, per_page: int) -> Page:
    contact = _contact(session, workspace_id, contact_id)
    query = select(Note).where(Note.workspace_id == workspace_id, Note.contact_id == contact.id)
    return offset_paginate(session, query, [Note.created_at.desc(), Note.id.desc()], page=page, per_page=per_page)


def get_note(session: Session, workspace_id: int, note_id: str) -> Note:
    key = int(note_id) if note_id.isascii() and note_id.isdigit() and 0 < int(note_id) <= INT64_MAX else None
    note = None
    if key is not None:
        note = session.scalar(select(Note).where(Note.workspace_id == workspace_id, Note.id == key))
    if note is None:
        raise not_found()
    return note


def authors(session: Session, notes: list[Note]) -> tuple[dict[int, Admin], dict[int, list[TeamMembership]]]:
    """The admins who wrote these notes, and their team memberships, in two queries."""
    admin_ids = list({n.admin_id for n in notes if n.admin_id is not None})
    if not admin_ids:
        return {}, {}
    admins = {a.id: a for a in session.scalars(select(Admin).where(Admin.id.in_(admin_ids)))}
    return admins, team_memberships(session, admin_ids)
