"""The rules for tags: create, rename, delete, and tagging objects (contacts, companies, ...).

Tagging is written once for every kind of object: a `Target` names the join table that links
tags to that kind of object. Conversations and tickets add theirs with `register_target`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from opencom.companies.models import Company, CompanyTag
from opencom.contacts.models import Contact, ContactTag
from opencom.core.clock import now
from opencom.core.errors import ApiError, not_found, parameter_invalid
from opencom.tags.models import Tag

MAX_NAME_LENGTH = 255
# Users or companies in one POST /tags: keeps every statement well under the databases'
# bind-parameter limits.
MAX_ENTRIES = 1000
INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class Target:
    """A kind of taggable object: its join table and the column there naming the object."""

    link: Any  # mapped class with `<key>`, tag_id, applied_at, applied_by_id
    key: str

    @property
    def column(self):
        return getattr(self.link, self.key)


TARGETS: dict[str, Target] = {
    "contact": Target(ContactTag, "contact_id"),
    "company": Target(CompanyTag, "company_id"),
}


def register_target(name: str, link: Any, key: str) -> None:
    TARGETS[name] = Target(link, key)


def invalid_tag_parameters(field: str | None = None) -> ApiError:
    return parameter_invalid("invalid tag parameters", field)


def int_id(value: Any) -> int | None:
    """A digit-string (or integer) id as an int; None when it can't name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= INT64_MAX else None


# --- tags ------------------------------------------------------------------------------------


def list_tags(session: Session, workspace_id: int) -> list[Tag]:
    return list(session.scalars(select(Tag).where(Tag.workspace_id == workspace_id).order_by(Tag.id)))


def find_tag(session: Session, workspace_id: int, tag_id: Any) -> Tag | None:
    key = int_id(tag_id)
    if key is None:
        return None
    return session.scalar(select(Tag).where(Tag.workspace_id == workspace_id, Tag.id == key))


def get_tag(session: Session, workspace_id: int, tag_id: Any) -> Tag:
    tag = find_tag(session, workspace_id, tag_id)
    if tag is None:
        raise not_found()
    return tag


def find_tag_by_name(session: Session, workspace_id: int, name: str) -> Tag | None:
    return session.scalar(select(Tag).where(Tag.workspace_id == workspace_id, Tag.name_key == name_key(name)))


def name_key(name: str) -> str:
    return name.lower()


def check_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_NAME_LENGTH:
        raise invalid_tag_parameters("name")
    return value.strip()


def ensure_tag(session: Session, workspace_id: int, name: str, admin_id: int | None) -> Tag:
    """The tag with that name (any case), created if missing; safe against a concurrent create."""
    values = {"workspace_id": workspace_id, "name": name, "name_key": name_key(name),
              "created_at": now(), "created_by_id": admin_id}
    session.execute(_insert(session, Tag).values(**values).on_conflict_do_nothing())
    return find_tag_by_name(session, workspace_id, name)


def rename_tag(session: Session, workspace_id: int, tag_id: Any, name: str) -> Tag:
    tag = get_tag(session, workspace_id, tag_id)
    other = find_tag_by_name(session, workspace_id, name)
    if other is not None and other.id != tag.id:
        raise parameter_invalid(f"A tag named '{other.name}' already exists", "name")
    try:
        # A tag of that name created concurrently fails the unique constraint here.
        with session.begin_nested():
            tag.name, tag.name_key = name, name_key(name)
    except IntegrityError:
        raise parameter_invalid(f"A tag named '{name}' already exists", "name") from None
    return tag


def delete_tag(session: Session, workspace_id: int, tag_id: Any) -> None:
    from opencom.segments.service import segments_using_tag

    tag = get_tag(session, workspace_id, tag_id)
    segments = segments_using_tag(session, workspace_id, tag.id)
    if segments:
        names = ", ".join(s.name for s in segments)
        raise ApiError(400, "tag_has_dependent_objects", f"Unable to delete Tag with dependent objects. Segments: {names}.")
    for target in TARGETS.values():
        session.execute(delete(target.link).where(target.link.tag_id == tag.id))
    session.delete(tag)
    session.flush()


# --- tagging ---------------------------------------------------------------------------------


def apply_tag(session: Session, target: str, object_ids: list[str], tag: Tag, admin_id: int | None) -> None:
    """Tag the objects; an object already tagged keeps its first applied_at/applied_by."""
    spec = TARGETS[target]
    rows = [{spec.key: oid, "tag_id": tag.id, "applied_at": now(), "applied_by_id": admin_id}
            for oid in dict.fromkeys(object_ids)]
    if rows:
        session.execute(_insert(session, spec.link).values(rows).on_conflict_do_nothing())


def remove_tag(session: Session, target: str, object_ids: list[str], tag: Tag) -> None:
    spec = TARGETS[target]
    session.execute(delete(spec.link).where(spec.link.tag_id == tag.id, spec.column.in_(object_ids)))


def tagging(session: Session, target: str, object_id: str, tag: Tag) -> Any | None:
    spec = TARGETS[target]
    return session.scalar(select(spec.link).where(spec.link.tag_id == tag.id, spec.column == object_id))


def tags_of(session: Session, target: str, object_ids: list[str]) -> dict[str, list[tuple[Tag, Any]]]:
    """Each object's tags with their join rows (applied_at, applied_by_id), oldest tagging first."""
    spec = TARGETS[target]
    found: dict[str, list[tuple[Tag, Any]]] = {oid: [] for oid in object_ids}
    rows = session.execute(
        select(Tag, spec.link).join(spec.link, spec.link.tag_id == Tag.id)
        .where(spec.column.in_(object_ids)).order_by(spec.link.applied_at, Tag.id)
    )
    for tag, link in rows:
        found[getattr(link, spec.key)].append((tag, link))
    return found


