"""The one error model: every failure leaves the server as an Intercom `error.list`."""

from __future__ import annotations


class ApiError(Exception):
    """An error that Intercom would answer with, raised anywhere below the routes.

    `status` is the HTTP status, `code` the `errors[].code`, `field` names the
    offending parameter when there is one.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or code)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}

    def error_item(self) -> dict:
        item: dict = {"code": self.code, "message": self.message}
        if self.field is not None:
            item["field"] = self.field
        return item


def error_body(request_id: str | None, errors: list[dict]) -> dict:
    return {"type": "error.list", "request_id": request_id, "errors": errors}


# Constructors for the errors that every domain raises, so codes and messages stay uniform.


def not_found(message: str = "Resource Not Found", code: str = "not_found") -> ApiError:
    return ApiError(404, code, message)


def parameter_invalid(message: str, field: str | None = None, status: int = 400) -> ApiError:
    return ApiError(status, "parameter_invalid", message, field)


def parameter_not_found(message: str, field: str | None = None, status: int = 400) -> ApiError:
    return ApiError(status, "parameter_not_found", message, field)


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "Access Token Invalid")
