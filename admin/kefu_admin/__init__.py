"""kefu admin console: Flask-Admin views over kefu's models, writes through kefu's actions."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Mount the console at /admin (called through the `kefu.plugins` entry point)."""
    from .console import build_admin

    build_admin(app)
