"""Exception handlers: FastAPI's own errors (validation, 404, 405) rendered as `error.list`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from opencom.core.errors import ApiError, error_body
from opencom.core.responses import JSONResponse


def _request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def _render(request: Request, status: int, errors: list[dict], headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(_request_id(request), errors), status, headers)


async def api_error(request: Request, exc: ApiError) -> JSONResponse:
    return _render(request, exc.status, [exc.error_item()], exc.headers)


def _field(loc: tuple) -> str | None:
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path", "header") else [str(p) for p in loc]
    return ".".join(parts) or None


def validation_item(error: dict) -> dict:
    """One pydantic error as an Intercom error: a missing value is parameter_not_found."""
    kind = error.get("type", "")
    field = _field(tuple(error.get("loc", ())))
    if kind == "json_invalid":
        return {"code": "bad_request", "message": "The request body is not valid JSON."}
    if field is None and kind in ("dict_type", "model_attributes_type"):
        return {"code": "bad_request", "message": "The request body must be a JSON object."}
    if kind == "missing":
        if field is None:
            return {"code": "parameter_not_found", "message": "A request body is required."}
        return {"code": "parameter_not_found", "message": f"{field} is required", "field": field}
    message = error.get("msg", "is invalid")
    if field is None:
        return {"code": "parameter_invalid", "message": f"The request body is invalid: {message}"}
    return {"code": "parameter_invalid", "message": f"{field}: {message}", "field": field}


async def request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [validation_item(e) for e in exc.errors()]
    # The same field can fail several ways (e.g. a union); report each field once.
    seen, unique = set(), []
    for item in errors:
        key = (item["code"], item.get("field"))
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return _render(request, 400, unique)


async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 404:
        item = {"code": "not_found", "message": "Resource Not Found"}
    elif exc.status_code == 405:
        item = {"code": "method_not_allowed", "message": f"{request.method} is not allowed on {request.url.path}"}
    else:
        item = {"code": "bad_request" if exc.status_code == 400 else "server_error", "message": str(exc.detail)}
    return _render(request, exc.status_code, [item], getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(HTTPException, http_error)
