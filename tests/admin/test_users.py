"""Users (admins only): roles and activation through ``app.auth.services.update_user``."""

from __future__ import annotations

from app.auth.models import User
from app.extensions import db
from tests.admin.conftest import console_login, csrf_token
from tests.factories import UserFactory


def fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_admin_promotes_a_customer_to_staff_who_can_then_sign_in(admin_client, client, app):
    person = UserFactory(email="amaka@example.com")
    edit = f"/admin/users/edit/?id={person.id}"
    token = csrf_token(admin_client, edit)
    admin_client.post(edit, data={"role": "staff", "is_active": "y", "csrf_token": token})
    assert fresh(person.id).role == "staff"
    other = app.test_client()
    assert console_login(other, person.email).status_code == 302


def test_deactivating_signs_the_account_out_of_the_console(admin_client, app):
    colleague = UserFactory(email="kwame@example.com", role="staff")
    other = app.test_client()
    console_login(other, colleague.email)
    assert other.get("/admin/").status_code == 200
    token = csrf_token(admin_client, "/admin/users/")
    admin_client.post(
        "/admin/users/action/", data={"action": "deactivate", "rowid": [colleague.id], "csrf_token": token}
    )
    assert fresh(colleague.id).is_active is False
    assert other.get("/admin/").status_code == 302
    token = csrf_token(admin_client, "/admin/users/")
    admin_client.post(
        "/admin/users/action/", data={"action": "activate", "rowid": [colleague.id], "csrf_token": token}
    )
    assert fresh(colleague.id).is_active is True


def test_admins_cannot_change_their_own_account(admin_client, admin):
    edit = f"/admin/users/edit/?id={admin.id}"
    token = csrf_token(admin_client, edit)
    response = admin_client.post(edit, data={"role": "customer", "is_active": "y", "csrf_token": token})
    assert fresh(admin.id).role == "admin"
    assert "cannot change your own account" in response.get_data(as_text=True)


def test_staff_cannot_change_accounts(staff_client, staff):
    person = UserFactory(email="zainab@example.com")
    response = staff_client.post(f"/admin/users/edit/?id={person.id}", data={"role": "admin"})
    assert response.status_code == 403
    assert fresh(person.id).role == "customer"
