"""The errata: every correction made to Intercom's official OpenAPI 2.10 description.

The official file (spec/intercom-2.10.yaml) is never edited. Each erratum here is data (an id,
a one-line title, a justification citing the example, the SDK model or the BEHAVIOUR item) plus
an `apply(spec)` that patches a deep copy of the loaded description in place. `apply` checks that
what it patches is still there and still looks as expected, and raises `ErratumStale` otherwise,
so a changed description is noticed instead of silently patched wrong.

The ground truth is the real API as the official SDKs see it (python-intercom 5.0.1) and the
description's own examples; see docs/spec-errata.md (generated from this module).
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Iterator

# Annotation keywords: ignored when checking that a patched node still looks as expected.
ANNOTATIONS = frozenset({"description", "example", "title", "default"})

ERROR_STATUSES = ("400", "401", "403", "404", "409", "422", "429", "500")
ERROR_DESCRIPTIONS = {
    "400": "Bad request",
    "401": "Unauthorized",
    "403": "API plan restricted",
    "404": "Not found",
    "409": "Conflict",
    "422": "Unprocessable entity",
    "429": "Too many requests",
    "500": "Server error",
}
PUBLISHED_VERSIONS = (
    ["1.0", "1.1", "1.2", "1.3", "1.4"] + [f"2.{minor}" for minor in range(17)] + ["Unstable"]
)
OFFICIAL_VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4"] + [f"2.{minor}" for minor in range(11)]

ERROR_REF = {"$ref": "#/components/schemas/error"}
CUSTOM_ATTRIBUTES_REF = {"$ref": "#/components/schemas/custom_attributes"}
# A custom attribute value: what `ticket_request_custom_attributes` allows, minus arrays.
CUSTOM_ATTRIBUTE_VALUE = {
    "anyOf": [{"type": "string", "nullable": True}, {"type": "number"}, {"type": "boolean"}]
}
# OpenAPI 3.0 has no `type: null`; this branch accepts null and nothing else.
NULL_ONLY = {"nullable": True, "enum": [None]}
STRING_OR_INTEGER = [{"type": "string"}, {"type": "integer"}]


class ErratumStale(RuntimeError):
    """An erratum no longer finds what it patches: the official description has changed."""


@dataclass(frozen=True)
class Erratum:
    id: str
    title: str
    justification: str
    apply: Callable[[dict], None]


ERRATA: list[Erratum] = []


def _erratum(id: str, title: str, justification: str) -> Callable:
    """Register the decorated function as the `apply` of a new erratum (kept in definition order)."""

    def register(apply: Callable[[dict], None]) -> Callable[[dict], None]:
        ERRATA.append(Erratum(id, title, " ".join(justification.split()), apply))
        return apply

    return register


# ---------------------------------------------------------------------------------------------
# Helpers: find things by JSON pointer and fail loudly when they are not as expected.


def pointer(*tokens: str) -> str:
    """A JSON pointer from raw tokens: pointer("paths", "/me", "get") == "/paths/~1me/get"."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def resolve(spec: Any, ptr: str) -> Any:
    node = spec
    for raw in ptr.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, TypeError, ValueError):
            raise ErratumStale(f"{ptr}: not found (stopped at {token!r})") from None
    return node


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ErratumStale(message)


def _core(node: dict) -> dict:
    return {k: v for k, v in node.items() if k not in ANNOTATIONS}


def _expect_shape(ptr: str, node: Any, expected: dict) -> None:
    found = _core(node) if isinstance(node, dict) else node
    _expect(found == expected, f"{ptr}: expected {expected}, found {found}")


def _schema(spec: dict, name: str) -> dict:
    return resolve(spec, pointer("components", "schemas", name))


def _props(spec: dict, name: str) -> dict:
    return resolve(spec, pointer("components", "schemas", name, "properties"))


def _operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                yield method, path, operation


def _json_media(spec: dict, method: str, path: str, status: str) -> dict:
    return resolve(spec, pointer("paths", path, method, "responses", status, "content", "application/json"))


def _set_response_ref(spec: dict, method: str, path: str, status: str, old: str, new: str) -> None:
    media = _json_media(spec, method, path, status)
    _expect(media.get("schema") == {"$ref": old}, f"{method} {path} {status}: schema is not {old}")
    media["schema"] = {"$ref": new}


def _add_property(spec: dict, schema: str, name: str, definition: dict) -> None:
    props = _props(spec, schema)
    _expect(name not in props, f"{schema}.{name} is already declared")
    props[name] = definition


def _rename_property(spec: dict, schema: str, old: str, new: str) -> dict:
    props = _props(spec, schema)
    _expect(old in props and new not in props, f"{schema}: expected {old!r} and no {new!r}")
    # Rebuild to keep the property order of the description.
    renamed = {(new if key == old else key): value for key, value in props.items()}
    props.clear()
    props.update(renamed)
    return props[new]


def _require(spec: dict, schema: str, name: str) -> None:
    node = _schema(spec, schema)
    node["required"] = sorted(set(node.get("required", [])) | {name})


def _widen_to_string_or_integer(ptr: str, node: dict, old_type: str) -> None:
    _expect_shape(ptr, node, {"type": old_type})
    del node["type"]
    node["anyOf"] = copy.deepcopy(STRING_OR_INTEGER)


# ---------------------------------------------------------------------------------------------
# Missing definitions and OpenAPI 3.0 mechanics


@_erratum(
    "custom-attributes-schema",
    "Define the missing `#/components/schemas/custom_attributes`",
    """
    `create_phone_switch_request.custom_attributes` refers to `#/components/schemas/custom_attributes`,
    which the description never defines (a dangling `$ref`, BEHAVIOUR item 20), so strict loaders
    refuse the file. Defined as a free-form object whose values are string, number, boolean or null:
    what custom attributes hold elsewhere (`ticket_request_custom_attributes`, the contact examples)
    and what the SDK's `CustomAttributes` sends (a dict of `str`, `int` or datetime values; its
    custom-object lists belong to later API versions).
    Fails without the patch: the reference cannot be resolved.
    """,
)
def _custom_attributes_schema(spec: dict) -> None:
    ptr = "/components/schemas/create_phone_switch_request/properties/custom_attributes"
    _expect(resolve(spec, ptr) == CUSTOM_ATTRIBUTES_REF, f"{ptr}: no longer refers to custom_attributes")
    schemas = resolve(spec, "/components/schemas")
    _expect("custom_attributes" not in schemas, "custom_attributes is defined now")
    schemas["custom_attributes"] = {
        "title": "Custom Attributes",
        "type": "object",
        "description": "Free-form custom attributes: string, number, boolean or null values "
        "(defined by Opencom erratum custom-attributes-schema).",
        "additionalProperties": copy.deepcopy(CUSTOM_ATTRIBUTE_VALUE),
    }


CUSTOM_ATTRIBUTE_OWNERS = ("company", "create_or_update_company_request", "visitor")


