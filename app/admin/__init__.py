"""The operator console at ``/admin/`` (Flask-Admin); its views arrive with their issue."""

from flask import Flask

from app.extensions import admin


def init_admin(app: Flask) -> None:
    admin.init_app(app)
