"""HTTP of chat files: uploads from the workbench (session + CSRF) and the widget (visitor token),
the widget's limits, and the one download address both sides use."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, request
from flask_login import current_user
from sqlalchemy import select

from ..conversations.models import Conversation
from ..errors import KefuError, NotFound, ValidationFailed
from ..extensions import csrf, db, limiter
from ..ratelimit import upload_limit
from ..settings.queries import company_settings
from ..uploads import IMAGE_TYPES, serve, stored_path
from ..visitors import token as tokens
from . import actions
from .models import ChatFile
from .queries import is_shown

bp = Blueprint("chatfiles", __name__)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else None


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


def _upload() -> Any:
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": ["missing"]})
    return upload


@bp.route("/api/workbench/chatfiles", methods=["POST"])
@limiter.limit(upload_limit)
def agent_upload() -> Any:
    """Take a file an agent will send in ?conversation_id (CSRF-checked: the session is a cookie)."""
    agent = _agent()
    upload = _upload()
    row = actions.check_agent_upload(agent, request.form.get("conversation_id"),
                                     upload.filename or "", upload.stream)
    return {"ok": True, "file": actions.file_dict(row)}


@bp.route("/api/widget/chatfiles", methods=["POST"])
@csrf.exempt  # visitors carry a signed token, not a cookie session
@limiter.limit(upload_limit)
def visitor_upload() -> Any:
    """Take a file the visitor will send in their open chat."""
    claims = tokens.verify(_bearer())
    upload = _upload()
    row = actions.check_visitor_upload(claims, request.form.get("conversation_id"),
                                       upload.filename or "", upload.stream)
    return {"ok": True, "file": actions.file_dict(row)}


@bp.route("/api/widget/chatfiles/limits")
@csrf.exempt
def visitor_limits() -> Any:
    """Whether the visitor may send files, and the size and types the company takes."""
    claims = tokens.verify(_bearer())
    settings = company_settings(claims.company_id)
    types = actions.allowed_types(claims.company_id)
    return {"ok": True, "visitor_files": bool(settings.visitor_files), "max_mb": settings.file_max_mb,
            "types": types, "labels": actions.type_labels(types)}


@bp.route("/api/chatfiles/<key>")
def download(key: str) -> Any:
    """Hand a sent (and not recalled) chat file to the company's agents or the chat's visitor:
    images inline, the rest as a download, always with the type its bytes were sniffed as."""
    row = db.session.scalars(select(ChatFile).where(ChatFile.key == key[:40])).first()
    token = _bearer()
    if token is not None:
        claims = tokens.verify(token)
        visitor_id = db.session.scalar(select(Conversation.visitor_id).where(
            Conversation.id == (row.conversation_id if row else 0)))
        if row is None or row.company_id != claims.company_id or visitor_id != claims.visitor_id:
            raise NotFound("not_found")
    else:
        user = _agent()
        if row is None or user.is_operator or not user.is_active or user.company_id != row.company_id:
            raise NotFound("not_found")
    path = stored_path(row.path)
    if not is_shown(row) or not path.is_file():
        raise NotFound("not_found")
    inline = row.mime in IMAGE_TYPES and request.args.get("download") != "1"
    return serve(path, row.mime, row.name, inline=inline)


def init_app(app: Flask) -> None:
    """Register the chat-file routes."""
    app.register_blueprint(bp)
