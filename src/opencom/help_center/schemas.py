"""Request shapes and serializers for help centers and collections (neither has a `type`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from opencom.help_center.content import DEFAULT_LOCALE, Icon, IdRef, LongText, Name, path_url, translated_model
from opencom.help_center.models import Collection, HelpCenter


class GroupContent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["group_content"] | None = None
    # Not nullable in the description: the default is None, an explicit null is a 400.
    name: Name = None  # type: ignore[assignment]
    description: LongText = None  # type: ignore[assignment]


GroupTranslatedContent = translated_model("GroupTranslatedContent", GroupContent, "group_translated_content")


class CollectionFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # Not nullable in the description: the default is None, an explicit null is a 400.
    name: Name = None  # type: ignore[assignment]
    description: LongText = None  # type: ignore[assignment]
    translated_content: GroupTranslatedContent | None = None  # type: ignore[valid-type]
    parent_id: IdRef | None = None
    # Not in the 2.10 request schemas; accepted so a client can set what the response shows.
    icon: Icon | None = None


class CreateCollectionRequest(CollectionFields):
    help_center_id: IdRef | None = None


class UpdateCollectionRequest(CollectionFields):
    pass


# --- serializers -----------------------------------------------------------------------------


def help_center_url(help_center: HelpCenter) -> str:
    if help_center.custom_domain:
        return f"https://{help_center.custom_domain}"
    return f"https://intercom.help/{help_center.identifier}"


def help_center_json(help_center: HelpCenter, workspace_code: str) -> dict:
    return {
        "id": str(help_center.id),
        "workspace_id": workspace_code,
        "created_at": help_center.created_at,
        "updated_at": help_center.updated_at,
        "identifier": help_center.identifier,
        "website_turned_on": help_center.website_turned_on,
        "display_name": help_center.display_name,
        "url": help_center_url(help_center),
        "custom_domain": help_center.custom_domain,
    }


def group_translated_json(collection: Collection) -> dict:
    body: dict = {"type": "group_translated_content"}
    contents = {DEFAULT_LOCALE: {"name": collection.name, "description": collection.description}}
    contents.update(collection.translated_content or {})
    for locale, content in contents.items():
        body[locale] = {"type": "group_content", "name": content.get("name"), "description": content.get("description") or ""}
    return body


def collection_json(collection: Collection, workspace_code: str, help_center: HelpCenter) -> dict:
    return {
        "id": str(collection.id),
        "workspace_id": workspace_code,
        "name": collection.name,
        "url": path_url(help_center_url(help_center), "collections", collection.id, collection.name),
        "order": collection.sort_order,
        "created_at": collection.created_at,
        "updated_at": collection.updated_at,
        "description": collection.description,
        "icon": collection.icon,
        "translated_content": group_translated_json(collection),
        "parent_id": str(collection.parent_id) if collection.parent_id is not None else None,
        "help_center_id": collection.help_center_id,
    }


def deleted_json(item_id: int, kind: str) -> dict:
    return {"id": str(item_id), "object": kind, "deleted": True}