@_erratum(
    "custom-attribute-values",
    "Company and visitor custom attributes may be numbers, booleans or null",
    """
    `company.custom_attributes`, `create_or_update_company_request.custom_attributes` and
    `visitor.custom_attributes` allow only string values, yet company and contact data attributes
    may be integer, float, boolean or date (`create_data_attribute_request.data_type`), and the SDK
    parses and sends them as `Dict[str, Any]` (`Company`, `CreateOrUpdateCompanyRequest`,
    `Visitor`). Values follow `custom_attributes`. Fails without the patch as soon as a workspace
    has a non-string attribute.
    """,
)
def _custom_attribute_values(spec: dict) -> None:
    for schema in CUSTOM_ATTRIBUTE_OWNERS:
        node = _props(spec, schema)["custom_attributes"]
        ptr = pointer("components", "schemas", schema, "properties", "custom_attributes")
        _expect_shape(ptr, node, {"type": "object", "additionalProperties": {"type": "string"}})
        node["additionalProperties"] = copy.deepcopy(CUSTOM_ATTRIBUTE_VALUE)


NULLABLE_WITHOUT_TYPE = {
    "/components/schemas/admin_with_app/properties/app",
    "/components/schemas/article/properties/statistics",
    "/components/schemas/article_list_item/properties/translated_content",
    "/components/schemas/collection/properties/translated_content",
    "/components/schemas/conversation_part/properties/assigned_to",
    "/components/schemas/create_collection_request/properties/translated_content",
    "/components/schemas/search_request/properties/pagination",
    "/components/schemas/single_filter_search_request/properties/value",
    "/components/schemas/ticket_part/properties/assigned_to",
    "/components/schemas/update_collection_request/properties/translated_content",
}


