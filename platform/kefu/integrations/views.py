"""HTTP of integration pages: the workbench's tabs for a chat, and the token check for enterprises."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Flask, current_app, request
from flask_login import current_user

from ..conversations.access import access_conversation
from ..errors import KefuError, ValidationFailed
from ..extensions import csrf, limiter
from ..i18n import current_lang
from . import tokens
from .queries import pages_for

bp = Blueprint("integrations", __name__)


def verify_limit() -> str:
    """Token checks allowed per client address (KEFU_INTEGRATION_VERIFY_RATE_LIMIT)."""
    roomy = current_app.config.get("KEFU_TESTING")
    default = "10000 per minute" if roomy else "60 per minute"
    return str(current_app.config.get("KEFU_INTEGRATION_VERIFY_RATE_LIMIT", default))


@bp.route("/api/integration/pages")
def pages() -> Any:
    """The integration tabs of one conversation, URLs filled in, for an agent who may see it."""
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    raw = request.args.get("conversation_id", "")
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationFailed({"conversation_id": ["not an id"]})
    conv = access_conversation(current_user._get_current_object(), int(raw))
    return {"ok": True, "pages": pages_for(current_user, conv, current_lang())}


@bp.route("/api/integration/verify", methods=["POST"])
@csrf.exempt  # called by the enterprise's server or page with the token alone
@limiter.limit(verify_limit)
def verify() -> Any:
    """Answer the claims of a valid, unexpired token (400 with a reason otherwise)."""
    data = request.get_json(silent=True)
    token = data.get("token") if isinstance(data, dict) else request.form.get("token")
    claims = tokens.verify(token)
    return {"ok": True, "claims": asdict(claims)}


def init_app(app: Flask) -> None:
    """Register the integration routes."""
    app.register_blueprint(bp)
