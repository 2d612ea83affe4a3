"""The rules for help centers and collections. No HTTP here.

Collections nest through parent_id (a collection with a parent is a section); a subtree always
lives in one help center. Deleting a collection deletes its sub-collections with it and detaches
the articles that were in any of them: they stand alone, nothing points at a missing parent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, delete, func, literal, select, update
from sqlalchemy.orm import Session

from opencom.core.clock import now
from opencom.core.errors import ApiError, not_found, parameter_invalid, parameter_not_found
from opencom.core.pagination import Page, offset_paginate
from opencom.help_center.content import DEFAULT_LOCALE, given_locales, int_id
from opencom.help_center.models import Collection, HelpCenter
from opencom.help_center.schemas import CreateCollectionRequest, UpdateCollectionRequest
from opencom.workspaces.models import Workspace

DEFAULT_ICON = "book-bookmark"


# --- help centers ----------------------------------------------------------------------------


def workspace_code(session: Session, workspace_id: int) -> str:
    """The workspace's id_code: the `workspace_id` every object shows."""
    return session.scalar(select(Workspace.id_code).where(Workspace.id == workspace_id))


def create_help_center(
    session: Session, workspace_id: int, display_name: str, identifier: str, *, default: bool = False
) -> HelpCenter:
    identifier, display_name = identifier.strip(), display_name.strip()
    if not identifier or len(identifier) > 100:
        raise parameter_invalid("identifier must be 1 to 100 characters", "identifier")
    if not display_name or len(display_name) > 255:
        raise parameter_invalid("display_name must be 1 to 255 characters", "display_name")
    taken = select(HelpCenter.id).where(HelpCenter.workspace_id == workspace_id, HelpCenter.identifier == identifier)
    if session.scalar(taken) is not None:
        raise parameter_invalid(f"A help center with identifier {identifier!r} already exists", "identifier")
    at = now()
    help_center = HelpCenter(
        workspace_id=workspace_id, identifier=identifier, display_name=display_name,
        website_turned_on=False, custom_domain=None, is_default=default, created_at=at, updated_at=at,
    )
    session.add(help_center)
    session.flush()
    return help_center


def seed_help_center(session: Session, workspace: Workspace) -> HelpCenter:
    """Every workspace starts with one help center, its default."""
    return create_help_center(session, workspace.id, f"{workspace.name} Help Center", workspace.id_code, default=True)


def list_help_centers(session: Session, workspace_id: int) -> list[HelpCenter]:
    return list(session.scalars(select(HelpCenter).where(HelpCenter.workspace_id == workspace_id).order_by(HelpCenter.id)))


def find_help_center(session: Session, workspace_id: int, help_center_id: Any) -> HelpCenter | None:
    key = int_id(help_center_id)
    if key is None:
        return None
    return session.scalar(select(HelpCenter).where(HelpCenter.workspace_id == workspace_id, HelpCenter.id == key))


def get_help_center(session: Session, workspace_id: int, help_center_id: Any) -> HelpCenter:
    help_center = find_help_center(session, workspace_id, help_center_id)
    if help_center is None:
        raise not_found()
    return help_center


def default_help_center(session: Session, workspace_id: int) -> HelpCenter:
    query = select(HelpCenter).where(HelpCenter.workspace_id == workspace_id).order_by(HelpCenter.is_default.desc(), HelpCenter.id)
    help_center = session.scalar(query.limit(1))
    if help_center is None:  # a workspace emptied by a snapshot without help centers
        raise ApiError(400, "parameter_invalid", "This workspace has no help center", "help_center_id")
    return help_center


def help_centers_by_id(session: Session, workspace_id: int) -> dict[int, HelpCenter]:
    return {hc.id: hc for hc in list_help_centers(session, workspace_id)}


# --- collections -----------------------------------------------------------------------------


def find_collection(session: Session, workspace_id: int, collection_id: Any) -> Collection | None:
    key = int_id(collection_id)
    if key is None:
        return None
    return session.scalar(select(Collection).where(Collection.workspace_id == workspace_id, Collection.id == key))


def get_collection(session: Session, workspace_id: int, collection_id: Any) -> Collection:
    collection = find_collection(session, workspace_id, collection_id)
    if collection is None:
        raise not_found()
    return collection


def list_collections(session: Session, workspace_id: int, *, page: int, per_page: int) -> Page:
    query = select(Collection).where(Collection.workspace_id == workspace_id)
    return offset_paginate(session, query, [Collection.updated_at.desc(), Collection.id.desc()], page=page, per_page=per_page)


def existing_parent(session: Session, workspace_id: int, parent_id: int, field: str = "parent_id") -> Collection:
    parent = find_collection(session, workspace_id, parent_id)
    if parent is None:
        raise parameter_invalid(f"{field} {parent_id} is not a collection of this workspace", field)
    return parent


def create_collection(session: Session, workspace_id: int, request: CreateCollectionRequest) -> Collection:
    locales = given_locales(request.translated_content)
    default = locales.pop(DEFAULT_LOCALE, None)
    name = request.name if request.name is not None else (default.name if default else None)
    if name is None:
        raise parameter_not_found("Name is a required parameter.", "name")
    description = request.description if request.description is not None else (default.description if default else None)
    help_center, parent = _placement(session, workspace_id, request.help_center_id, request.parent_id)
    at = now()
    collection = Collection(
        workspace_id=workspace_id, help_center_id=help_center.id, parent_id=parent.id if parent else None,
        name=_name(name), description=description if description is not None else "",
        icon=request.icon or DEFAULT_ICON, sort_order=_next_order(session, help_center.id, parent),
        translated_content=_merged_locales({}, locales), created_at=at, updated_at=at,
    )
    session.add(collection)
    session.flush()
    return collection


