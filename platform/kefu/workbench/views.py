"""The agent workbench page (its live data comes over the /agent socket)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from flask_login import current_user, login_required

from ..errors import Forbidden

bp = Blueprint("workbench", __name__)


@bp.route("/workbench")
@login_required
def index() -> Any:
    """Render the workbench for a company user."""
    if current_user.company_id is None:
        raise Forbidden("forbidden")
    from ..settings.queries import company_settings

    settings = company_settings(current_user.company_id)
    # The company's notification defaults; each agent may switch them off for their own browser.
    notify = {"sound": bool(settings.notify_sound), "desktop": bool(settings.notify_desktop),
              "on_message": bool(settings.notify_on_message),
              "refresh_seconds": float(current_app.config.get("KEFU_WBLIST_REFRESH_SECONDS", 5))}
    return render_template("workbench/index.html", wblist_notify=notify)


def init_app(app: Flask) -> None:
    """Register the workbench routes."""
    app.register_blueprint(bp)
