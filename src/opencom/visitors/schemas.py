"""Request shapes and the serializer for visitors."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictStr

from opencom.subscription_types.schemas import Identifier  # ids may arrive as numbers

from opencom.visitors.models import Visitor

LOCATION_KEYS = ("city_name", "continent_code", "country_code", "country_name", "postal_code", "region_name", "timezone")


class UpdateVisitorRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Identifier | None = None
    user_id: Identifier | None = None
    name: StrictStr | None = None
    email: StrictStr | None = None
    phone: StrictStr | None = None
    custom_attributes: dict[str, Any] | None = None


class ConvertUser(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Identifier | None = None
    user_id: Identifier | None = None
    email: StrictStr | None = None


class ConvertVisitor(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Identifier | None = None
    user_id: Identifier | None = None
    email: StrictStr | None = None


class ConvertVisitorRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: StrictStr
    user: ConvertUser
    visitor: ConvertVisitor


def _location_json(location: dict | None) -> dict:
    # The fields are non-null strings in the schema: unknown ones are left out.
    found = {key: location[key] for key in LOCATION_KEYS if (location or {}).get(key) is not None}
    return {"type": "location_data", **found}


def visitor_json(visitor: Visitor, app_id: str) -> dict:
    body: dict = {
        "type": "visitor",
        "id": visitor.id,
        "user_id": visitor.user_id,
        "anonymous": visitor.anonymous,
        "email": visitor.email or "",  # Intercom answers "" for a visitor without an email
        "phone": visitor.phone,
        "name": visitor.name,
        "pseudonym": visitor.pseudonym,
        "avatar": {"type": "avatar", "image_url": visitor.avatar},
        "app_id": app_id,
        "companies": {"type": "company.list", "companies": []},
        "location_data": _location_json(visitor.location),
        "last_request_at": visitor.last_request_at,
        "created_at": visitor.created_at,
    }
    for key in ("remote_created_at", "signed_up_at"):
        if getattr(visitor, key) is not None:
            body[key] = getattr(visitor, key)
    body.update(
        updated_at=visitor.updated_at,
        session_count=visitor.session_count,
        social_profiles={"type": "social_profile.list", "social_profiles": []},
        owner_id=visitor.owner_id,
        unsubscribed_from_emails=visitor.unsubscribed_from_emails,
        marked_email_as_spam=visitor.marked_email_as_spam,
        has_hard_bounced=visitor.has_hard_bounced,
        tags={"type": "tag.list", "tags": []},
        segments={"type": "segment.list", "segments": []},
        custom_attributes=visitor.custom_attributes or {},
        referrer=visitor.referrer,
        utm_campaign=visitor.utm_campaign,
        utm_content=visitor.utm_content,
        utm_medium=visitor.utm_medium,
        utm_source=visitor.utm_source,
        utm_term=visitor.utm_term,
        do_not_track=visitor.do_not_track,
    )
    return body