def _find_nullable_without_type(node: Any, ptr: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("nullable") is True and "type" not in node:
            yield ptr
        for key, value in node.items():
            if key not in ("example", "examples"):
                yield from _find_nullable_without_type(value, ptr + pointer(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _find_nullable_without_type(value, f"{ptr}/{index}")


@_erratum(
    "nullable-refs",
    "`nullable: true` beside `$ref` or `oneOf` is made effective",
    """
    Ten properties put `nullable: true` next to a `$ref` or a `oneOf` without `type`
    (`conversation_part.assigned_to`, `ticket_part.assigned_to`, `admin_with_app.app`,
    `article.statistics`, the `translated_content` of articles and collections,
    `search_request.pagination`, `single_filter_search_request.value`). OpenAPI 3.0 ignores `$ref`
    siblings and gives `nullable` meaning only beside `type`, so a strict validator rejects the
    `null` the examples show (`assigned_to: null` in every conversation example with parts).
    Each `$ref` becomes `anyOf: [<the $ref>, {enum: [null]}]` and the `oneOf` gains a null branch.
    Fails without the patch: 8 response examples.
    """,
)
def _nullable_refs(spec: dict) -> None:
    found = set(_find_nullable_without_type(spec))
    _expect(found == NULLABLE_WITHOUT_TYPE, f"nullable-without-type spots differ: {found ^ NULLABLE_WITHOUT_TYPE}")
    for ptr in sorted(found):
        node = resolve(spec, ptr)
        if "$ref" in node:
            node["anyOf"] = [{"$ref": node.pop("$ref")}, copy.deepcopy(NULL_ONLY)]
        else:
            _expect("oneOf" in node, f"{ptr}: neither $ref nor oneOf")
            node["oneOf"].append(copy.deepcopy(NULL_ONLY))


@_erratum(
    "intercom-version-values",
    "`Intercom-Version` accepts every published version",
    """
    The `intercom_version` enum stops at 2.10, but the official SDKs send later versions
    (2.11, 2.14) and the real API serves every published one. Widened to 1.0–1.4, 2.0–2.16 and
    `Unstable`; the server serves 2.10 semantics for all of them and answers 400
    `intercom_version_invalid` for anything else (BEHAVIOUR item 25). Generators need it:
    otherwise Schemathesis treats an SDK's header as invalid input.
    """,
)
def _intercom_version_values(spec: dict) -> None:
    node = _schema(spec, "intercom_version")
    _expect(node.get("enum") == OFFICIAL_VERSIONS, f"intercom_version enum changed: {node.get('enum')}")
    node["enum"] = list(PUBLISHED_VERSIONS)


INTEGER_PATH_IDS = {
    ("put", "/admins/{id}/away"),
    ("get", "/admins/{id}"),
    ("get", "/articles/{id}"),
    ("put", "/articles/{id}"),
    ("delete", "/articles/{id}"),
    ("get", "/help_center/collections/{id}"),
    ("put", "/help_center/collections/{id}"),
    ("delete", "/help_center/collections/{id}"),
    ("get", "/help_center/help_centers/{id}"),
    ("get", "/contacts/{id}/notes"),
    ("post", "/contacts/{id}/notes"),
    ("get", "/conversations/{id}"),
    ("put", "/conversations/{id}"),
    ("post", "/conversations/{id}/convert"),
    ("put", "/data_attributes/{id}"),
    ("get", "/news/news_items/{id}"),
    ("put", "/news/news_items/{id}"),
    ("delete", "/news/news_items/{id}"),
    ("get", "/notes/{id}"),
}


def _non_string_path_parameters(spec: dict) -> Iterator[tuple[str, str, dict]]:
    for method, path, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path" and parameter["schema"].get("type") != "string":
                yield method, path, parameter


@_erratum(
    "path-ids-are-strings",
    "Every path parameter is a string",
    """
    19 path parameters are typed integer (`/admins/{id}`, `/articles/{id}`,
    `/help_center/collections/{id}`, `/help_center/help_centers/{id}`, `/contacts/{id}/notes`,
    `/conversations/{id}`, `/conversations/{id}/convert`, `/data_attributes/{id}`,
    `/news/news_items/{id}`, `/notes/{id}`) although every response gives those ids as strings
    (`"id": "991267785"`) and the notes' contact id is 24-hex (`6657ad366abd0166b52ae2e1`),
    BEHAVIOUR item 24; the SDK passes them as `str`. Each becomes `type: string` (integer
    examples become strings). Generators need it: an integer schema makes a real contact id
    invalid input.
    """,
)
def _path_ids_are_strings(spec: dict) -> None:
    found = list(_non_string_path_parameters(spec))
    keys = {(method, path) for method, path, _ in found}
    _expect(keys == INTEGER_PATH_IDS, f"non-string path parameters changed: {keys ^ INTEGER_PATH_IDS}")
    for method, path, parameter in found:
        schema = parameter["schema"]
        _expect(_core(schema) == {"type": "integer"}, f"{method} {path}: path parameter schema {schema}")
        parameter["schema"]["type"] = "string"
        if "example" in parameter:
            parameter["example"] = str(parameter["example"])


# ---------------------------------------------------------------------------------------------
# Error responses


@_erratum(
    "update-ticket-404-schema",
    "`PUT /tickets/{id}` 404 gets the `error` schema",
    """
    updateTicket's 404 response has `error.list` examples (`assignee_not_found`) but no `schema`,
    so nothing about it could be validated. Set to `#/components/schemas/error`, like every other
    404 in the description.
    """,
)
def _update_ticket_404_schema(spec: dict) -> None:
    media = _json_media(spec, "put", "/tickets/{id}", "404")
    _expect("schema" not in media, "PUT /tickets/{id} 404 has a schema now")
    media["schema"] = dict(ERROR_REF)


@_erratum(
    "phone-switch-error-body",
    "`POST /phone_call_redirects` errors are `{error_key, message}`",
    """
    createPhoneSwitch's 400 and 422 responses declare no schema; their examples are
    `{error_key: "invalid_phone_number", message: "Invalid phone number"}` and
    `{error_key: "some_error"}`, not `error.list` (BEHAVIOUR section 0, Error envelope, the one
    exception). Added `phone_switch_error` `{error_key*, message}`; both responses accept it or an
    `error.list`, since the cross-cutting 400s (a bad `Intercom-Version`, unparsable JSON) are
    `error.list` on every operation. Without the patch these bodies could not be validated at all.
    """,
)
def _phone_switch_error_body(spec: dict) -> None:
    schemas = resolve(spec, "/components/schemas")
    _expect("phone_switch_error" not in schemas, "phone_switch_error is defined now")
    schemas["phone_switch_error"] = {
        "title": "Phone Switch Error",
        "type": "object",
        "description": "Error body of POST /phone_call_redirects "
        "(Opencom erratum phone-switch-error-body).",
        "properties": {"error_key": {"type": "string"}, "message": {"type": "string"}},
        "required": ["error_key"],
    }
    for status in ("400", "422"):
        media = _json_media(spec, "post", "/phone_call_redirects", status)
        _expect("schema" not in media, f"POST /phone_call_redirects {status} has a schema now")
        phone_switch_error = {"$ref": "#/components/schemas/phone_switch_error"}
        media["schema"] = {"anyOf": [phone_switch_error, dict(ERROR_REF)]}


@_erratum(
    "error-responses",
    "Every operation may answer `error.list` for 400, 401, 403, 404, 409, 422, 429 and 500",
    """
    Only some operations list their errors, yet any request can fail: 401 for a missing or invalid
    token on every operation (BEHAVIOUR section 0 and item 22); 403 `api_plan_restricted`; 404 for
    any unknown path id (item 22); 400 for an unknown `Intercom-Version` (item 25) or invalid
    parameters and search queries (item 7); 409 for uniqueness conflicts (item 1); 422 for invalid
    data; 429 for rate limits (item 13); 500 for server errors (POST /events prose). Each missing
    one is added with the `error` schema; documented ones are kept. Fails without the patch: the
    validator rejects undocumented statuses.
    """,
)
def _error_responses(spec: dict) -> None:
    resolve(spec, "/components/schemas/error")
    for _, _, operation in _operations(spec):
        responses = operation["responses"]
        for status in ERROR_STATUSES:
            responses.setdefault(
                status,
                {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": dict(ERROR_REF)}},
                },
            )


# ---------------------------------------------------------------------------------------------
# Response shapes: the examples (recorded from the real API) win over the declared schema


@_erratum(
    "admin-avatar-object",
    '`admin.avatar` may be the `{type: "avatar", image_url}` object',
    """
    `admin.avatar` is a URI string, but `admin_with_app.avatar` and the `/me` example are
    `{type: "avatar", image_url}` (SDK `AdminWithAppAvatar`), and the server answers the object form
    on `/me` and with `display_avatar=true` (BEHAVIOUR item 23). `admin.avatar` accepts either form.
    Fails without the patch for admins listed or fetched with `display_avatar=true`.
    """,
)
def _admin_avatar_object(spec: dict) -> None:
    node = _props(spec, "admin")["avatar"]
    _expect_shape("admin.avatar", node, {"type": "string", "format": "uri", "nullable": True})
    avatar_object = copy.deepcopy(_props(spec, "admin_with_app")["avatar"])
    _expect(avatar_object.get("type") == "object", "admin_with_app.avatar is no longer an object")
    string_form = {"type": "string", "format": "uri", "nullable": True}
    node.clear()
    node["description"] = "The avatar: a URI string, or an avatar object."
    node["anyOf"] = [string_form, avatar_object]


@_erratum(
    "conversation-list-shape",
    "`GET /conversations` returns `conversation.list` with `conversations`",
    """
    listConversations declares `paginated_response` (a `data` array of news items and newsfeeds),
    but its example is `{type: "conversation.list", conversations: [...], total_count, pages}`,
    the shape `POST /conversations/search` declares as `conversation_list` and the SDK parses as
    `ConversationList.conversations` (BEHAVIOUR item 9). The response now refers to
    `conversation_list`, whose `conversations` key is marked required (for both operations) so a
    server answering `data` is caught. Needed by validation and generators.
    """,
)
def _conversation_list_shape(spec: dict) -> None:
    old, new = "#/components/schemas/paginated_response", "#/components/schemas/conversation_list"
    _set_response_ref(spec, "get", "/conversations", "200", old, new)
    _expect("conversations" in _props(spec, "conversation_list"), "conversation_list lost `conversations`")
    _require(spec, "conversation_list", "conversations")


@_erratum(
    "ticket-type-list-shape",
    '`GET /ticket_types` returns `{type: "list", data}`',
    """
    `ticket_type_list` declares `{type, ticket_types}`; the listTicketTypes example is
    `{type: "list", data: [...]}`, which is also what the SDK's `TicketTypeList.data` parses
    (BEHAVIOUR item 9). `ticket_types` is renamed `data` and marked required. Needed by validation
    (the ticket types inside are checked) and generators.
    """,
)
def _ticket_type_list_shape(spec: dict) -> None:
    _rename_property(spec, "ticket_type_list", "ticket_types", "data")
    _require(spec, "ticket_type_list", "data")


@_erratum(
    "ticket-type-attributes-list-shape",
    '`ticket_type.ticket_type_attributes` is `{type: "list", data}`',
    """
    `ticket_type_attribute_list` (the nested `ticket_type.ticket_type_attributes`) declares a
    `ticket_type_attributes` array, but all nine examples carrying a ticket type (listTicketTypes,
    getTicketType, createTicketType, createTicket, getTicket, searchTickets, ...) show
    `{type: "list", data: [...]}` (BEHAVIOUR item 9). Renamed `data` and marked required. The SDK's
    `TicketTypeAttributeList` still names `ticket_type_attributes`, but every field is optional and
    extra keys are allowed, so it parses the example shape.
    """,
)
def _ticket_type_attributes_list_shape(spec: dict) -> None:
    _rename_property(spec, "ticket_type_attribute_list", "ticket_type_attributes", "data")
    _require(spec, "ticket_type_attribute_list", "data")


@_erratum(
    "contact-attached-companies-data",
    "`GET /contacts/{id}/companies` lists companies under `data`",
    """
    `contact_attached_companies` declares `companies`; the example is
    `{type: "list", data: [...], pages, total_count}` (BEHAVIOUR item 9). Renamed `data` and marked
    required. The SDK's `ContactAttachedCompanies.companies` is optional with extra keys allowed,
    so the example shape parses. Needed by validation (companies inside are checked).
    """,
)
def _contact_attached_companies_data(spec: dict) -> None:
    _rename_property(spec, "contact_attached_companies", "companies", "data")
    _require(spec, "contact_attached_companies", "data")


PARTICIPANT_OPERATIONS = (
    ("post", "/conversations/{id}/customers"),
    ("delete", "/conversations/{conversation_id}/customers/{contact_id}"),
)


@_erratum(
    "conversation-customers-response",
    "Attaching or detaching a conversation participant returns `{customers: [...]}`",
    """
    attachContactToConversation and detachContactFromConversation declare a whole `conversation`,
    but both examples are `{customers: [{type: "user", id: "6657accd6abd0166b52ae296"}]}`
    (BEHAVIOUR item 9). Added `conversation_customers` `{customers*: [{type, id}]}` and pointed
    both 200 responses at it. Needed by validation and generators: `conversation` says nothing
    about `customers`.
    """,
)
def _conversation_customers_response(spec: dict) -> None:
    schemas = resolve(spec, "/components/schemas")
    _expect("conversation_customers" not in schemas, "conversation_customers is defined now")
    participant = {"type": "object", "properties": {"type": {"type": "string"}, "id": {"type": "string"}}}
    schemas["conversation_customers"] = {
        "title": "Conversation Customers",
        "type": "object",
        "description": "The contacts of a conversation after attaching or detaching one "
        "(Opencom erratum conversation-customers-response).",
        "properties": {"customers": {"type": "array", "items": participant}},
        "required": ["customers"],
    }
    for method, path in PARTICIPANT_OPERATIONS:
        old, new = "#/components/schemas/conversation", "#/components/schemas/conversation_customers"
        _set_response_ref(spec, method, path, "200", old, new)


@_erratum(
    "phone-switch-url",
    "`phone_switch` carries `url`",
    """
    `phone_switch` declares `phone`; the createPhoneSwitch example is
    `{type: "phone_call_redirect", url: "http://via.intercom.io/msgr/…"}` (BEHAVIOUR item 9).
    `url` (a URI string) is added; `phone` is kept since the SDK's `PhoneSwitch` still declares it.
    Passes without the patch (no `additionalProperties: false`); declared so the validator checks
    its type and generators produce it.
    """,
)
def _phone_switch_url(spec: dict) -> None:
    _add_property(spec, "phone_switch", "url", {"type": "string", "format": "uri"})


@_erratum(
    "data-export-job-identifier",
    "`data_export.job_identfier` [sic] is `job_identifier`",
    """
    `data_export` declares `job_identfier`; the three data-export examples and the SDK's
    `DataExport.job_identifier` use `job_identifier` (BEHAVIOUR item 9). Renamed. Passes without
    the patch; renamed so the validator types, and generators produce, the key clients poll with.
    """,
)
def _data_export_job_identifier(spec: dict) -> None:
    _rename_property(spec, "data_export", "job_identfier", "job_identifier")


@_erratum(
    "visitor-last-request-at",
    "`visitor.las_request_at` [sic] is `last_request_at`",
    """
    `visitor` declares `las_request_at`; the visitor examples (updateVisitor,
    retrieveVisitorWithUserId) show `last_request_at`, as `company.last_request_at` does
    (BEHAVIOUR item 9). Renamed, and made nullable since both examples show
    `last_request_at: null` (a visitor that never made a request). The SDK's
    `Visitor.las_request_at` copies the typo but allows extra keys. Passes without the patch;
    renamed so the validator types the real key.
    """,
)
def _visitor_last_request_at(spec: dict) -> None:
    node = _rename_property(spec, "visitor", "las_request_at", "last_request_at")
    _expect_shape("visitor.las_request_at", node, {"type": "integer"})
    node["nullable"] = True


@_erratum(
    "article-statistics-conversations",
    "`article_statistics.conversions` is `conversations`",
    """
    `article_statistics` declares `conversions` ("the number of conversations started from the
    article"); the article examples (createArticle, retrieveArticle, updateArticle) show
    `conversations` (BEHAVIOUR item 9). Renamed. The SDK's `ArticleStatistics.conversions` is
    optional with extra keys allowed. Passes without the patch; renamed so the validator types the
    real key.
    """,
)
def _article_statistics_conversations(spec: dict) -> None:
    _rename_property(spec, "article_statistics", "conversions", "conversations")


UTM_FIELDS = ("utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term")


@_erratum(
    "contact-example-fields",
    "Contacts carry subscription lists, `utm_*` and `referrer`",
    """
    The contact examples (CreateContact, ShowContact, MergeContact, ...) carry
    `opted_in_subscription_types` and `opted_out_subscription_types` (the shape of
    `contact_subscription_types`, defined but never referenced), `utm_campaign`, `utm_content`,
    `utm_medium`, `utm_source`, `utm_term` and `referrer` (null in the examples), none of them
    declared on `contact` (BEHAVIOUR item 9, sugg: include them). Passes without the patch;
    declared so the validator checks their shapes and generators know them. `email_domain`,
    declared but absent from the examples, stays as it is.
    """,
)
def _contact_example_fields(spec: dict) -> None:
    _schema(spec, "contact_subscription_types")
    subscriptions = {"$ref": "#/components/schemas/contact_subscription_types"}
    _add_property(spec, "contact", "opted_in_subscription_types", dict(subscriptions))
    _add_property(spec, "contact", "opted_out_subscription_types", dict(subscriptions))
    for name in UTM_FIELDS + ("referrer",):
        _add_property(spec, "contact", name, {"type": "string", "nullable": True})


@_erratum(
    "ticket-type-attribute-input-options-null",
    "`ticket_type_attribute.input_options` may be null",
    """
    `ticket_type_attribute.input_options` is a non-nullable object, but in every example carrying
    ticket type attributes (listTicketTypes, getTicketType, createTicket, getTicket, ...) the
    `name` attribute has `input_options: null` while the default title and description have
    `{multiline: ...}`. Made nullable. Fails without the patch: 7 response examples (found once
    `ticket-type-attributes-list-shape` made those attributes visible to the validator).
    """,
)
def _ticket_type_attribute_input_options_null(spec: dict) -> None:
    node = _props(spec, "ticket_type_attribute")["input_options"]
    _expect_shape("ticket_type_attribute.input_options", node, {"type": "object"})
    node["nullable"] = True


@_erratum(
    "conversation-topics-ticket",
    "Conversations carry `topics` and `ticket`",
    """
    Every conversation example, full (retrieveConversation, replyConversation, manageConversation,
    ...) or listed (listConversations, searchConversations), carries `topics: {}` and
    `ticket: null`, declared neither on `conversation` nor on `conversation_list_item` (BEHAVIOUR
    item 9). Declared on both as an object and a nullable object. Passes without the patch;
    declared so generators know them and the validator rejects other types.
    """,
)
def _conversation_topics_ticket(spec: dict) -> None:
    for schema in ("conversation", "conversation_list_item"):
        _add_property(spec, schema, "topics", {"type": "object"})
        _add_property(spec, schema, "ticket", {"type": "object", "nullable": True})


@_erratum(
    "visitor-email-empty",
    '`visitor.email` may be ""',
    """
    `visitor.email` has `format: email`, but visitors without an email have `email: ""` in the
    examples (updateVisitor, retrieveVisitorWithUserId); the SDK types it as a plain
    `Optional[str]`. The format is dropped. Fails without the patch: 2 response examples.
    """,
)
def _visitor_email_empty(spec: dict) -> None:
    node = _props(spec, "visitor")["email"]
    _expect_shape("visitor.email", node, {"type": "string", "format": "email"})
    del node["format"]


RELATIVE_URLS = (
    "addressable_list",
    "company_data",
    "contact_companies",
    "contact_notes",
    "contact_subscription_types",
    "contact_tags",
)


@_erratum(
    "relative-urls",
    "The nested-list `url`s are relative references, not absolute URIs",
    """
    The `url` of `addressable_list`, `company_data`, `contact_companies`, `contact_notes`,
    `contact_subscription_types` and `contact_tags` has `format: uri` (an absolute URI, RFC 3986),
    yet every example gives a path: `/contacts/5ba682d23d7cf92bef87bfd4/notes`,
    `/companies/5ba682d23d7cf92bef87bfd4`, `/tags/1` (BEHAVIOUR "Nested list/object shapes"); the SDK
    types them as plain `str`. Each becomes `format: uri-reference`. `addressable_list.type` has
    `format: uri` too, with the example `note`: an object type, not a URI; its format is dropped.
    Fails without the patch in every validator that checks `uri` (Schemathesis's does): every
    contact, company contact list and note list.
    """,
)
def _relative_urls(spec: dict) -> None:
    for name in RELATIVE_URLS:
        node = _props(spec, name)["url"]
        _expect_shape(f"{name}.url", node, {"type": "string", "format": "uri"})
        node["format"] = "uri-reference"
    node = _props(spec, "addressable_list")["type"]
    _expect_shape("addressable_list.type", node, {"type": "string", "format": "uri"})
    del node["format"]


@_erratum(
    "data-attribute-datetime",
    "`data_attribute.data_type` includes `datetime`",
    """
    The response enum of `data_attribute.data_type` lacks `datetime`, which the create request
    enum allows, so a created datetime attribute could not be echoed (BEHAVIOUR item 17: echo it
    anyway). Added. Fails without the patch for such attributes.
    """,
)
def _data_attribute_datetime(spec: dict) -> None:
    node = _props(spec, "data_attribute")["data_type"]
    expected = ["string", "integer", "float", "boolean", "date"]
    _expect(node.get("enum") == expected, f"data_attribute.data_type enum: {node.get('enum')}")
    node["enum"] = ["string", "integer", "float", "boolean", "datetime", "date"]


@_erratum(
    "events-list-response",
    "`GET /events` answers `event.list`, or `event.summary` with `pages`",
    """
    lisDataEvents is typed `data_event_summary` only, while the prose gives the summary for
    `summary=true`; otherwise the real API lists the events as `event.list` (the defined but
    unreferenced `data_event_list`, BEHAVIOUR item 12). The response becomes
    `anyOf: [data_event_summary, data_event_list]`, and `data_event_summary` gets the `pages`
    (`next` is a URL) its own example shows. Needed by validation (event items are checked) and
    generators.
    """,
)
def _events_list_response(spec: dict) -> None:
    media = _json_media(spec, "get", "/events", "200")
    summary_ref = {"$ref": "#/components/schemas/data_event_summary"}
    _expect(media.get("schema") == summary_ref, f"GET /events 200 schema: {media.get('schema')}")
    pages = copy.deepcopy(_props(spec, "data_event_list")["pages"])
    _add_property(spec, "data_event_summary", "pages", pages)
    media["schema"] = {"anyOf": [summary_ref, {"$ref": "#/components/schemas/data_event_list"}]}


# ---------------------------------------------------------------------------------------------
# Request bodies narrower than the real API


@_erratum(
    "conversation-from-id",
    "`POST /conversations` `from.id` is any contact id, not a UUID",
    """
    `create_conversation_request.from.id` is declared `format: uuid` with length 24, but contact ids
    are 24-hex strings (`6657ac8a6abd0166b52ae266` in the example, not a UUID) and the
    contact_not_found example sends `123_doesnt_exist` and gets a 404, not a 400. The format and the
    length limits are dropped. Generators need it: otherwise real contact ids are invalid input.
    """,
)
def _conversation_from_id(spec: dict) -> None:
    ptr = "/components/schemas/create_conversation_request/properties/from/properties/id"
    node = resolve(spec, ptr)
    _expect_shape(ptr, node, {"type": "string", "format": "uuid", "minLength": 24, "maxLength": 24})
    for key in ("format", "minLength", "maxLength"):
        del node[key]


@_erratum(
    "message-type-values",
    '`POST /messages` accepts `message_type` "inapp" and "conversation"',
    """
    The `create_message_request.message_type` enum is `in_app | email`, but its anyOf title says
    `inapp`, the examples send `inapp` and `conversation`, and responses answer `inapp` (BEHAVIOUR
    section 0, message_type table, and item 11). Widened to `in_app, inapp, conversation, email`;
    the server treats the first three as in-app.
    """,
)
def _message_type_values(spec: dict) -> None:
    node = _props(spec, "create_message_request")["message_type"]
    _expect(node.get("enum") == ["in_app", "email"], f"message_type enum: {node.get('enum')}")
    node["enum"] = ["in_app", "inapp", "conversation", "email"]


@_erratum(
    "message-from-id",
    "`POST /messages` `from.id` may be a string or an integer",
    """
    `create_message_request.from.id` is an integer (the SDK's `CreateMessageRequestFrom.id: int`
    sends one), while admin ids are digit strings everywhere else and every /messages example sends
    `"991268111"`. Accepts string or integer.
    """,
)
def _message_from_id(spec: dict) -> None:
    ptr = "/components/schemas/create_message_request/properties/from/properties/id"
    _widen_to_string_or_integer(ptr, resolve(spec, ptr), "integer")


CONTACT_TYPES = ["user", "lead", "contact"]


@_erratum(
    "message-from-contact",
    "`POST /messages` accepts a message from a contact",
    """
    The user_message_created and lead_message_created examples post
    `{from: {type: "user"|"lead", id}, body}` to /messages, while the schema allows only
    `from.type: admin` together with `message_type` and `to`. BEHAVIOUR item 11 (sugg): treat them
    like `POST /conversations`. `from.type` gains `user`, `lead` and `contact`, and a third anyOf
    branch requires only `from` and `body` when `from.type` is one of those.
    """,
)
def _message_from_contact(spec: dict) -> None:
    schema = _schema(spec, "create_message_request")
    from_type = schema["properties"]["from"]["properties"]["type"]
    _expect(from_type.get("enum") == ["admin"], f"create_message_request.from.type: {from_type}")
    from_type["enum"] = ["admin"] + CONTACT_TYPES
    _expect(len(schema.get("anyOf", [])) == 2, "create_message_request.anyOf changed")
    schema["anyOf"].append(
        {
            "title": "from a contact (like POST /conversations)",
            "required": ["from", "body"],
            "properties": {"from": {"properties": {"type": {"enum": list(CONTACT_TYPES)}}}},
        }
    )


def _body(path: str, method: str) -> str:
    return pointer("paths", path, method, "requestBody", "content", "application/json", "schema", "properties")


NUMERIC_ID_FIELDS = (
    "/components/schemas/admin_reply_conversation_request/properties/admin_id",
    "/components/schemas/admin_reply_ticket_request/properties/admin_id",
    "/components/schemas/assign_conversation_request/properties/admin_id",
    "/components/schemas/assign_conversation_request/properties/assignee_id",
    "/components/schemas/attach_contact_to_conversation_request/properties/admin_id",
    "/components/schemas/close_conversation_request/properties/admin_id",
    "/components/schemas/convert_conversation_to_ticket_request/properties/ticket_type_id",
    "/components/schemas/create_or_update_tag_request/properties/id",
    "/components/schemas/create_ticket_request/properties/ticket_type_id",
    "/components/schemas/detach_contact_from_conversation_request/properties/admin_id",
    "/components/schemas/open_conversation_request/properties/admin_id",
    "/components/schemas/redact_conversation_request/oneOf/0/properties/conversation_id",
    "/components/schemas/redact_conversation_request/oneOf/0/properties/conversation_part_id",
    "/components/schemas/redact_conversation_request/oneOf/1/properties/conversation_id",
    "/components/schemas/redact_conversation_request/oneOf/1/properties/source_id",
    "/components/schemas/snooze_conversation_request/properties/admin_id",
    "/components/schemas/update_ticket_request/properties/assignment/properties/admin_id",
    "/components/schemas/update_ticket_request/properties/assignment/properties/assignee_id",
    _body("/contacts/{contact_id}/subscriptions", "post") + "/id",
    _body("/contacts/{contact_id}/tags", "post") + "/id",
    _body("/contacts/{id}/notes", "post") + "/admin_id",
    _body("/contacts/{id}/notes", "post") + "/contact_id",
    _body("/conversations/{conversation_id}/tags", "post") + "/id",
    _body("/conversations/{conversation_id}/tags", "post") + "/admin_id",
    _body("/conversations/{conversation_id}/tags/{id}", "delete") + "/admin_id",
    _body("/tickets/{ticket_id}/tags", "post") + "/id",
    _body("/tickets/{ticket_id}/tags", "post") + "/admin_id",
    _body("/tickets/{ticket_id}/tags/{id}", "delete") + "/admin_id",
)


@_erratum(
    "request-numeric-ids",
    "Request ids declared as strings also accept integers",
    """
    Request bodies declare Intercom-assigned ids as strings (`admin_id`, `assignee_id`, tag and
    subscription type `id`, `ticket_type_id`, redact `conversation_id`/`conversation_part_id`/
    `source_id`, the notes' `contact_id`), but the description's own examples send numbers
    (`"admin_id": 991267921`, tag `"id": 125`, `"ticket_type_id": 108`, `"conversation_id": 591`)
    and the real API accepts them (BEHAVIOUR section 0, "Request examples often send numeric
    ids"). Each of the 28 listed fields accepts `string | integer`; client-chosen ids
    (`external_id`, `user_id`, `company_id`) and 24-hex contact ids are left as strings. Fails
    without the patch: 34 request examples.
    """,
)
def _request_numeric_ids(spec: dict) -> None:
    for ptr in NUMERIC_ID_FIELDS:
        _widen_to_string_or_integer(ptr, resolve(spec, ptr), "string")


CLIENT_ID_FIELDS = (
    "/components/schemas/create_contact_request/properties/external_id",
    "/components/schemas/update_contact_request/properties/external_id",
    "/components/schemas/create_or_update_company_request/properties/company_id",
)


@_erratum(
    "client-ids-accept-integers",
    "Contact `external_id` and company `company_id` in requests also accept integers",
    """
    NEEDS REVIEW: not proven by an example or the SDK (both send strings). The project's request
    convention is to accept a number wherever an id is declared as a string (BEHAVIOUR section 0:
    "Request examples often send numeric ids where the schema says string. Accept both"), and the
    server stores a numeric `external_id` or `company_id` as its decimal text
    (docs/decisions.md, Contacts and Companies). Without this erratum the Schemathesis gate's
    negative-data check rightly reports that convention as accepting invalid input. Each field
    accepts `string | integer`.
    """,
)
def _client_ids_accept_integers(spec: dict) -> None:
    for ptr in CLIENT_ID_FIELDS:
        _widen_to_string_or_integer(ptr, resolve(spec, ptr), "string")


@_erratum(
    "tag-request-anyof",
    "`POST /tags` body variants are `anyOf`, not `oneOf`",
    """
    The `POST /tags` body is a `oneOf` whose variants overlap: `{name, companies}` matches both
    `create_or_update_tag_request` and `tag_company_request`, `{name, users}` both the create
    and `tag_multiple_users_request`, so the description's own company_not_found and
    user_not_found examples are invalid. The server picks the variant by key (BEHAVIOUR item 21).
    Changed to `anyOf`.
    """,
)
def _tag_request_anyof(spec: dict) -> None:
    ptr = pointer("paths", "/tags", "post", "requestBody", "content", "application/json", "schema")
    node = resolve(spec, ptr)
    _expect(list(node) == ["oneOf"] and len(node["oneOf"]) == 4, f"{ptr}: {node}")
    node["anyOf"] = node.pop("oneOf")


@_erratum(
    "visitor-convert-user-email",
    "`POST /visitors/convert` may name the user by `email`",
    """
    `convert_visitor_request.user` requires `id` or `user_id`, but the convertVisitor example
    sends `user: {email: "foo@bar.com"}` (BEHAVIOUR item 19, sugg: match on email among users,
    else create). An `email` alternative is added to its anyOf.
    """,
)
def _visitor_convert_user_email(spec: dict) -> None:
    user = _props(spec, "convert_visitor_request")["user"]
    expected = [{"required": ["id"]}, {"required": ["user_id"]}]
    _expect(user.get("anyOf") == expected, f"convert_visitor_request.user.anyOf: {user.get('anyOf')}")
    user["anyOf"].append({"required": ["email"]})


@_erratum(
    "data-attribute-options-objects",
    "Data attribute `options` may be `[{value}]` objects",
    """
    `options` of the create and update data attribute requests is `string[]`, but it is described
    and exemplified as `[{value: "1-10"}, {value: "11-20"}]` (updateDataAttribute examples,
    BEHAVIOUR item 17: accept both, return strings). Items accept a string or `{value: string}`.
    """,
)
def _data_attribute_options_objects(spec: dict) -> None:
    value_object = {"type": "object", "properties": {"value": {"type": "string"}}, "required": ["value"]}
    for schema in ("create_data_attribute_request", "update_data_attribute_request"):
        items = _props(spec, schema)["options"].get("items")
        _expect(items == {"type": "string"}, f"{schema}.options.items: {items}")
        items.clear()
        items["anyOf"] = [{"type": "string"}, copy.deepcopy(value_object)]


METADATA_VALUE = {
    "anyOf": [
        {"type": "string", "nullable": True},
        {"type": "number"},
        {"type": "boolean"},
        {
            "type": "object",
            "properties": {"url": {"type": "string"}, "value": {"type": "string"}},
            "required": ["url"],
        },
        {
            "type": "object",
            "properties": {"amount": {"type": "integer"}, "currency": {"type": "string"}},
            "required": ["amount", "currency"],
        },
    ]
}


@_erratum(
    "data-event-metadata-values",
    "Event metadata values may be numbers, dates, rich links and amounts",
    """
    `create_data_event_request.metadata` and `data_event.metadata` allow only string values, while
    the createDataEvent prose lists numbers, `_date` keys with Unix timestamps, rich links
    `{url, value}` and monetary amounts `{amount, currency}` (BEHAVIOUR section 7, Metadata).
    Values accept string, number, boolean, null or one of those two objects. The SDK's
    `Dict[str, str]` is narrower than the prose; the server follows the prose.
    """,
)
def _data_event_metadata_values(spec: dict) -> None:
    for schema in ("create_data_event_request", "data_event"):
        node = _props(spec, schema)["metadata"]
        ptr = pointer("components", "schemas", schema, "properties", "metadata")
        _expect_shape(ptr, node, {"type": "object", "additionalProperties": {"type": "string"}})
        node["additionalProperties"] = copy.deepcopy(METADATA_VALUE)


@_erratum(
    "event-summaries-list",
    "`POST /events/summaries` `event_summaries` may be a list",
    """
    `create_data_event_summaries_request.event_summaries` is typed as one object but described as
    "a list of event summaries for the user" (BEHAVIOUR item 12: accept both). It accepts the
    object or an array of such objects.
    """,
)
def _event_summaries_list(spec: dict) -> None:
    props = _props(spec, "create_data_event_summaries_request")
    summary = props.get("event_summaries")
    _expect(isinstance(summary, dict) and summary.get("type") == "object", f"event_summaries: {summary}")
    description = summary.pop("description", None)
    props["event_summaries"] = {
        "description": description,
        "anyOf": [summary, {"type": "array", "items": copy.deepcopy(summary)}],
    }


@_erratum(
    "company-update-body",
    "`PUT /companies/{id}` takes the company fields as its body",
    """
    updateCompany declares no request body, yet it updates a company and the SDK's
    `companies.update` sends an `UpdateCompanyRequestBody` (name, plan, size, website, industry,
    custom_attributes, monthly_spend) as JSON (BEHAVIOUR item 16, sugg: accept the
    `create_or_update_company_request` fields and ignore `company_id`). A body referring to
    `create_or_update_company_request` is added. Generators need it: without it Schemathesis sends
    no body.
    """,
)
def _company_update_body(spec: dict) -> None:
    operation = resolve(spec, pointer("paths", "/companies/{id}", "put"))
    _expect("requestBody" not in operation, "PUT /companies/{id} has a body now")
    schema = {"$ref": "#/components/schemas/create_or_update_company_request"}
    operation["requestBody"] = {"content": {"application/json": {"schema": schema}}}


@_erratum(
    "conversation-update-body",
    "`PUT /conversations/{id}` also takes `title` and `custom_attributes`",
    """
    `update_conversation_request` declares only `read`, but the prose mentions `custom_attributes`
    (BEHAVIOUR item 14) and the SDK's `conversations.update` sends `read`, `title` and
    `custom_attributes`. `title` (string) and `custom_attributes` (`custom_attributes` values) are
    added. Generators need it.
    """,
)
def _conversation_update_body(spec: dict) -> None:
    _add_property(spec, "update_conversation_request", "title", {"type": "string"})
    _add_property(spec, "update_conversation_request", "custom_attributes", dict(CUSTOM_ATTRIBUTES_REF))


@_erratum(
    "news-item-update-partial",
    "`PUT /news/news_items/{id}` is a partial update: `title` and `sender_id` are optional",
    """
    updateNewsItem reuses `news_item_request`, the create body, whose `title` and `sender_id` are
    required; an update changes only what it is sent (BEHAVIOUR ambiguity 18, sugg: a partial
    update), and the description's own update examples resend unchanged fields only because the
    schema made them. The operation's body now refers to `update_news_item_request`, a copy of
    `news_item_request` without `required`. Needed by the generators: without it Schemathesis
    takes an update without `title` for an invalid request the server must refuse.
    """,
)
def _news_item_update_partial(spec: dict) -> None:
    media = resolve(spec, pointer("paths", "/news/news_items/{id}", "put", "requestBody", "content", "application/json"))
    _expect(media.get("schema") == {"$ref": "#/components/schemas/news_item_request"}, "updateNewsItem body changed")
    create = _schema(spec, "news_item_request")
    _expect(create.get("required") == ["title", "sender_id"], "news_item_request.required changed")
    update = {k: copy.deepcopy(v) for k, v in create.items() if k != "required"}
    update["title"] = "Update News Item Request"
    spec["components"]["schemas"]["update_news_item_request"] = update
    media["schema"] = {"$ref": "#/components/schemas/update_news_item_request"}


# ---------------------------------------------------------------------------------------------
# Disagreements that are not errata: the example is the one that is wrong, or nothing fails.

# Examples that do not validate against the patched description, keyed by
# (operationId, "request" or the response status, example name). Every one is a request example
# paired with an error response: the body is invalid on purpose.
KNOWN_WRONG_EXAMPLES: dict[tuple[str, str, str], str] = {
    ("createArticle", "request", "bad_request"): "Error example: `author_id` is missing on purpose (400).",
    ("createCollection", "request", "bad_request"): "Error example: `name` is missing on purpose (400).",
    ("attachContactToACompany", "request", "bad_request"): "Error example: the body is `null` on purpose (400).",
    ("createDataAttribute", "request", "invalid_data_type"): 'Error example: data type "mithril" (400).',
    ("createDataAttribute", "request", "too_few_options_for_list"): (
        "Error example: lacks `name`, `model` and `data_type` and has one option (400; BEHAVIOUR item 17)."
    ),
    ("updateDataAttribute", "request", "too_few_options_in_list"): (
        "Error example: `options` is a single object, not a list (400)."
    ),
    ("createMessage", "request", "no_body_supplied_for_message"): "Error example: `body` is null on purpose (400).",
    ("createMessage", "request", "no_body_supplied_for_email_message"): (
        "Error example: `body` is null on purpose (400)."
    ),
    ("createMessage", "request", "no_subject_supplied_for_email_message"): (
        "Error example: `subject` is missing on purpose (422); it also names the recipient by "
        "`to.user_id`, which the schema does not offer."
    ),
    ("createTag", "request", "invalid_parameters"): "Error example: `{test: invalid}` matches no variant (400).",
}

# Keys the examples show but the schemas do not declare, left unpatched: the schemas have no
# `additionalProperties: false`, so they validate, and nothing generates them.
UNDECLARED_EXAMPLE_KEYS: dict[str, str] = {
    "contact_location.country_code, continent_code": "CreateContact, ShowContact, MergeContact, ...",
    "contact_tags / contact_notes / contact_companies / contact_social_profiles .type": (
        'the addressable lists carry `type: "list"` in every contact example'
    ),
    "ticket_type.is_internal": "createTicketType, getTicketType, listTicketTypes, ticket examples",
    "message.owner": "createMessage",
    "app.secure": "identifyAdmin",
    "activity_log_metadata.before, after, message": "listActivityLogs",
}


def errata_ids() -> list[str]:
    return [erratum.id for erratum in ERRATA]


def build_patched_spec(official: dict) -> dict:
    """Apply every erratum, in order, to a deep copy of `official`.

    Raises ErratumStale, naming the erratum, when one no longer finds what it patches.
    """
    spec = copy.deepcopy(official)
    for erratum in ERRATA:
        try:
            erratum.apply(spec)
        except ErratumStale as error:
            raise ErratumStale(f"erratum {erratum.id}: {error}") from None
    info = spec.setdefault("info", {})
    info["x-opencom-errata"] = errata_ids()
    return spec


# ---------------------------------------------------------------------------------------------
# docs/spec-errata.md is generated from the data above (a test keeps the two in sync).

DOC_INTRO = """\
# Errata to Intercom's OpenAPI 2.10 description

Generated from `src/opencom/testing/errata.py` by `python -m opencom.testing.spec doc`; do not edit
by hand (a test compares this file with the generated text).

The official description is vendored unchanged in `spec/intercom-2.10.yaml` (byte-identical to
Intercom's file; see `spec/README.md`). The corrections below are applied, in this order, to a deep
copy of it; the patched copy is generated by `python -m opencom.testing.spec build OUT.yaml`, and
both the response validator (`opencom.testing.spec.ResponseValidator`) and Schemathesis use the
patched copy. Each erratum checks that what it patches is still there and still looks as expected,
and fails loudly otherwise, so a changed description is noticed.

Ground truth is the real API as the official SDK (python-intercom 5.0.1) sees it, and the
description's own examples, which were recorded from the real API; BEHAVIOUR items refer to
`shared/spec/BEHAVIOUR.md`. Each justification says whether the patch is needed because validation
would otherwise fail, or because the validator and generators (Schemathesis, Prism) need to know
the real shape.
"""


# What python-intercom 5.0.1 (generated from a later description) sends that 2.10 does not
# declare. Opencom accepts each, as Intercom does; the tests in tests/sdk drive them.
SDK_REQUEST_DIFFERENCES: dict[str, str] = {
    "PUT /admins/{id}/away": "`away_status_reason_id` (ignored: 2.10 has no away status reasons)",
    "GET /contacts": "`page` beside `per_page`/`starting_after` (ignored: the cursor decides the page)",
    "POST /contacts/search, POST /tickets/search": "its pager re-sends the first page's `pagination` without `starting_after`, so iterating never advances (an SDK bug; page by hand)",
    "GET /help_center/help_centers": "`page` and `per_page` (ignored: the list is not paginated)",
    "POST /data_attributes": '`data_type: "options"` (a string attribute with options)',
    "POST /conversations, POST /conversations/{id}/reply": "`created_at` (honoured as the message time)",
    "PUT /conversations/{id}": "`title` and `custom_attributes` (erratum conversation-update-body), `company_id` (ignored)",
    "PUT /companies/{id}": "the create body (erratum company-update-body)",
    "PUT /tickets/{id}": "top-level `admin_id`/`assignee_id` and `ticket_state_id` beside `assignment` and `state` (`ticket_state_id` must be a state name)",
    "POST /tickets": "`skip_notifications`, `conversation_to_link_id`, `created_at`, `assignment` (ignored)",
    "GET /contacts/{id}, DELETE /contacts/{id}, GET /ticket_types/{id}": "not a request difference: the SDK maps only 401 to an error class there, so a 404 raises its base `ApiError` (status 404) rather than `NotFoundError`",
}


def render_errata_doc() -> str:
    parts = [DOC_INTRO, f"{len(ERRATA)} errata.\n"]
    for erratum in ERRATA:
        text = textwrap.fill(erratum.justification, 100, break_long_words=False, break_on_hyphens=False)
        parts.append(f"## {erratum.id}\n\n**{erratum.title}.**\n\n{text}\n")
    parts.append(
        "## Examples that stay invalid (not errata)\n\n"
        "These examples do not validate against the patched description, and should not: the example\n"
        "is the one that is wrong. The tests skip exactly these.\n\n"
        "| operationId | where | example | reason |\n|---|---|---|---|\n"
    )
    for (operation_id, where, name), reason in KNOWN_WRONG_EXAMPLES.items():
        parts[-1] += f"| {operation_id} | {where} | {name} | {reason} |\n"
    parts.append(
        "## Example keys left undeclared (not errata)\n\n"
        "The examples show these keys, which the schemas do not declare. Nothing fails (no schema\n"
        "sets `additionalProperties: false`) and no generator needs them, so they are not patched.\n\n"
        "| keys | seen in |\n|---|---|\n"
    )
    for keys, seen_in in UNDECLARED_EXAMPLE_KEYS.items():
        parts[-1] += f"| {keys} | {seen_in} |\n"
    parts.append(
        "## What the official SDK sends beyond 2.10 (accepted, not errata)\n\n"
        "python-intercom 5.0.1 is generated from a later description. Opencom accepts what it sends,\n"
        "as Intercom does; `tests/sdk/` drives each case.\n\n"
        "| operation | what the SDK does |\n|---|---|\n"
    )
    for operation, difference in SDK_REQUEST_DIFFERENCES.items():
        parts[-1] += f"| {operation} | {difference} |\n"
    return "\n".join(parts)
