"""``/api/health/``: is the process up, and can it serve?"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from app.core.api import Blueprint
from app.health import services

blp = Blueprint("health", __name__, url_prefix="/api/health", description="Liveness and readiness")


class LivenessSchema(ma.Schema):
    status = ma.fields.String(required=True)


class ReadinessSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"description": "ok or unavailable"})
    checks = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Dict(), metadata={"description": "database, redis, queue"}
    )


@blp.route("/")
class Liveness(MethodView):
    @blp.response(200, LivenessSchema)
    def get(self):
        """The process answers; touches no dependency (for load balancers)."""
        return {"status": "ok"}


@blp.route("/ready/")
class Readiness(MethodView):
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, schema=ReadinessSchema, description="A dependency is down")
    def get(self):
        """Database, Redis and queue each reported; 503 when the database or Redis is down."""
        ready, report = services.readiness()
        return report, 200 if ready else 503
