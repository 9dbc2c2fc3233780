"""``flask users``: account administration from the shell."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.auth import services
from app.core.errors import AppError
from app.core.permissions import Role


@click.group("users")
def users_group() -> None:
    """Manage accounts."""


@users_group.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([Role.ADMIN.value, Role.STAFF.value]), default=Role.ADMIN.value)
@with_appcontext
def create_admin(email: str, password: str, role: str) -> None:
    """Create an admin (or staff) account; the password policy applies."""
    try:
        user = services.create_user(email, password, role=role)
    except AppError as exc:
        raise click.ClickException(f"{exc.message} {exc.details or ''}".strip()) from exc
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
