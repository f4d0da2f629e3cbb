"""GET /healthz: database, Redis and job status as JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Any:
    """Report whether the parts this process needs answer."""
    out: dict[str, Any] = {"ok": True}
    try:
        db.session.execute(text("SELECT 1"))
        out["database"] = {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as exc:  # report, don't crash: this is what monitoring reads
        out["database"] = {"ok": False, "error": str(exc)[:200]}
        out["ok"] = False
    url = current_app.config["KEFU_REDIS_URL"]
    if url:
        try:
            from redis import Redis

            Redis.from_url(url, socket_timeout=2).ping()
            out["redis"] = {"ok": True}
        except Exception as exc:
            out["redis"] = {"ok": False, "error": str(exc)[:200]}
            out["ok"] = False
    else:
        out["redis"] = {"ok": True, "configured": False}
    try:
        out["jobs"] = current_app.extensions["kefu_jobs"].status() | {"ok": True}
    except Exception as exc:
        out["jobs"] = {"ok": False, "error": str(exc)[:200]}
        out["ok"] = False
    return out, 200 if out["ok"] else 503


def init_app(app: Flask) -> None:
    """Register the health route."""
    app.register_blueprint(bp)
