"""The one error envelope of the API, and the domain errors services raise.

Every failure, from a marshmallow validation error to a crashed payment gateway, leaves
the API as ``{"error": {"code", "message", "details", "request_id"}}`` with a stable,
machine-readable ``code``. Services raise ``AppError`` subclasses; they never call
``abort()``, so they stay usable from CLI commands and jobs.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, jsonify
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from app.extensions import db

log = logging.getLogger(__name__)


class ErrorCode(StrEnum):
    """Stable error codes; clients branch on these, so never rename one."""

    BAD_REQUEST = "bad_request"
    MALFORMED_JSON = "malformed_json"
    AUTHENTICATION_REQUIRED = "authentication_required"
    INVALID_TOKEN = "invalid_token"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_REVOKED = "token_revoked"
    INVALID_CREDENTIALS = "invalid_credentials"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    CONFLICT = "conflict"
    EMAIL_TAKEN = "email_taken"
    PRECONDITION_REQUIRED = "precondition_required"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    VALIDATION_ERROR = "validation_error"
    WEAK_PASSWORD = "weak_password"
    RATE_LIMITED = "rate_limited"
    INTERNAL_ERROR = "internal_error"
    SERVICE_UNAVAILABLE = "service_unavailable"
    # Idempotency (app.core.idempotency)
    IDEMPOTENCY_KEY_REQUIRED = "idempotency_key_required"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    # Cart, checkout and orders
    INSUFFICIENT_STOCK = "insufficient_stock"
    PRICE_CHANGED = "price_changed"
    CURRENCY_MISMATCH = "currency_mismatch"
    COUPON_INVALID = "coupon_invalid"
    COUPON_EXHAUSTED = "coupon_exhausted"
    CART_EMPTY = "cart_empty"
    INVALID_TRANSITION = "invalid_transition"
    # Payment gateways (app.payments.gateways.errors.GatewayError)
    GATEWAY_UNAVAILABLE = "gateway_unavailable"
    GATEWAY_ERROR = "gateway_error"
    GATEWAY_NOT_CONFIGURED = "gateway_not_configured"
    PAYMENT_DECLINED = "payment_declined"
    # Payments (app.payments)
    PAYMENT_BLOCKED = "payment_blocked"
    ORDER_NOT_PAYABLE = "order_not_payable"
    INVALID_SIGNATURE = "invalid_signature"
    REFUND_EXCEEDS_CAPTURED = "refund_exceeds_captured"
    PAYMENT_NOT_REFUNDABLE = "payment_not_refundable"
    # Wishlist, reviews and support
    VARIANT_REQUIRED = "variant_required"
    ALREADY_REVIEWED = "already_reviewed"
    OWN_REVIEW = "own_review"


class AppError(Exception):
    """Base of every error a service raises; carries everything the envelope needs."""

    status: int = HTTPStatus.BAD_REQUEST
    code: ErrorCode = ErrorCode.BAD_REQUEST
    message: str = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: ErrorCode | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)


class AuthenticationError(AppError):
    status = HTTPStatus.UNAUTHORIZED
    code = ErrorCode.AUTHENTICATION_REQUIRED
    message = "Authentication is required."


class PermissionDenied(AppError):
    status = HTTPStatus.FORBIDDEN
    code = ErrorCode.FORBIDDEN
    message = "You are not allowed to do this."


class NotFoundError(AppError):
    """Also raised for another user's object, so its existence is not revealed."""

    status = HTTPStatus.NOT_FOUND
    code = ErrorCode.NOT_FOUND
    message = "Not found."


class ConflictError(AppError):
    status = HTTPStatus.CONFLICT
    code = ErrorCode.CONFLICT
    message = "The request conflicts with the current state."


class ValidationError(AppError):
    """A business-rule violation on well-formed input (schema errors come from marshmallow)."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = ErrorCode.VALIDATION_ERROR
    message = "The request is invalid."


class ServiceUnavailable(AppError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = ErrorCode.SERVICE_UNAVAILABLE
    message = "A service this request needs is unavailable; try again shortly."


#: Codes for the HTTP errors raised by Flask, Werkzeug, webargs and Flask-Limiter.
HTTP_STATUS_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.AUTHENTICATION_REQUIRED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    406: ErrorCode.NOT_ACCEPTABLE,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.VALIDATION_ERROR,
    428: ErrorCode.PRECONDITION_REQUIRED,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.SERVICE_UNAVAILABLE,
}

HTTP_MESSAGES: dict[int, str] = {
    404: "The requested URL was not found.",
    405: "The method is not allowed for the requested URL.",
    413: "The request body is too large.",
    422: "The request is invalid.",
    429: "Too many requests; slow down and retry later.",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render the envelope; the single place its shape is defined."""
    body = {"error": {"code": str(code), "message": message, "details": details or {}}}
    request_id = g.get("request_id")
    if request_id:
        body["error"]["request_id"] = request_id
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _webargs_details(messages: dict[str, Any]) -> tuple[ErrorCode, str, dict[str, Any]]:
    """Turn webargs' ``{location: {field: [msg]}}`` into a code, message and details."""
    json_errors = messages.get("json")
    if _is_json_decode_error(json_errors):
        return ErrorCode.MALFORMED_JSON, "The request body is not valid JSON.", {}
    return ErrorCode.VALIDATION_ERROR, "The request is invalid; see details.", messages


def _is_json_decode_error(json_errors: Any) -> bool:
    return isinstance(json_errors, list) and any("Invalid JSON" in str(m) for m in json_errors)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    code = HTTP_STATUS_CODES.get(status, ErrorCode.BAD_REQUEST)
    message = HTTP_MESSAGES.get(status) or error.description or HTTPStatus(status).phrase
    details: dict[str, Any] = {}
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if "messages" in data:
        code, message, details = _webargs_details(data["messages"])
        if code is ErrorCode.MALFORMED_JSON:
            status = 400
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 429:
        message = f"Too many requests ({error.description}); retry later."
    return error_response(status, code, message, details, headers)


def handle_app_error(error: AppError) -> Response:
    db.session.rollback()  # a failed request leaves nothing half-written behind
    return error_response(int(error.status), error.code, error.message, error.details, error.headers)


def handle_unexpected(error: Exception) -> Response:
    """Log the trace with the request id and show the client only that id."""
    original = getattr(error, "original_exception", None) or error
    db.session.rollback()
    log.error("Unhandled exception (request %s)", g.get("request_id"), exc_info=original)
    return error_response(
        500,
        ErrorCode.INTERNAL_ERROR,
        "An unexpected error occurred; quote the request id when reporting it.",
    )


def handle_database_error(error: DBAPIError) -> Response:
    """The database went away mid-request (a restart, a failover): 503, retry shortly.

    SQLAlchemy has already discarded the pool's connections as old as the failed one,
    so the retry gets a fresh connection. Any other database error is a bug: 500.
    """
    if not error.connection_invalidated:
        return handle_unexpected(error)
    log.warning("Database connection lost (request %s): %s", g.get("request_id"), error.orig)
    return handle_app_error(ServiceUnavailable(headers={"Retry-After": "1"}))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
