"""Error responses: JSON for API and socket-like callers, a bilingual page for people."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from .errors import KefuError, NotFound
from .extensions import db
from .i18n import current_lang


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def handle_kefu_error(exc: KefuError) -> Any:
    """Render a KefuError as JSON or as the error page."""
    db.session.rollback()
    if _wants_json():
        return exc.to_dict(current_lang()), exc.status
    return render_template("error.html", error=exc.to_dict(current_lang())["error"]), exc.status


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(KefuError, handle_kefu_error)
    app.register_error_handler(404, lambda e: handle_kefu_error(NotFound("not_found")))
    app.register_error_handler(
        CSRFError, lambda e: handle_kefu_error(KefuError("invalid_input", status=400))
    )
