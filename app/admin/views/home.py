"""The console's home: the dashboard, with its charts drawn by the Chart.js Sokoni serves."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask_admin import AdminIndexView, expose

from app.admin import dashboard
from app.admin.security import StaffOnly


def chart_data(figures: dict[str, Any]) -> dict[str, Any]:
    """What the page's script draws: plain numbers, no markup.

    Currencies are never added together; the chart opens on the shop's default currency and
    the legend shows the others on a click (their scales differ by orders of magnitude).
    """
    succeeded = [row for row in figures["payments"] if row["succeeded"]]
    return {
        "default_currency": current_app.config["DEFAULT_CURRENCY"],
        "sales": figures["sales"],
        "payment_mix": {
            "labels": [row["gateway"] for row in succeeded],
            "counts": [row["succeeded"] for row in succeeded],
        },
    }


class DashboardView(StaffOnly, AdminIndexView):
    @expose("/")
    def index(self) -> str:
        figures = dashboard.figures()
        return self.render(
            "console/dashboard.html",
            figures=figures,
            chart_data=chart_data(figures),
            jobs_url=url_for("console_jobs.index"),
        )