def _insert(session: Session, model: Any):
    """INSERT ... ON CONFLICT DO NOTHING is spelt by the dialect's own insert()."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


# --- contacts --------------------------------------------------------------------------------


def get_contact(session: Session, workspace_id: int, contact_id: Any) -> Contact:
    contact = None
    if isinstance(contact_id, str) and contact_id:
        contact = session.scalar(select(Contact).where(Contact.workspace_id == workspace_id, Contact.id == contact_id))
    if contact is None:
        raise not_found("User Not Found")
    return contact


def tag_contact(session: Session, workspace_id: int, contact_id: str, tag_id: Any, admin_id: int | None) -> tuple[Tag, Any]:
    contact = get_contact(session, workspace_id, contact_id)
    tag = get_tag(session, workspace_id, tag_id)
    apply_tag(session, "contact", [contact.id], tag, admin_id)
    return tag, tagging(session, "contact", contact.id, tag)


def untag_contact(session: Session, workspace_id: int, contact_id: str, tag_id: Any) -> tuple[Tag, Any | None]:
    contact = get_contact(session, workspace_id, contact_id)
    tag = get_tag(session, workspace_id, tag_id)
    link = tagging(session, "contact", contact.id, tag)
    remove_tag(session, "contact", [contact.id], tag)
    return tag, link


def contact_tags(session: Session, workspace_id: int, contact_id: str) -> list[tuple[Tag, Any]]:
    contact = get_contact(session, workspace_id, contact_id)
    return tags_of(session, "contact", [contact.id])[contact.id]


# --- POST /tags ------------------------------------------------------------------------------


def create_tag_request(session: Session, workspace_id: int, body: Any, admin_id: int | None) -> Tag:
    """The five forms of POST /tags, picked by key: users, companies, else create or rename."""
    if not isinstance(body, dict):
        raise invalid_tag_parameters()
    if "users" in body:
        return _tag_users(session, workspace_id, body, admin_id)
    if "companies" in body:
        return _tag_companies(session, workspace_id, body, admin_id)
    if "name" not in body:
        raise invalid_tag_parameters()
    name = check_name(body["name"])
    if "id" in body:
        # `id` is a string or an integer; null names no tag (and does not mean "create").
        if body["id"] is None or isinstance(body["id"], bool) or not isinstance(body["id"], (str, int)):
            raise invalid_tag_parameters("id")
        return rename_tag(session, workspace_id, body["id"], name)
    return ensure_tag(session, workspace_id, name, admin_id)


def _entries(body: dict, key: str) -> list[dict]:
    entries = body[key]
    if not isinstance(entries, list) or not entries or len(entries) > MAX_ENTRIES:
        raise invalid_tag_parameters(key)
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise invalid_tag_parameters(f"{key}[{i}]")
    return entries


def _tag_users(session: Session, workspace_id: int, body: dict, admin_id: int | None) -> Tag:
    name = check_name(body.get("name"))
    contact_ids = []
    for i, entry in enumerate(_entries(body, "users")):
        value = entry.get("id")
        if not isinstance(value, str) or not value:
            raise invalid_tag_parameters(f"users[{i}].id")
        contact_ids.append(value)
    found = set(session.scalars(
        select(Contact.id).where(Contact.workspace_id == workspace_id, Contact.id.in_(contact_ids))
    ))
    if len(found) != len(set(contact_ids)):
        raise not_found("User Not Found")
    tag = ensure_tag(session, workspace_id, name, admin_id)
    apply_tag(session, "contact", contact_ids, tag, admin_id)
    return tag


def _tag_companies(session: Session, workspace_id: int, body: dict, admin_id: int | None) -> Tag:
    """Each entry is tagged, or untagged when it says `untag: true`."""
    name = check_name(body.get("name"))
    to_tag, to_untag = [], []
    for i, entry in enumerate(_entries(body, "companies")):
        untag = entry.get("untag", False)
        if not isinstance(untag, bool):
            raise invalid_tag_parameters(f"companies[{i}].untag")
        (to_untag if untag else to_tag).append(_company_key(session, workspace_id, entry, f"companies[{i}]"))
    if to_tag:
        tag = ensure_tag(session, workspace_id, name, admin_id)
        apply_tag(session, "company", to_tag, tag, admin_id)
    else:
        tag = find_tag_by_name(session, workspace_id, name)
        if tag is None:
            raise not_found()
    if to_untag:
        remove_tag(session, "company", to_untag, tag)
    return tag


def _company_key(session: Session, workspace_id: int, entry: dict, path: str) -> str:
    """The Intercom id of the company an entry names by `id` or by `company_id`."""
    scope = select(Company.id).where(Company.workspace_id == workspace_id, Company.archived.is_(False))
    if entry.get("id") is not None:
        if not isinstance(entry["id"], str):
            raise invalid_tag_parameters(f"{path}.id")
        found = session.scalar(scope.where(Company.id == entry["id"]))
    elif entry.get("company_id") is not None:
        value = entry["company_id"]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise invalid_tag_parameters(f"{path}.company_id")
        found = session.scalar(scope.where(Company.company_id == str(value)))
    else:
        raise invalid_tag_parameters(path)
    if found is None:
        raise ApiError(404, "company_not_found", "Company Not Found")
    return found


def references_tag(query: Any, tag_id: int) -> bool:
    """Whether a stored search query has a `tag_id` filter naming this tag."""
    if isinstance(query, dict):
        if query.get("field") == "tag_id":
            values = query.get("value")
            values = values if isinstance(values, list) else [values]
            return any(int_id(v) == tag_id for v in values)
        return any(references_tag(member, tag_id) for member in query.get("value") or [] if isinstance(member, dict))
    return False

