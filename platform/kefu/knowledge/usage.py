"""Knowledge usage log (知识使用统计): one row per search by an agent, the robot or a visitor."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from .tokens import fold

SOURCES = ("agent", "robot", "visitor")
LOG_QUERY_MAX = 200
_SPACES = re.compile(r"\s+")


class KnowledgeSearchLog(db.Model):  # type: ignore[name-defined]
    """One knowledge search: who searched (source), the folded query, how many documents it found."""

    __tablename__ = "knowledge_search_log"
    __table_args__ = (
        # Searches per day, source and hit over a date range, read from the index alone.
        Index("ix_knowledge_search_log_company_created", "company_id", "created_at", "source", "hits"),
        # The no-hit list: hits = 0 within a date range, grouped by query (covering as well).
        Index("ix_knowledge_search_log_company_hits", "company_id", "hits", "created_at", "query"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    source: Mapped[str] = mapped_column(String(16))  # one of SOURCES
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), nullable=True
    )
    query: Mapped[str] = mapped_column(String(LOG_QUERY_MAX))
    hits: Mapped[int] = mapped_column(Integer, default=0)
    # No foreign key: a document may be deleted while the searcher's transaction is still open,
    # and the log must never make that search fail.
    top_doc_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def normalize_query(query: str) -> str:
    """Fold (width, case, traditional) and squeeze spaces so the same question groups as one."""
    return _SPACES.sub(" ", fold(query[: LOG_QUERY_MAX * 2])).strip()[:LOG_QUERY_MAX].strip()


def do_log_search(company_id: int, source: str, query: str, hits: int, *,
                  user_id: int | None = None, conversation_id: int | None = None,
                  top_doc_id: int | None = None) -> None:
    """Add one search to the current session without committing; the caller's commit writes it."""
    if source not in SOURCES:
        raise ValueError(f"unknown knowledge search source: {source!r}")
    text = normalize_query(query or "")
    if not text:  # an empty box is browsing, not a question anyone asked
        return
    db.session.add(KnowledgeSearchLog(
        company_id=company_id, source=source, user_id=user_id, conversation_id=conversation_id,
        query=text, hits=max(0, int(hits)), top_doc_id=top_doc_id, created_at=utcnow(),
    ))
