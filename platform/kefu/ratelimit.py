"""Rate limits against password guessing and session flooding (Flask-Limiter)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from .errors import KefuError
from .extensions import limiter


def login_limit() -> str:
    """Login attempts allowed per client address (KEFU_LOGIN_RATE_LIMIT)."""
    return str(current_app.config["KEFU_LOGIN_RATE_LIMIT"])


def widget_session_limit() -> str:
    """Widget sessions opened per client address (KEFU_WIDGET_RATE_LIMIT)."""
    return str(current_app.config["KEFU_WIDGET_RATE_LIMIT"])


def upload_limit() -> str:
    """Uploads per client address (KEFU_UPLOAD_RATE_LIMIT): each may be megabytes of disk."""
    default = "10000 per minute" if current_app.config["KEFU_TESTING"] else "30 per hour"
    return str(current_app.config.get("KEFU_UPLOAD_RATE_LIMIT") or default)


def init_app(app: Flask) -> None:
    """Bind the limiter: Redis storage in distributed mode, memory otherwise."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["KEFU_REDIS_URL"] or "memory://")
    # Test suites log in hundreds of times from 127.0.0.1; they get a roomy limit instead.
    roomy = app.config["KEFU_TESTING"]
    app.config.setdefault("KEFU_LOGIN_RATE_LIMIT", "10000 per minute" if roomy else "10 per minute")
    app.config.setdefault("KEFU_WIDGET_RATE_LIMIT", "10000 per minute" if roomy else "60 per minute")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)

    def too_many(_exc: Any) -> Any:
        from .errorpages import handle_kefu_error

        return handle_kefu_error(KefuError("rate_limited", status=429))

    app.register_error_handler(429, too_many)