def _placement(session: Session, workspace_id: int, help_center_id: int | None, parent_id: int | None):
    parent = existing_parent(session, workspace_id, parent_id) if parent_id is not None else None
    if help_center_id is not None:
        help_center = find_help_center(session, workspace_id, help_center_id)
        if help_center is None:
            raise parameter_invalid(f"help_center_id {help_center_id} is not a help center of this workspace", "help_center_id")
        if parent is not None and parent.help_center_id != help_center.id:
            raise parameter_invalid("The parent collection is in another help center", "parent_id")
    elif parent is not None:
        help_center = session.get(HelpCenter, parent.help_center_id)
    else:
        help_center = default_help_center(session, workspace_id)
    return help_center, parent


def _name(name: str) -> str:
    if not name.strip():
        raise parameter_invalid("name must not be blank", "name")
    return name


def _next_order(session: Session, help_center_id: int, parent: Collection | None) -> int:
    """A new (or moved) collection goes after its siblings; the first one is 0."""
    siblings = select(func.max(Collection.sort_order)).where(
        Collection.help_center_id == help_center_id,
        Collection.parent_id == parent.id if parent is not None else Collection.parent_id.is_(None),
    )
    highest = session.scalar(siblings)
    return 0 if highest is None else highest + 1


def _merged_locales(current: dict, given: dict) -> dict:
    merged = {locale: dict(content) for locale, content in (current or {}).items()}
    for locale, content in given.items():
        entry = merged.setdefault(locale, {"name": None, "description": ""})
        if content.name is not None:
            entry["name"] = content.name
        if content.description is not None:
            entry["description"] = content.description
        if not entry.get("name"):
            raise parameter_not_found(f"translated_content.{locale}.name is required", f"translated_content.{locale}.name")
    return merged


def update_collection(session: Session, workspace_id: int, collection_id: Any, request: UpdateCollectionRequest) -> Collection:
    collection = get_collection(session, workspace_id, collection_id)
    locales = given_locales(request.translated_content)
    default = locales.pop(DEFAULT_LOCALE, None)
    name = request.name if request.name is not None else (default.name if default else None)
    if name is not None:
        collection.name = _name(name)
    description = request.description if request.description is not None else (default.description if default else None)
    if description is not None or ("description" in request.model_fields_set and request.description is None):
        collection.description = description
    if request.icon is not None:
        collection.icon = request.icon
    if locales:
        collection.translated_content = _merged_locales(collection.translated_content, locales)
    if "parent_id" in request.model_fields_set:
        _move(session, workspace_id, collection, request.parent_id)
    collection.updated_at = now()
    session.flush()
    return collection


def _move(session: Session, workspace_id: int, collection: Collection, parent_id: int | None) -> None:
    """parent_id null moves the collection to the top level of its help center."""
    if parent_id == collection.parent_id:
        return
    parent = existing_parent(session, workspace_id, parent_id) if parent_id is not None else None
    if parent is not None:
        if parent.help_center_id != collection.help_center_id:
            raise parameter_invalid("The parent collection is in another help center", "parent_id")
        if collection.id in ancestor_ids(session, parent.id):
            raise parameter_invalid("A collection can't be moved under itself or one of its sub-collections", "parent_id")
    collection.parent_id = parent.id if parent else None
    collection.sort_order = _next_order(session, collection.help_center_id, parent)


def ancestor_ids(session: Session, collection_id: int) -> list[int]:
    """The collection and every collection above it, nearest first (one recursive query)."""
    chain = select(Collection.id, Collection.parent_id, literal(0, Integer).label("depth"))
    chain = chain.where(Collection.id == collection_id).cte("chain", recursive=True)
    step = select(Collection.id, Collection.parent_id, (chain.c.depth + 1).label("depth")).join(chain, Collection.id == chain.c.parent_id)
    chain = chain.union_all(step)
    return list(session.scalars(select(chain.c.id).order_by(chain.c.depth)))


def subtree(workspace_id: int, collection_id: int) -> Select:
    """The ids of a collection and of everything nested under it."""
    tree = select(Collection.id).where(Collection.workspace_id == workspace_id, Collection.id == collection_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Collection.id).join(tree, Collection.parent_id == tree.c.id))
    return select(tree.c.id)


def delete_collection(session: Session, workspace_id: int, collection_id: Any) -> int:
    from opencom.articles.models import Article  # articles hang off collections, not the reverse

    collection = get_collection(session, workspace_id, collection_id)
    ids = list(session.scalars(subtree(workspace_id, collection.id)))
    detach = update(Article).where(Article.workspace_id == workspace_id, Article.parent_id.in_(ids))
    session.execute(detach.values(parent_id=None, help_center_id=None, updated_at=now()))
    session.execute(delete(Collection).where(Collection.workspace_id == workspace_id, Collection.id.in_(ids)))
    return collection.id


def collections_by_id(session: Session, workspace_id: int, ids: set[int]) -> dict[int, Collection]:
    """The given collections and all their ancestors, one query per level of nesting."""
    found: dict[int, Collection] = {}
    wanted = {i for i in ids if i is not None}
    while wanted:
        rows = session.scalars(select(Collection).where(Collection.workspace_id == workspace_id, Collection.id.in_(wanted)))
        wanted = set()
        for row in rows:
            found[row.id] = row
            if row.parent_id is not None and row.parent_id not in found:
                wanted.add(row.parent_id)
    return found
