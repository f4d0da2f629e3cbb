"""Build the Flask-Admin console."""

from __future__ import annotations

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme


def build_admin(app: Flask) -> Admin:
    """Create the Admin object with its views."""
    admin = Admin(app, name="kefu", theme=Bootstrap4Theme(swatch="default", fluid=True))
    return admin
