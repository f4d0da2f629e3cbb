"""The agent workbench page (its live data comes over the /agent socket)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template
from flask_login import current_user, login_required

from ..errors import Forbidden

bp = Blueprint("workbench", __name__)


@bp.route("/workbench")
@login_required
def index() -> Any:
    """Render the workbench for a company user."""
    if current_user.company_id is None:
        raise Forbidden("forbidden")
    return render_template("workbench/index.html")


def init_app(app: Flask) -> None:
    """Register the workbench routes."""
    app.register_blueprint(bp)
