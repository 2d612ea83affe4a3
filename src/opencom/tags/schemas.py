"""Request shapes and serializers for tags."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

from opencom.tags.models import Tag


class AttachTagRequest(BaseModel):
    """POST /contacts/{id}/tags: the tag's id, as a string or (as the examples send it) a number."""

    model_config = ConfigDict(extra="ignore")

    id: StrictStr | StrictInt


def tag_basic_json(tag: Tag) -> dict:
    return {"type": "tag", "id": str(tag.id), "name": tag.name}


def tag_json(tag: Tag, link: Any | None) -> dict:
    """A tag as a tagging call returns it: with when and by whom it was applied to the object."""
    body = tag_basic_json(tag)
    if link is not None:
        body["applied_at"] = link.applied_at
        body["applied_by"] = {"type": "admin", "id": str(link.applied_by_id)} if link.applied_by_id is not None else None
    return body


def tag_list_json(items: list[dict]) -> dict:
    return {"type": "list", "data": items}
