"""Files visitors attach to leave messages: sniffed, size-capped, kept privately, agents only."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import select, update

from ..errors import KefuError
from ..extensions import db
from ..jobs import enqueue
from ..timeutil import utcnow
from ..uploads import clean_name, human_size, keep, sniff, stored_path
from ..visitors.token import VisitorClaims
from .jobs import purge_upload
from .models import LeaveAttachment, LeaveMessage

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TYPES = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"


def max_bytes() -> int:
    """The size limit of one file (KEFU_LEAVE_ATTACHMENT_MAX_BYTES)."""
    return int(current_app.config.get("KEFU_LEAVE_ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def allowed_types() -> list[str]:
    """The content types accepted (KEFU_LEAVE_ATTACHMENT_TYPES, comma-separated)."""
    raw = str(current_app.config.get("KEFU_LEAVE_ATTACHMENT_TYPES") or DEFAULT_TYPES)
    return [t.strip().lower() for t in raw.split(",") if t.strip()]


def _field_error(code: str, spec: dict[str, Any], **params: Any) -> KefuError:
    return KefuError(code, status=413 if code == "leave_attachment_too_large" else 400,
                     fields={spec["name"]: [code]}, field_zh=spec["label_zh"],
                     field_en=spec.get("label_en") or spec["label_zh"], **params)


def do_store(
    claims: VisitorClaims, spec: dict[str, Any], filename: str, stream: IO[bytes]
) -> LeaveAttachment:
    """Check a file for an attachment field and keep it, not yet linked to a message."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _field_error("leave_attachment_too_large", spec, limit=human_size(limit))
    kind = sniff(data) if data else None
    allowed = allowed_types()
    if kind is None or kind not in allowed:
        raise _field_error("leave_attachment_type", spec, types=", ".join(allowed))
    key, rel = keep(f"leave/{claims.company_id}", data)
    name = clean_name(filename)
    row = LeaveAttachment(key=key, company_id=claims.company_id, visitor_id=claims.visitor_id,
                          field=spec["name"], filename=name, content_type=kind, size=len(data),
                          path=rel, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    # A file the visitor never submits (form abandoned) must not stay on disk for ever.
    enqueue(purge_upload, row.id, delay=unlinked_ttl())
    db.session.commit()
    return row


def unlinked_ttl() -> float:
    """Seconds an upload waits for its submission (KEFU_UPLOAD_TTL, default a day)."""
    return float(current_app.config.get("KEFU_UPLOAD_TTL") or 24 * 3600)


def do_purge(attachment_id: int) -> bool:
    """Remove an upload and its file unless a submission took it; True when removed."""
    row = db.session.get(LeaveAttachment, attachment_id)
    if row is None or row.leave_message_id is not None:
        return False
    file_path(row).unlink(missing_ok=True)
    db.session.delete(row)
    db.session.commit()
    return True


def claimable(claims: VisitorClaims, spec: dict[str, Any], keys: list[str]) -> list[int]:
    """Ids of the visitor's own unlinked uploads for this field; a stranger's key names the field."""
    rows = db.session.execute(
        select(LeaveAttachment.id, LeaveAttachment.key).where(
            LeaveAttachment.key.in_(keys), LeaveAttachment.visitor_id == claims.visitor_id,
            LeaveAttachment.company_id == claims.company_id, LeaveAttachment.field == spec["name"],
            LeaveAttachment.leave_message_id.is_(None),
        )
    ).all()
    if len(rows) != len(keys):
        raise _field_error("leave_attachment_missing", spec)
    return [r[0] for r in rows]


def link(lm: LeaveMessage, spec: dict[str, Any], ids: list[int]) -> None:
    """Attach a field's uploads to the stored message (inside the submission's transaction).

    Only uploads no message took yet: of two submissions naming the same file, the one that
    commits second finds it taken and is refused (the caller rolls back).
    """
    if not ids:
        return
    taken = db.session.execute(
        update(LeaveAttachment).where(LeaveAttachment.id.in_(ids), LeaveAttachment.leave_message_id.is_(None))
        .values(leave_message_id=lm.id).execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if taken != len(set(ids)):
        raise _field_error("leave_attachment_missing", spec)


def of_message(leave_message_id: int) -> list[LeaveAttachment]:
    """A message's attachments in upload order."""
    return list(db.session.scalars(select(LeaveAttachment).where(
        LeaveAttachment.leave_message_id == leave_message_id).order_by(LeaveAttachment.id)))


def attachment_dict(a: LeaveAttachment) -> dict[str, Any]:
    """Serialize an attachment for the workbench (the download URL is the agents' one)."""
    return {"key": a.key, "field": a.field, "filename": a.filename, "content_type": a.content_type,
            "size": a.size, "url": f"/api/workbench/leave-attachments/{a.key}"}


def file_path(a: LeaveAttachment) -> Path:
    """Where the file's bytes are."""
    return stored_path(a.path)
