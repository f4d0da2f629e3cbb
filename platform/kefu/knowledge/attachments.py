"""Files attached to internal articles: sniffed, size-capped, kept privately, served to the company only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Any

from flask import Blueprint, Flask, current_app
from flask_login import current_user
from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from ..audit.actions import record
from ..errors import KefuError, NotFound
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from ..uploads import IMAGE_TYPES, clean_name, human_size, keep, serve, sniff, stored_path
from .models import KnowledgeArticle

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# What an article may carry: pictures, PDF, plain text, Office documents and zip archives.
ALLOWED_TYPES = (
    *IMAGE_TYPES, "application/pdf", "text/plain", "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
ATTACHMENTS_MAX = 20  # per article


class KnowledgeAttachment(db.Model):  # type: ignore[name-defined]
    """A file of an internal article, kept under a random key outside the web root."""

    __tablename__ = "knowledge_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    article_id: Mapped[int] = mapped_column(
        ForeignKey("knowledge_article.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __str__(self) -> str:
        return self.filename


def max_bytes() -> int:
    """The size limit of one attachment (KEFU_KNOWLEDGE_ATTACHMENT_MAX_BYTES)."""
    return int(current_app.config.get("KEFU_KNOWLEDGE_ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def of_article(article_id: int) -> list[KnowledgeAttachment]:
    """An article's attachments in upload order."""
    return list(db.session.scalars(select(KnowledgeAttachment).where(
        KnowledgeAttachment.article_id == article_id).order_by(KnowledgeAttachment.id)))


def check_attach(actor_id: int | None, company_id: int, article_id: int, filename: str,
                 stream: IO[bytes]) -> KnowledgeAttachment:
    """Check a file for the company's article (size, sniffed type, count), keep it and audit it."""
    article = db.session.get(KnowledgeArticle, article_id)
    if article is None or article.company_id != company_id:
        raise NotFound("not_found", status=404)
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise KefuError("knowledge_attachment_too_large", status=413, fields={"file": ["too large"]},
                        limit=human_size(limit))
    kind = sniff(data) if data else None
    if kind is None or kind not in ALLOWED_TYPES or len(of_article(article_id)) >= ATTACHMENTS_MAX:
        raise KefuError("knowledge_attachment_type", fields={"file": ["type"]}, count=ATTACHMENTS_MAX)
    key, rel = keep(f"knowledge/{company_id}", data)
    row = KnowledgeAttachment(company_id=company_id, article_id=article_id, key=key,
                              filename=clean_name(filename), content_type=kind, size=len(data), path=rel,
                              created_by_id=actor_id, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record(actor_id, "create", row, company_id, {"article_id": [None, article_id],
                                                 "filename": [None, row.filename]})
    db.session.commit()
    return row


def check_detach(actor_id: int | None, company_id: int, attachment_id: int) -> None:
    """Remove the company's attachment and its file, audited."""
    row = db.session.get(KnowledgeAttachment, attachment_id)
    if row is None or row.company_id != company_id:
        raise NotFound("not_found", status=404)
    path = stored_path(row.path)
    record(actor_id, "delete", row, company_id, {"deleted": row.filename, "article_id": row.article_id})
    db.session.delete(row)
    db.session.commit()
    path.unlink(missing_ok=True)  # after the commit: a rollback must not lose the bytes


def check_delete_article(actor_id: int | None, company_id: int, article_id: int) -> None:
    """Delete the company's article (audited, unindexed) and then its attachments' files."""
    from .actions import check_delete

    # Plain columns, not rows: loaded attachment objects would sit in the session while the
    # database's ON DELETE CASCADE removes them.
    paths = [stored_path(p) for p in db.session.scalars(select(KnowledgeAttachment.path).where(
        KnowledgeAttachment.article_id == article_id, KnowledgeAttachment.company_id == company_id))]
    check_delete(actor_id, company_id, "article", article_id)  # the rows go with it (ON DELETE CASCADE)
    for path in paths:
        path.unlink(missing_ok=True)


def attachment_url(row: KnowledgeAttachment) -> str:
    """Where the company's users download the file."""
    return f"/api/knowledge/attachments/{row.key}"


def attachment_dict(row: KnowledgeAttachment) -> dict[str, Any]:
    """Serialize an attachment for pages and JSON."""
    return {"id": row.id, "key": row.key, "filename": row.filename, "content_type": row.content_type,
            "size": row.size, "url": attachment_url(row)}


bp = Blueprint("knowledge_files", __name__)


@bp.route("/api/knowledge/attachments/<key>")
def download(key: str) -> Any:
    """Hand an article's file to a logged-in user of its company: images inline, the rest downloads."""
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    row = db.session.scalars(select(KnowledgeAttachment).where(KnowledgeAttachment.key == key[:40])).first()
    if row is None or row.company_id != current_user.company_id:
        raise NotFound("not_found")
    path: Path = stored_path(row.path)
    if not path.is_file():
        raise NotFound("not_found")
    return serve(path, row.content_type, row.filename, inline=row.content_type in IMAGE_TYPES)


def init_app(app: Flask) -> None:
    """Register the attachment download route."""
    app.register_blueprint(bp)
