"""HTTP of leave messages: the widget's form and uploads, the 留言池 API, attachment downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, request
from flask_login import current_user
from sqlalchemy import select

from ..errors import KefuError, NotFound, ValidationFailed
from ..extensions import csrf, db, limiter
from ..ratelimit import upload_limit
from ..uploads import serve
from ..visitors import token as tokens
from . import actions, attachments, queries
from .access import access_leave_message
from .forms import form_dict
from .models import STATUSES, LeaveAttachment

bp = Blueprint("leavemessages", __name__)


def _visitor() -> tokens.VisitorClaims:
    header = request.headers.get("Authorization", "")
    return tokens.verify(header[7:] if header.startswith("Bearer ") else None)


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


def _conversation_arg(raw: Any) -> int | None:
    if raw in (None, "", "null"):
        return None
    if not str(raw).isdigit():
        raise ValidationFailed({"conversation_id": ["not an id"]})
    return int(raw)


@bp.route("/api/widget/leave-form")
@csrf.exempt
def widget_form() -> Any:
    """The form this visitor fills in now (after an offer, or when they choose to leave a message)."""
    claims = _visitor()
    conv = actions.source_conversation(claims, _conversation_arg(request.args.get("conversation_id")))
    form, names = actions.applicable_form(claims, conv)
    return {"ok": True, "form": form_dict(form, names),
            "max_bytes": attachments.max_bytes(), "types": attachments.allowed_types()}


@bp.route("/api/widget/leave-attachments", methods=["POST"])
@csrf.exempt  # visitors carry a signed token, not a cookie session
@limiter.limit(upload_limit)
def widget_upload() -> Any:
    """Take one file for an attachment field; answer its key to put in the submission."""
    claims = _visitor()
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": ["missing"]})
    row = actions.check_upload(claims, request.form.get("field"), upload.filename or "",
                               upload.stream, _conversation_arg(request.form.get("conversation_id")))
    return {"ok": True, "attachment": {"key": row.key, "field": row.field, "filename": row.filename,
                                       "size": row.size, "content_type": row.content_type}}


@bp.route("/api/workbench/leave-messages")
def pool() -> Any:
    """One tab of the 留言池: ?status=new|processing|done&scope=mine|groups|pool|all."""
    user = _agent()
    status = request.args.get("status", "new")
    scope = request.args.get("scope", "mine")
    if status not in STATUSES or scope not in queries.SCOPES:
        raise ValidationFailed({"status": [status], "scope": [scope]})
    rows = queries.pool_list(user, status, scope)
    return {"ok": True, "leave_messages": [queries.leave_message_dict(lm) for lm in rows]}


@bp.route("/api/workbench/leave-messages/<int:lm_id>/<op>", methods=["POST"])
def handle(lm_id: int, op: str) -> Any:
    """claim | status | assign | reply, each an action; the answer carries the updated message."""
    user = _agent()
    data = {**(request.get_json(silent=True) or {}), "id": lm_id}
    if op == "claim":
        lm = actions.check_claim(user, data)
    elif op == "status":
        lm = actions.check_status(user, data)
    elif op == "assign":
        lm = actions.check_assign(user, data)
    elif op == "reply":
        lm, msg = actions.check_reply(user, data)
        return {"ok": True, "leave_message": queries.leave_message_dict(lm), "message_id": msg.id}
    else:
        raise NotFound("not_found")
    return {"ok": True, "leave_message": queries.leave_message_dict(lm)}


@bp.route("/api/workbench/leave-targets")
def targets() -> Any:
    """Agents and skill groups an admin or manager may assign messages to (empty for agents)."""
    from ..org.access import ADMIN_ROLES, visible_group_ids
    from ..org.models import SkillGroup, User

    user = _agent()
    if user.role not in (*ADMIN_ROLES, "manager"):
        return {"ok": True, "agents": [], "groups": []}
    groups = visible_group_ids(user)
    group_rows = db.session.execute(select(SkillGroup.id, SkillGroup.name).where(
        SkillGroup.company_id == user.company_id).order_by(SkillGroup.name)).all()
    agent_rows = db.session.execute(select(User.id, User.name, User.status).where(
        User.company_id == user.company_id, User.is_active_account.is_(True)).order_by(User.name)).all()
    return {"ok": True,
            "groups": [{"id": g, "name": n} for g, n in group_rows if groups is None or g in groups],
            "agents": [{"id": a, "name": n, "status": st} for a, n, st in agent_rows]}


@bp.route("/api/workbench/leave-attachments/<key>")
def download(key: str) -> Any:
    """Hand a file to an agent who may see its message: always a download, never rendered."""
    user = _agent()
    row = db.session.scalars(select(LeaveAttachment).where(LeaveAttachment.key == key[:40])).first()
    if row is None or row.leave_message_id is None:
        raise NotFound("not_found")
    access_leave_message(user, row.leave_message_id)
    path = attachments.file_path(row)
    if not path.is_file():
        raise NotFound("not_found")
    return serve(path, row.content_type, row.filename)


def init_app(app: Flask) -> None:
    """Register the leave-message routes."""
    app.register_blueprint(bp)
