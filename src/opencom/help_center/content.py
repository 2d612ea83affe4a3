"""What articles and collections share: locales, translated-content request shapes, ids, slugs,
and the markers full-text highlighting uses."""

from __future__ import annotations

import re
from opencom.core.fields import no_nul as _no_nul
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model

DEFAULT_LOCALE = "en"
# The 37 locale keys of article_translated_content / group_translated_content.
LOCALES = (
    "ar", "bg", "bs", "ca", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hr", "hu",
    "id", "it", "ja", "ko", "lt", "lv", "mn", "nb", "nl", "pl", "pt", "ro", "ru", "sl", "sr", "sv",
    "tr", "vi", "pt-BR", "zh-CN", "zh-TW",
)
INT64_MAX = 2**63 - 1


def _id_value(value: Any) -> Any:
    """Ids are declared as strings in some places and integers in others: accept both."""
    if isinstance(value, bool):
        raise ValueError("must be an id (an integer or a string of digits)")
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValueError("must be an id (an integer or a string of digits)")
    if not 0 < value <= INT64_MAX:
        raise ValueError("is not a valid id")
    return value


IdRef = Annotated[int, BeforeValidator(_id_value)]
Name = Annotated[str, Field(max_length=255), AfterValidator(_no_nul)]
LongText = Annotated[str, Field(max_length=1_000_000), AfterValidator(_no_nul)]
Icon = Annotated[str, Field(max_length=64), AfterValidator(_no_nul)]


def int_id(value: Any) -> int | None:
    """A path id as an int; None when it can't name a row (so: not found)."""
    try:
        return _id_value(value)
    except ValueError:
        return None


def field_name(locale: str) -> str:
    return locale.replace("-", "_").lower()


def translated_model(name: str, content: type[BaseModel], type_value: str) -> type[BaseModel]:
    """{type, <locale>: content} with exactly the 37 locales: any other key is a 400 naming it."""
    fields: dict[str, Any] = {"type": (Literal[type_value] | None, None)}  # type: ignore[valid-type]
    for locale in LOCALES:
        fields[field_name(locale)] = (content | None, Field(None, alias=locale))
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


def given_locales(translated: BaseModel | None) -> dict[str, BaseModel]:
    """The locale entries a request sent (null entries change nothing)."""
    if translated is None:
        return {}
    found = {}
    for locale in LOCALES:
        value = getattr(translated, field_name(locale))
        if value is not None:
            found[locale] = value
    return found


def slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-_")


def path_url(base: str, kind: str, item_id: int, title: str, locale: str = DEFAULT_LOCALE) -> str:
    tail = f"{item_id}-{slug(title)}".rstrip("-")
    return f"{base}/{locale}/{kind}/{tail}"
