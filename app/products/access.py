"""Who is looking at the catalog: the public, or staff who may see more (and bypass caches)."""

from __future__ import annotations

from flask import g, request
from flask_jwt_extended import get_current_user, verify_jwt_in_request

from app.core.permissions import Role, has_role


def is_staff_request() -> bool:
    """True when the request carries a valid token of a staff member (or admin).

    Anonymous requests stay anonymous without touching the database; a bad token on a
    public endpoint is refused exactly as on a protected one. Memoised per request.
    """
    if "catalog_is_staff" not in g:
        staff = False
        if request.headers.get("Authorization"):
            verify_jwt_in_request(optional=True)
            user = get_current_user()
            staff = user is not None and has_role(user, Role.STAFF)
        g.catalog_is_staff = staff
    return g.catalog_is_staff
