"""The catalog cache: its hit rate and generations, and the two operator actions of
``flask cache`` — warm it (through the app's own GETs) or clear it — with the same code."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.form import SecureForm
from werkzeug.wrappers import Response

from app.admin.base import flash_done, flash_form_errors, where
from app.admin.security import StaffOnly
from app.products import cache, warmup


class CacheForm(SecureForm):
    """Only the CSRF token: the button says what to do."""


class CatalogCacheView(StaffOnly, BaseView):
    @expose("/")
    def index(self) -> str:
        return self.render("console/cache.html", stats=cache.stats(), form=CacheForm())

    def _checked(self) -> bool:
        form = CacheForm(request.form)
        if not form.validate():
            flash_form_errors(form)
            return False
        return True

    @expose("/warm/", methods=("POST",))
    def warm_view(self) -> Response:
        if self._checked():
            if not cache.enabled():
                flash("The catalog cache is off (CATALOG_CACHE_ENABLED=false).", "error")
            else:
                report = warmup.warm(warmup.warm_urls())
                flash_done(f"Warmed {report.warmed} catalog responses.")
                for url in report.failed:
                    flash(f"Not cached (not a 200): {url}", "warning")
        return redirect(url_for(".index"))

    @expose("/clear/", methods=("POST",))
    def clear_view(self) -> Response:
        if self._checked():
            flash_done(f"Deleted {cache.clear()} catalog cache keys.")
        return redirect(url_for(".index"))


def register(admin: Any) -> None:
    admin.add_view(CatalogCacheView(name="Catalog cache", category="Catalog", **where("cache")))
