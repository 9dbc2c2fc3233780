"""Users (admins only): activate, deactivate and change roles through ``app.auth.services``.

An admin cannot change their own account here: a slip of the mouse must not lock the last
administrator out of the console.
"""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_admin.actions import action

from app.admin.base import AdminModelView, ServiceModelView, flash_done, numeric_ids, through_service, where
from app.admin.security import current_staff
from app.auth import services as auth_services
from app.auth.models import User
from app.core.permissions import Role

CATEGORY = "Accounts"


def _name(_view: Any, _context: Any, user: User, _name: str) -> str:
    return (user.profile.full_name if user.profile else None) or ""


def _phone(_view: Any, _context: Any, user: User, _name: str) -> str:
    return (user.profile.phone if user.profile else None) or ""


class UserView(AdminModelView, ServiceModelView):
    can_create = False
    can_delete = False
    column_list = ("email", "full_name", "phone", "role", "is_active", "created_at")
    column_details_list = ("email", "full_name", "phone", "role", "is_active", "created_at", "updated_at")
    column_formatters = {"full_name": _name, "phone": _phone}
    column_formatters_detail = column_formatters
    column_searchable_list = ("email",)
    column_filters = ("role", "is_active", "created_at")
    column_default_sort = ("id", True)
    form_columns = ("role", "is_active")
    form_choices = {"role": [(role.value, role.value) for role in Role]}

    def _change(self, user_id: int, changes: dict[str, Any]) -> User | None:
        if user_id == current_staff().id:
            flash("You cannot change your own account here; ask another administrator.", "error")
            return None
        return through_service(lambda: auth_services.update_user(user_id, changes))

    def update_model(self, form: Any, model: User) -> bool:
        return self._change(model.id, self.form_data(form)) is not None

    def _set_active(self, ids: list[str], active: bool) -> None:
        changed = [
            user for user_id in numeric_ids(ids) if (user := self._change(user_id, {"is_active": active}))
        ]
        flash_done(f"{len(changed)} account(s) {'activated' if active else 'deactivated'}.")

    @action("activate", "Activate", "Activate the selected accounts?")
    def action_activate(self, ids: list[str]) -> None:
        self._set_active(ids, True)

    @action("deactivate", "Deactivate", "Deactivate the selected accounts? They are signed out at once.")
    def action_deactivate(self, ids: list[str]) -> None:
        self._set_active(ids, False)


def register(admin: Any) -> None:
    admin.add_view(UserView(User, "Users", category=CATEGORY, **where("users")))
