"""Serializers for segments."""

from __future__ import annotations

from opencom.segments.models import Segment


def segment_json(segment: Segment, count: int | None = None) -> dict:
    body = {
        "type": "segment",
        "id": segment.id,
        "name": segment.name,
        "created_at": segment.created_at,
        "updated_at": segment.updated_at,
    }
    # The API's person_type names only "user" and "contact" (leads); company segments have none.
    if segment.person_type != "company":
        body["person_type"] = segment.person_type
    if count is not None:
        body["count"] = count
    return body
