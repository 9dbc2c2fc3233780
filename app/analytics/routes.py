"""Staff analytics: each endpoint one cached report (see ``app.analytics.services``)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from app.analytics import schemas, services
from app.core.api import Blueprint
from app.core.permissions import Role

blp = Blueprint(
    "analytics",
    __name__,
    url_prefix="/api/analytics",
    description="Sales, products, payments and stock reports (staff; cached ANALYTICS_CACHE_SECONDS). "
    "Dates are UTC days and ``from``/``to`` both included.",
)


@blp.route("/summary/")
class Summary(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.SummaryQuerySchema, location="query")
    @blp.response(200, schemas.SummarySchema)
    def get(self, query):
        """Sales, revenue, refunds, new customers and conversion, per currency and converted."""
        return services.summary(query["days"], query.get("currency"))


@blp.route("/sales/")
class Sales(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.SalesQuerySchema, location="query")
    @blp.response(200, schemas.SalesSchema)
    def get(self, query):
        """Sales and revenue per day, week or month and currency; empty buckets are zero."""
        return services.sales(query["days"], query["interval"])


@blp.route("/top-products/")
class TopProducts(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.TopProductsQuerySchema, location="query")
    @blp.response(200, schemas.TopProductsSchema)
    def get(self, query):
        """Best-selling products by units or by revenue in the reporting currency."""
        return services.top_products(query["days"], query["by"], query["limit"], query.get("currency"))


@blp.route("/payments/")
class Payments(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.RangeQuerySchema, location="query")
    @blp.response(200, schemas.PaymentsSchema)
    def get(self, query):
        """Attempts, success rate, volume and median time to success per gateway and method;
        refunds per gateway."""
        return services.payments(query["days"])


@blp.route("/low-stock/")
class LowStock(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.LowStockQuerySchema, location="query")
    @blp.response(200, schemas.LowStockSchema)
    def get(self, query):
        """Active variants with at most ``threshold`` units on hand, lowest stock first."""
        threshold = query.get("threshold", current_app.config["CATALOG_LOW_STOCK_THRESHOLD"])
        return services.low_stock(threshold, query["limit"])
