"""Request shapes for companies and the serializers that render them as Intercom JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError

from opencom.companies.models import Company
from opencom.core.errors import ApiError
from opencom.core.pagination import Page
from opencom.segments.models import Segment
from opencom.tags.models import Tag
from opencom.core.fields import no_nul as _no_nul

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def _integer(value: Any) -> Any:
    """Whole numbers as JSON integers, integral floats or digit strings (the description's examples send "100")."""
    if isinstance(value, bool):
        raise ValueError("Input should be a valid integer")
    if isinstance(value, str) and value.isascii() and value.strip().lstrip("+-").isdigit():
        return int(value)
    return value


def _truncated(value: Any) -> Any:
    """monthly_spend: floats are truncated (155.98 -> 155), as the description says."""
    value = _integer(value)
    if isinstance(value, float) and math.isfinite(value):
        return math.trunc(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return math.trunc(number) if math.isfinite(number) else value
    return value


def _id_string(value: Any) -> Any:
    # company_id is client-chosen; numbers are accepted and kept as their decimal text.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _text(max_length: int, *, min_length: int = 0):
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length), AfterValidator(_no_nul)]


def _bounded_int(minimum: int, maximum: int, before=_integer):
    def check(value: int) -> int:
        if not minimum <= value <= maximum:
            raise ValueError(f"must be between {minimum} and {maximum}")
        return value

    return Annotated[int, BeforeValidator(before), AfterValidator(check)]


class CompanyFields(BaseModel):
    """The `create_or_update_company_request` fields (none may be null)."""

    model_config = ConfigDict(extra="forbid")

    company_id: Annotated[_text(255, min_length=1), BeforeValidator(_id_string)] | None = None
    name: _text(255) | None = None
    plan: _text(255) | None = None
    size: _bounded_int(0, INT64_MAX) | None = None
    website: _text(1024) | None = None
    industry: _text(255) | None = None
    custom_attributes: dict[str, Any] | None = None
    remote_created_at: _bounded_int(0, INT64_MAX) | None = None
    monthly_spend: _bounded_int(0, INT32_MAX, before=_truncated) | None = None


FIELD_NAMES = frozenset(CompanyFields.model_fields)


def parse_company_fields(body: Any) -> CompanyFields:
    """Validate a create/update body: an unknown key is 400 bad_request "bad '<key>' parameter"."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "The request body must be a JSON object.")
    for key, value in body.items():
        if key not in FIELD_NAMES:
            raise ApiError(400, "bad_request", f"bad '{key}' parameter", key)
        # No field of `create_or_update_company_request` is nullable.
        if value is None:
            raise ApiError(400, "parameter_invalid", f"{key} must not be null", key)
    try:
        return CompanyFields.model_validate(body)
    except ValidationError as error:
        # Rendered by the shared handler, which names the field.
        raise RequestValidationError(error.errors()) from None


def parse_attach_body(body: Any) -> str:
    """The Intercom company id of an attach body `{id}`; 400 "company not specified" without one."""
    value = body.get("id") if isinstance(body, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "parameter_not_found", "company not specified", "id")
    return value


# --- serializers ------------------------------------------------------------------------------


@dataclass
class CompanyExtras:
    """What a company's JSON needs beyond its row, loaded in batches for a whole page."""

    user_counts: dict[str, int] = field(default_factory=dict)
    tags: dict[str, list[Tag]] = field(default_factory=dict)
    segments: dict[str, list[Segment]] = field(default_factory=dict)


def plan_json(company: Company) -> dict:
    if company.plan_name is None:
        return {}
    return {"type": "plan", "id": company.plan_id, "name": company.plan_name}


def tag_basic_json(tag: Tag) -> dict:
    return {"type": "tag", "id": str(tag.id), "name": tag.name}


def segment_json(segment: Segment) -> dict:
    # Rendered by the Segments domain, so a segment looks the same everywhere.
    from opencom.segments.schemas import segment_json as render

    return render(segment)


def company_json(company: Company, app_id: str, extras: CompanyExtras) -> dict:
    """A company as the description's examples show it: fields without a value are left out."""
    body: dict[str, Any] = {
        "type": "company",
        "company_id": company.company_id,
        "id": company.id,
        "app_id": app_id,
    }
    optional = {
        "name": company.name,
        "remote_created_at": company.remote_created_at,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    body["created_at"] = company.created_at
    body["updated_at"] = company.updated_at
    optional = {
        "last_request_at": company.last_request_at,
        "size": company.size,
        "website": company.website,
        "industry": company.industry,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    body.update(
        {
            "monthly_spend": company.monthly_spend or 0,
            "session_count": company.session_count or 0,
            "user_count": extras.user_counts.get(company.id, 0),
            "tags": {"type": "tag.list", "tags": [tag_basic_json(t) for t in extras.tags.get(company.id, [])]},
            "segments": {
                "type": "segment.list",
                "segments": [segment_json(s) for s in extras.segments.get(company.id, [])],
            },
            "plan": plan_json(company),
            "custom_attributes": dict(company.custom_attributes or {}),
        }
    )
    return body


def deleted_json(company: Company) -> dict:
    return {"id": company.id, "object": "company", "deleted": True}


def page_numbers(page: Page) -> dict:
    """`pages` of a page-numbered list (cursor_pages shape; `next` is null as in the examples,
    since clients move on with `page`)."""
    return {"type": "pages", "next": None, "page": page.page, "per_page": page.per_page, "total_pages": page.total_pages}


def company_list_json(page: Page, data: list[dict]) -> dict:
    return {"type": "list", "data": data, "pages": page_numbers(page), "total_count": page.total_count}


def scroll_json(data: list[dict], scroll_param: str | None) -> dict:
    return {"type": "list", "data": data, "pages": None, "total_count": None, "scroll_param": scroll_param}


def attached_companies_json(page: Page, data: list[dict], next_url: str | None) -> dict:
    pages = {
        "type": "pages",
        "next": next_url,
        "page": page.page,
        "per_page": page.per_page,
        "total_pages": page.total_pages,
    }
    return {"type": "list", "data": data, "pages": pages, "total_count": page.total_count}
