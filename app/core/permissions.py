"""Roles and the checks that guard every protected endpoint.

The role is read from the database user loaded for this request, never from the token's
claims, so demoting or deactivating someone takes effect on their very next request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from flask_jwt_extended import current_user, verify_jwt_in_request

from app.core.errors import PermissionDenied


class Role(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    ADMIN = "admin"


#: Higher ranks include the rights of lower ones: an admin can do all a staff member can.
ROLE_RANK = {Role.CUSTOMER: 0, Role.STAFF: 1, Role.ADMIN: 2}


def has_role(user: Any, role: str) -> bool:
    """True when ``user`` holds ``role`` or a higher one."""
    return ROLE_RANK[Role(user.role)] >= ROLE_RANK[Role(role)]


def ensure_role(user: Any, role: str) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds at least ``role``; for services."""
    if not has_role(user, role):
        raise PermissionDenied(f"This action needs the {role} role.")


def require_auth(role: str | None = None, *, refresh: bool = False) -> Callable:
    """Decorator: a valid, unrevoked token of an active user, holding at least ``role``."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            verify_jwt_in_request(refresh=refresh)
            if role:
                ensure_role(current_user, role)
            return func(*args, **kwargs)

        return wrapper

    return decorator
