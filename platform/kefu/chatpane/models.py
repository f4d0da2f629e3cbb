"""Read high-water marks per conversation and the company's sensitive words."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

SCOPES = ("agent", "visitor")


class ReadMark(db.Model):  # type: ignore[name-defined]
    """How far each side has read a conversation: one row per conversation, not per message."""

    __tablename__ = "read_mark"
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    agent_read_id: Mapped[int] = mapped_column(Integer, default=0)
    visitor_read_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SensitiveWord(db.Model):  # type: ignore[name-defined]
    """A word agents may not send (scope agent) or that flags a visitor message (scope visitor)."""

    __tablename__ = "sensitive_word"
    __table_args__ = (UniqueConstraint("company_id", "scope", "word", name="uq_sensitive_word"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    scope: Mapped[str] = mapped_column(String(16), default="agent")  # one of SCOPES
    word: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __str__(self) -> str:
        return self.word
