"""The operator console at ``/admin/`` (Flask-Admin): login, views per domain, dashboard, jobs.

The ``admin`` extension is module-level (``app.extensions``), so its views are added once,
the first time an app is built, and every app built afterwards registers the same views.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from flask_admin.theme import Bootstrap4Theme

from app.admin import auth
from app.admin.cli import console_group
from app.admin.views import (
    accounts,
    cache,
    catalog,
    delivery,
    home,
    jobs,
    orders,
    payments,
    reviews,
    sales,
    support,
    wishlist,
)
from app.extensions import admin

#: Each module adds its section; the order is the order of the menu.
SECTIONS = (catalog, reviews, cache, orders, sales, wishlist, payments, delivery, support, accounts, jobs)


def init_admin(app: Flask) -> None:
    _check_timezone(app)
    if not isinstance(admin.index_view, home.DashboardView):
        admin.theme = Bootstrap4Theme(base_template="console/base.html", fluid=True)
        for section in SECTIONS:
            section.register(admin)
        admin.init_app(app, index_view=home.DashboardView(name="Dashboard", url="/admin"))
    else:
        admin.init_app(app)
    app.register_blueprint(auth.blp)
    app.cli.add_command(console_group)


def _check_timezone(app: Flask) -> None:
    """Fail at start-up, not on the first page view, when ``SHOP_TIMEZONE`` is not a zone."""
    try:
        ZoneInfo(app.config["SHOP_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(f"SHOP_TIMEZONE {app.config['SHOP_TIMEZONE']!r} is not an IANA time zone") from exc
