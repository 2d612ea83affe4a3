"""Request shapes and the serializer for subscription types."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, StrictStr

from opencom.subscription_types.models import SubscriptionType

CONSENT_TYPES = ("opt_in", "opt_out")


def _number_to_string(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# The SDK sends ids as strings, the examples as numbers: both become strings.
Identifier = Annotated[StrictStr, BeforeValidator(_number_to_string)]


class AttachRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Identifier
    consent_type: Any


def translation_json(name: str, description: str, locale: str) -> dict:
    return {"name": name, "description": description, "locale": locale}


def subscription_type_json(row: SubscriptionType) -> dict:
    default = translation_json(row.name, row.description, row.locale)
    others = [translation_json(t["name"], t.get("description", ""), t["locale"]) for t in row.translations or []]
    return {
        "type": "subscription",
        "id": str(row.id),
        "state": row.state,
        "consent_type": row.consent_type,
        "default_translation": default,
        # Intercom lists the default locale among the translations too.
        "translations": [default, *others],
        "content_types": list(row.content_types or []),
    }


def subscription_type_list_json(rows: list[SubscriptionType]) -> dict:
    return {"type": "list", "data": [subscription_type_json(row) for row in rows]}
