"""Summary categories (business unit → type), conversation summaries and per-agent stars."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

# 处理状态: a fixed set so statistics can count them.
SUMMARY_STATUSES = ("solved", "unsolved", "following")
MAX_TYPES = 3
REMARK_MAX = 1000


class SummaryCategory(db.Model):  # type: ignore[name-defined]
    """A business unit (no parent) or a summary type under one (two levels, no deeper)."""

    __tablename__ = "summary_category"
    __table_args__ = (Index("ix_summary_category_company_parent", "company_id", "parent_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("summary_category.id", ondelete="CASCADE"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60), default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[SummaryCategory | None] = relationship(remote_side="SummaryCategory.id")

    def __str__(self) -> str:
        if self.parent is not None:
            return f"{self.parent.name} / {self.name}"
        return self.name


class ConversationSummary(db.Model):  # type: ignore[name-defined]
    """The service summary of one conversation: types, 处理状态, remark, invalid flag."""

    __tablename__ = "conversation_summary"
    __table_args__ = (
        UniqueConstraint("conversation_id", name="uq_summary_conversation"),
        Index("ix_summary_company_created", "company_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    # Who wrote it first and who changed it last (an agent or a manager).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    type_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="solved")  # one of SUMMARY_STATUSES
    remark: Mapped[str] = mapped_column(Text, default="")
    invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ConversationStar(db.Model):  # type: ignore[name-defined]
    """An agent's star on a conversation (星标), private to that agent."""

    __tablename__ = "conversation_star"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id", name="uq_star_conversation_user"),
                      Index("ix_star_user_created", "user_id", "created_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
