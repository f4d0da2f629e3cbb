"""Every write of chat files: check an upload against the company's limits and keep it; turn an
uploaded file into what its message carries."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import IO, Any

from sqlalchemy import delete, select

from ..aftercommit import on_commit
from ..channels.queries import channel_state
from ..conversations.access import access_conversation_reply
from ..conversations.models import OPEN_STATUSES, Conversation, Message
from ..errors import KefuError, NotFound, ValidationFailed
from ..extensions import db
from ..org.models import User
from ..settings.queries import company_settings
from ..timeutil import utcnow
from ..uploads import IMAGE_TYPES, clean_name, keep, sniff, stored_path
from ..visitors.token import VisitorClaims
from .images import dimensions
from .models import ChatFile

# Short names of the usual types, for the "allowed: …" of a refusal.
_LABELS = {
    "image/png": "PNG", "image/jpeg": "JPG", "image/gif": "GIF", "image/webp": "WebP",
    "application/pdf": "PDF", "text/plain": "TXT", "text/csv": "CSV", "application/zip": "ZIP",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
}


def allowed_types(company_id: int) -> list[str]:
    """The company's accepted content types (客服工作台设置 → 文件)."""
    raw = company_settings(company_id).file_types or ""
    return [t.strip().lower() for t in raw.split(",") if t.strip()]


def type_labels(types: list[str]) -> str:
    """The allowed types as people name them (PNG, PDF, DOCX …)."""
    return ", ".join(dict.fromkeys(_LABELS.get(t, t) for t in types))


def _conversation_arg(raw: Any) -> int | None:
    if raw in (None, "", "null"):
        return None
    if not str(raw).isdigit() or len(str(raw)) > 12:
        raise ValidationFailed({"conversation_id": ["not an id"]})
    return int(raw)


# --- uploads ---------------------------------------------------------------------------------

def check_agent_upload(agent: User, conversation_id: Any, filename: str, stream: IO[bytes]) -> ChatFile:
    """Take a file an agent (the chat's own, or an invited helper) is about to send."""
    from ..transfers.queries import is_helper

    conv_id = _conversation_arg(conversation_id)
    if conv_id is None:
        raise ValidationFailed({"conversation_id": ["missing"]})
    conv = db.session.get(Conversation, conv_id)
    if conv is None or conv.company_id != agent.company_id:
        raise NotFound("not_found")
    if conv.agent_id != agent.id and not is_helper(conv, agent.id):
        access_conversation_reply(agent, conv_id)  # raises the precise reason
        raise KefuError("not_assigned", status=403)  # pragma: no cover - raced a transfer
    if not conv.is_open:
        raise KefuError("conversation_closed", status=409)
    return do_store(conv, "agent", agent.id, filename, stream)


def check_visitor_upload(claims: VisitorClaims, conversation_id: Any, filename: str,
                         stream: IO[bytes]) -> ChatFile:
    """Take a file the visitor is about to send in their open chat, if the company lets them."""
    state = channel_state(claims.channel_id)
    if state is None or state.company_id != claims.company_id:
        raise KefuError("invalid_token", status=401)
    if not state.enabled:
        raise KefuError("channel_disabled", status=403)
    if not company_settings(claims.company_id).visitor_files:
        raise KefuError("chatfile_visitors_off", status=403)
    conv_id = _conversation_arg(conversation_id)
    if conv_id is not None:
        conv = db.session.get(Conversation, conv_id)
        if conv is None or conv.visitor_id != claims.visitor_id or conv.company_id != claims.company_id:
            raise NotFound("not_found")
        if not conv.is_open:
            raise KefuError("conversation_closed", status=409)
    else:
        found = db.session.scalars(select(Conversation).where(
            Conversation.visitor_id == claims.visitor_id, Conversation.channel_id == claims.channel_id,
            Conversation.status.in_(OPEN_STATUSES)).order_by(Conversation.id.desc())).first()
        if found is None:  # a file alone does not open a chat: it would reach nobody's screen yet
            raise KefuError("chatfile_no_chat", status=409)
        conv = found
    return do_store(conv, "visitor", claims.visitor_id, filename, stream)


