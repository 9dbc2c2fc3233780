"""flask-smorest plumbing: our error envelope in the OpenAPI document, and a Blueprint
that declares authentication once for both the runtime check and the spec."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Request

from app.core.nul_guard import NulRefusingParser

#: The largest id an INTEGER primary key holds (PostgreSQL); larger ids cannot exist.
MAX_ID = 2**31 - 1
#: URL converter of a row id, as in ``f"/reviews/<{ID}:review_id>/"``: an impossible id is a routing
#: 404 (never a database overflow), and the document shows the range.
ID = f"int(min=1, max={MAX_ID})"


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable machine-readable code"})
    message = ma.fields.String(required=True, metadata={"description": "Human-readable explanation"})
    details = ma.fields.Dict(metadata={"description": "Field errors or extra context"})
    request_id = ma.fields.String(metadata={"description": "Quote it when reporting a problem"})


class ErrorEnvelopeSchema(ma.Schema):
    """The envelope every error response uses (see ``app.core.errors``)."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


class Api(flask_smorest.Api):
    """flask-smorest's Api whose documented errors are our envelope.

    Errors are rendered by ``app.core.errors``; flask-smorest's own handler is not
    registered, so there is exactly one error format.
    """

    ERROR_SCHEMA = ErrorEnvelopeSchema

    def _register_error_handlers(self) -> None:
        """Leave error rendering to ``app.core.errors.register_error_handlers``."""

    def _register_pagination_header(self) -> None:
        """Document ``X-Pagination`` as what it is on the wire: a string holding JSON.

        flask-smorest documents it as an object, which no HTTP header can carry, so
        clients (and schemathesis) that read the document literally would reject it.
        """
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "JSON object: total, total_pages, first_page, last_page, page, "
                "previous_page, next_page",
                "schema": {"type": "string"},
            },
            lazy=True,
        )


@functools.cache
def _schema(schema_class: type[ma.Schema]) -> ma.Schema:
    return schema_class()


class ArgumentsParser(NulRefusingParser):
    """The API's argument parser: refuses NUL characters (see ``app.core.nul_guard``) and
    builds each argument schema once.

    Given a schema class (as ``@blp.arguments(SomeSchema)`` and flask-smorest's pagination
    parameters give it), webargs instantiates it on every request, deep-copying each declared field: a
    tenth of an uncached product list's CPU. A schema instance holds no per-load state,
    so one per class serves every request and thread.
    """

    def _get_schema(self, argmap: Any, req: Request) -> ma.Schema:
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            return _schema(argmap)
        return super()._get_schema(argmap, req)


class Blueprint(flask_smorest.Blueprint):
    """A Blueprint whose ``login_required`` guards a view and documents the guard, and
    whose argument parser refuses NUL characters and reuses schemas (``ArgumentsParser``)."""

    ARGUMENTS_PARSER = ArgumentsParser()
    PAGINATION_ARGUMENTS_PARSER = ArgumentsParser()

    def login_required(self, role: str | None = None, *, refresh: bool = False) -> Callable:
        """Require a valid token (and at least ``role``); document bearer auth, 401 and 403.

        Put it on top of the other decorators so authentication is checked before the
        body is parsed: an anonymous caller learns nothing about the payload rules.
        """
        # Imported here: permissions → errors → extensions → this module would be a cycle.
        from app.core.permissions import require_auth

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            guarded = require_auth(role, refresh=refresh)(func)
            guarded = self.alt_response(401, response="UNAUTHORIZED")(guarded)
            if role:
                guarded = self.alt_response(403, response="FORBIDDEN")(guarded)
            return self.doc(security=[{"bearerAuth": []}])(guarded)

        return decorator

    def idempotent(self) -> Callable:
        """Require and honour ``Idempotency-Key`` (see ``app.core.idempotency``), documented.

        Put it just under ``login_required``: the key is scoped to the caller.
        """
        # Imported here: idempotency defines a model, which needs extensions → this module.
        from app.core.idempotency import HEADER, MAX_KEY_LENGTH, idempotent

        parameter = {
            "in": "header",
            "name": HEADER,
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
            "description": "A unique value per operation (e.g. a UUID); a retry with the same key "
            "and body replays the first response, with another body it is a 409.",
        }

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            guarded = idempotent(func)
            guarded = self.alt_response(409, response="CONFLICT")(guarded)
            guarded = self.alt_response(400, response="BAD_REQUEST")(guarded)
            return self.doc(parameters=[parameter])(guarded)

        return decorator
