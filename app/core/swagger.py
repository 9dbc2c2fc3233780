"""Serve Swagger UI's assets from the swagger-ui-bundle package: no CDN, works offline."""

from __future__ import annotations

from flask import Blueprint, Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

assets = Blueprint("swagger_assets", __name__)


@assets.route("/swagger/assets/<path:filename>")
def swagger_asset(filename: str):
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)


def register_swagger_assets(app: Flask) -> None:
    app.register_blueprint(assets)
