"""Request shapes and serializers for notes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

from opencom.admins.models import Admin
from opencom.admins.schemas import admin_json
from opencom.core.pagination import Page
from opencom.notes.models import Note
from opencom.teams.models import TeamMembership


class CreateNoteRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    body: StrictStr
    admin_id: StrictStr | StrictInt | None = None
    # The path names the contact; the body's contact_id (which the examples repeat) is ignored.
    contact_id: StrictStr | StrictInt | None = None


def note_json(note: Note, author: Admin | None, memberships: list[TeamMembership]) -> dict:
    body: dict = {
        "type": "note",
        "id": str(note.id),
        "created_at": note.created_at,
        "contact": {"type": "contact", "id": note.contact_id},
    }
    if author is not None:  # the admin may have been removed since
        body["author"] = admin_json(author, memberships)
    body["body"] = note.body
    return body


def note_list_json(page: Page, authors: dict[int, Admin], memberships: dict[int, list[TeamMembership]]) -> dict:
    return {
        "type": "list",
        "data": [note_json(n, authors.get(n.admin_id), memberships.get(n.admin_id, [])) for n in page.rows],
        "total_count": page.total_count,
        "pages": page.cursor_pages(),
    }
