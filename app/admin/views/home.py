"""The console's home: the dashboard."""

from __future__ import annotations

from flask_admin import AdminIndexView, expose

from app.admin import dashboard
from app.admin.security import StaffOnly


class DashboardView(StaffOnly, AdminIndexView):
    @expose("/")
    def index(self) -> str:
        return self.render("console/dashboard.html", figures=dashboard.figures())
