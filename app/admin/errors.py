"""Error pages for the console: a person reads them, so they are HTML, not the API's JSON
envelope (which stays untouched for ``/api/``). Unexpected errors are logged with the
request id, which is all the page shows of them."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, g, render_template
from werkzeug.exceptions import HTTPException

from app.core.errors import AppError
from app.extensions import db

log = logging.getLogger(__name__)


def console_error(error: Exception) -> tuple[str, int] | HTTPException:
    if isinstance(error, HTTPException) and (error.code or 500) < 400:
        return error  # redirects stay redirects
    if isinstance(error, HTTPException) and (error.code or 500) < 500:
        status, message = error.code or 400, error.description
    elif isinstance(error, AppError):
        db.session.rollback()
        status, message = int(error.status), error.message
    else:
        db.session.rollback()
        log.error("Console error (request %s)", g.get("request_id"), exc_info=error)
        status, message = 500, "Something went wrong; quote the request id when reporting it."
    page = render_template(
        "console/error.html", status=status, message=message, request_id=g.get("request_id")
    )
    return page, status


class HtmlErrors:
    """Mixin for Flask-Admin views: their blueprint renders errors as console pages."""

    def create_blueprint(self, admin: Any) -> Blueprint:
        blueprint = super().create_blueprint(admin)
        blueprint.register_error_handler(Exception, console_error)
        return blueprint
