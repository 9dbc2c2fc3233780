"""Who is looking at the catalog: the public, or staff who may see more (and bypass caches)."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from flask_jwt_extended import get_current_user, verify_jwt_in_request

from app.core.permissions import Role, has_role


def request_memo() -> dict[str, Any]:
    """Values computed once per request (per app context outside requests, e.g. the CLI).

    Not ``flask.g``: a request inside an already pushed app context (the test suite, a
    CLI command using the test client) shares that context's ``g`` with other requests.
    """
    if has_request_context():
        return request.environ.setdefault("sokoni.catalog", {})
    return g.setdefault("catalog_memo", {})


def is_staff_request() -> bool:
    """True when the request carries a valid token of a staff member (or admin).

    Anonymous requests stay anonymous without touching the database; a bad token on a
    public endpoint is refused exactly as on a protected one. Memoised per request.
    """
    memo = request_memo()
    if "is_staff" not in memo:
        staff = False
        if request.headers.get("Authorization"):
            verify_jwt_in_request(optional=True)
            user = get_current_user()
            staff = user is not None and has_role(user, Role.STAFF)
        memo["is_staff"] = staff
    return memo["is_staff"]
