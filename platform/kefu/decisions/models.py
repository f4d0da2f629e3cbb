"""Ruleset versions per company and decision point, the published pointer, failures, deadlines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class RulesetVersion(db.Model):  # type: ignore[name-defined]
    """One immutable version of a company's ruleset for a decision point."""

    __tablename__ = "ruleset_version"
    __table_args__ = (UniqueConstraint("company_id", "point", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    point: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(16), default="editor")  # shipped|editor|import|rollback
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Ruleset(db.Model):  # type: ignore[name-defined]
    """A company's ruleset for one decision point: the published version and the working draft."""

    __tablename__ = "ruleset"
    __table_args__ = (UniqueConstraint("company_id", "point"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    point: Mapped[str] = mapped_column(String(32))
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("ruleset_version.id", ondelete="SET NULL"), nullable=True
    )
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    draft_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    published: Mapped[RulesetVersion | None] = relationship()


class RuleFailure(db.Model):  # type: ignore[name-defined]
    """An evaluation that failed and fell back to the point's default decision."""

    __tablename__ = "rule_failure"
    __table_args__ = (Index("ix_rule_failure_company_created", "company_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    point: Mapped[str] = mapped_column(String(32))
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConversationDeadline(db.Model):  # type: ignore[name-defined]
    """A timed step the session rules set (remind, close, alert, transfer, invite rating).

    Stored, not held in memory, so a restart loses none; a sweep fires the due ones.
    """

    __tablename__ = "conversation_deadline"
    __table_args__ = (
        Index("ix_deadline_due", "due_at"),
        Index("ix_deadline_conversation", "conversation_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rule_id: Mapped[str] = mapped_column(String(40), default="")
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
