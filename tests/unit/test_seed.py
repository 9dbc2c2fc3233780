"""``flask seed`` is idempotent and its demo logins work."""

from __future__ import annotations

from app.auth.models import User
from app.cli.seed import DEMO_USERS
from app.extensions import db
from tests.conftest import login


def test_seed_twice_creates_the_demo_users_once_and_they_can_log_in(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "(exists)" in second.output
    assert db.session.query(User).count() == len(DEMO_USERS)
    for email, password, role, _name in DEMO_USERS:
        assert email in first.output
        assert password in first.output
        assert login(client, email, password)["access"]
        assert db.session.query(User).filter_by(email=email).one().role == role