def do_store(conv: Conversation, kind: str, uploader_id: int, filename: str,
             stream: IO[bytes]) -> ChatFile:
    """Check a file against the company's size and type limits by its bytes, keep it, record it."""
    settings = company_settings(conv.company_id)
    limit = settings.file_max_mb * 1024 * 1024
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise KefuError("chatfile_too_large", status=413, fields={"file": ["too large"]},
                        limit=settings.file_max_mb)
    if not data:
        raise KefuError("chatfile_empty", status=400, fields={"file": ["empty"]})
    name = clean_name(filename)
    mime = sniff(data)
    allowed = allowed_types(conv.company_id)
    if mime == "text/plain" and name.lower().endswith(".csv") and "text/csv" in allowed:
        mime = "text/csv"  # text cannot tell a table from prose; both are only ever downloaded
    if mime is None or mime not in allowed:
        raise KefuError("chatfile_type", status=415, fields={"file": ["type"]},
                        types=type_labels(allowed))
    key, rel = keep(f"chat/{conv.company_id}", data)
    dims = dimensions(data, mime) if mime in IMAGE_TYPES else None
    row = ChatFile(company_id=conv.company_id, conversation_id=conv.id, uploader_kind=kind,
                   uploader_id=uploader_id, name=name, mime=mime, size=len(data),
                   sha256=hashlib.sha256(data).hexdigest(), key=key, path=rel,
                   width=dims[0] if dims else None, height=dims[1] if dims else None,
                   created_at=utcnow())
    db.session.add(row)
    db.session.commit()
    return row


# --- sending -----------------------------------------------------------------------------------

def file_dict(f: ChatFile) -> dict[str, Any]:
    """What a message says of its file (the URL serves agents by session, visitors by token)."""
    return {"id": f.id, "name": f.name, "size": f.size, "mime": f.mime, "width": f.width,
            "height": f.height, "url": f"/api/chatfiles/{f.key}"}


def _message_parts(f: ChatFile, caption: str, payload: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(content_type, body, payload) of a message carrying a file; the body is its text fallback."""
    image = f.mime in IMAGE_TYPES
    body = ("[图片] " if image else "[文件] ") + f.name  # previews, search and text-only channels
    if caption:
        body += "\n" + caption
    extra: dict[str, Any] = {"file": file_dict(f)}
    if caption:
        extra["caption"] = caption
    return ("image" if image else "file"), body, {**payload, **extra}


def agent_file_message(agent: User, conversation_id: int, file_id: int, caption: str,
                       payload: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """The parts of an agent's file message: only a file they uploaded into this chat."""
    f = db.session.get(ChatFile, file_id)
    if (f is None or f.company_id != agent.company_id or f.conversation_id != conversation_id
            or f.uploader_kind != "agent" or f.uploader_id != agent.id):
        raise KefuError("chatfile_missing", status=404, fields={"file_id": ["unknown"]})
    return _message_parts(f, caption, payload)


def visitor_file_message(claims: VisitorClaims, file_id: int, caption: str, payload: dict[str, Any],
                         client_id: str | None = None) -> tuple[str, str, dict[str, Any]]:
    """The parts of a visitor's file message: only a file they uploaded into their open chat."""
    from ..conversations.store import find_message

    f = db.session.get(ChatFile, file_id)
    if (f is None or f.company_id != claims.company_id or f.uploader_kind != "visitor"
            or f.uploader_id != claims.visitor_id):
        raise KefuError("chatfile_missing", status=404, fields={"file_id": ["unknown"]})
    row = db.session.execute(select(Conversation.status, Conversation.channel_id).where(
        Conversation.id == f.conversation_id)).first()
    if row is None or row[1] != claims.channel_id:
        raise KefuError("chatfile_missing", status=404, fields={"file_id": ["unknown"]})
    resent = client_id is not None and find_message(f.conversation_id, client_id) is not None
    if row[0] not in OPEN_STATUSES and not resent:
        # The chat it was uploaded into ended: the message would open a new one without it.
        raise KefuError("conversation_closed", status=409)
    return _message_parts(f, caption, payload)


# A file is kept while a message of its chat shows it. A day after the upload (recall is possible
# for minutes only) one no message shows is deleted, row and bytes. The hourly sweep looks at the
# two days before that; older files were looked at already.
KEEP_UNSHOWN = timedelta(hours=24)
LOOK_BACK = timedelta(hours=48)
log = logging.getLogger(__name__)


def do_delete_unshown(limit: int) -> int:
    """Delete up to `limit` files never sent or recalled, uploaded a day ago or more; commit."""
    newest = utcnow() - KEEP_UNSHOWN
    files = list(db.session.scalars(
        select(ChatFile).where(ChatFile.created_at < newest, ChatFile.created_at >= newest - LOOK_BACK)
        .order_by(ChatFile.id).limit(limit)))
    if not files:
        return 0
    chats = {f.conversation_id for f in files}
    shown = {((p or {}).get("file") or {}).get("id") for p in db.session.scalars(
        select(Message.payload).where(Message.conversation_id.in_(chats),
                                      Message.content_type.in_(("image", "file"))))}
    gone = [f for f in files if f.id not in shown]
    if not gone:
        return 0
    paths = [f.path for f in gone]
    db.session.execute(delete(ChatFile).where(ChatFile.id.in_([f.id for f in gone])))

    def unlink() -> None:
        for rel in paths:
            try:
                stored_path(rel).unlink(missing_ok=True)
            except OSError:  # a file left behind is harmless; its row is gone
                log.warning("could not delete chat file %s", rel, exc_info=True)

    on_commit(unlink)
    db.session.commit()
    return len(gone)
