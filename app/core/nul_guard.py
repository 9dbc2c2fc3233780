"""Refuse the NUL character (U+0000) at the door, and say so in the OpenAPI document.

PostgreSQL's text types cannot hold NUL: a value carrying one fails deep inside a query as
a driver error, which would surface as a 500 and roll back work for input that was simply
bad. NUL is never meaningful in a shop's names, addresses or searches, so a request whose
path, query string, form or JSON body carries one is refused before it is used: 404 for
a path (no resource can be named so), 422 ``validation_error`` naming where it was for the
rest. The document publishes the same rule as a ``pattern`` on every free-text string, so
clients and fuzzers know it without trying.

Raw bodies read by their view (payment webhooks, authenticated by their signature before
anything else) are left to that view, which must store them NUL-free.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, Request, request
from webargs.flaskparser import FlaskParser

NUL = "\x00"
#: JSON Schema (ECMA-262) for "no NUL anywhere"; the escape keeps the document printable.
NO_NUL_PATTERN = r"^[^\u0000]*$"
MESSAGE = "Text cannot contain the NUL character (U+0000)."
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _nul_paths(value: Any, path: str) -> Iterator[str]:
    """Where in a decoded JSON value a NUL occurs (in a key or a string), as dotted paths."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "$"
    elif isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield where
            yield from _nul_paths(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}[{index}]")


def refuse_nul_in_path_and_form() -> None:
    """``before_request``: 404 for a NUL in the path, 422 for one in a submitted form.

    Query strings and JSON bodies are checked later, where the API parses them
    (:class:`NulRefusingParser`), so authentication still answers first.
    """
    # Imported here: errors → extensions → api → this module would be a cycle.
    from app.core.errors import NotFoundError, ValidationError

    if NUL in request.path:
        raise NotFoundError()
    if request.mimetype not in FORM_TYPES:  # reading .form would parse any other body for nothing
        return
    fields = {key: value for key, value in request.form.items(multi=True) if NUL in key + value}
    if fields:
        details = {"form": {_printable(key): [MESSAGE] for key in fields}}
        raise ValidationError("The request is invalid; see details.", details=details)


def _printable(where: str) -> str:
    return where.replace(NUL, "\\u0000")


class NulRefusingParser(FlaskParser):
    """webargs' Flask parser refusing NUL anywhere in what it loads (422, field by field)."""

    def _load_location_data(self, *, schema: ma.Schema, req: Request, location: str) -> Any:
        data = super()._load_location_data(schema=schema, req=req, location=location)
        found = {_printable(where): [MESSAGE] for where in _nul_paths(data, "")}
        if found:
            raise ma.ValidationError(found)
        return data


def document_no_nul(_converter: Any, field: ma.fields.Field, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """apispec attribute function (bound to the field converter): free-text strings get
    the no-NUL ``pattern``.

    Strings that already say what they hold (a pattern, a format, a list of values) are
    left alone: they exclude NUL already, and a second constraint would only make them
    harder to read.
    """
    if not isinstance(field, ma.fields.String) or {"pattern", "format", "enum"} & ret.keys():
        return {}
    return {"pattern": NO_NUL_PATTERN}


def register_nul_guard(app: Flask) -> None:
    """Guard paths and forms (after the request id is assigned, so errors carry it)."""
    app.before_request(refuse_nul_in_path_and_form)
