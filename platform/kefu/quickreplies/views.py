"""HTTP JSON API of quick replies for the workbench: read both libraries, edit one's own."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, request
from flask_login import current_user

from ..errors import KefuError, ValidationFailed
from . import actions, queries

bp = Blueprint("quickreplies", __name__)


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


def _body() -> Any:
    return request.get_json(silent=True)


@bp.route("/api/workbench/quick-replies")
def index() -> Any:
    """Groups and replies of ?scope=all|mine|company, searched by ?q= (title, text or group)."""
    user = _agent()
    scope = request.args.get("scope", "all")
    q = request.args.get("q", "")
    if scope not in queries.SCOPES or len(q) > 100:
        raise ValidationFailed({"scope": [scope[:20]], "q": ["at most 100 characters"]})
    return {"ok": True,
            "groups": [queries.group_dict(g) for g in queries.groups_for(user, scope)],
            "replies": [queries.reply_dict(r) for r in queries.quick_replies_for(user, scope, q)]}


@bp.route("/api/workbench/quick-replies", methods=["POST"])
def create() -> Any:
    """Add a reply to the agent's own library."""
    reply = actions.check_create_reply(_agent(), _body())
    return {"ok": True, "reply": queries.reply_dict(reply)}, 201


@bp.route("/api/workbench/quick-replies/<int:reply_id>", methods=["PUT", "DELETE"])
def change(reply_id: int) -> Any:
    """Edit or delete one of the agent's own replies."""
    user = _agent()
    if request.method == "DELETE":
        actions.check_delete_reply(user, reply_id)
        return {"ok": True}
    return {"ok": True, "reply": queries.reply_dict(actions.check_update_reply(user, reply_id, _body()))}


@bp.route("/api/workbench/quick-reply-groups", methods=["POST"])
def create_group() -> Any:
    """Add a group to the agent's own library."""
    group = actions.check_create_group(_agent(), _body())
    return {"ok": True, "group": queries.group_dict(group)}, 201


@bp.route("/api/workbench/quick-reply-groups/<int:group_id>", methods=["PUT", "DELETE"])
def change_group(group_id: int) -> Any:
    """Rename or delete one of the agent's own groups."""
    user = _agent()
    if request.method == "DELETE":
        actions.check_delete_group(user, group_id)
        return {"ok": True}
    return {"ok": True,
            "group": queries.group_dict(actions.check_update_group(user, group_id, _body()))}


def init_app(app: Flask) -> None:
    """Register the quick-reply routes."""
    app.register_blueprint(bp)
