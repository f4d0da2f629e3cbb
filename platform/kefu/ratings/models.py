"""Rating schemes (global or per skill group) and the visitors' ratings of conversations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..org.models import SkillGroup, User
from ..timeutil import UTCDateTime, utcnow

SCALES = ("stars5", "score10")
COMMENT_MODES = ("hidden", "optional", "required")
SOURCES = ("agent", "close", "rule", "visitor")
COMMENT_MAX = 500


class RatingScheme(db.Model):  # type: ignore[name-defined]
    """How visitors rate: the company's global scheme (no group) or one skill group's."""

    __tablename__ = "rating_scheme"
    __table_args__ = (Index("ix_rating_scheme_company_group", "company_id", "skill_group_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    # None: the company's global scheme; a group's own scheme wins over it.
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_group.id", ondelete="CASCADE"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(120), default="")
    scale: Mapped[str] = mapped_column(String(16), default="stars5")  # stars5 | score10
    # {"5": {"zh": "非常满意", "en": "Very satisfied"}, …}; a score without one uses the default.
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # {"1": ["态度差", "回复慢"], …}: the tags a visitor may pick for that score.
    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tags_required: Mapped[bool] = mapped_column(Boolean, default=False)
    comment_mode: Mapped[str] = mapped_column(String(16), default="optional")
    ask_solved: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    invite_text_zh: Mapped[str] = mapped_column(String(500), default="")
    invite_text_en: Mapped[str] = mapped_column(String(500), default="")
    thanks_text_zh: Mapped[str] = mapped_column(String(500), default="")
    thanks_text_en: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    skill_group: Mapped[SkillGroup | None] = relationship()

    def __str__(self) -> str:
        return self.name or f"scheme {self.id}"


class Rating(db.Model):  # type: ignore[name-defined]
    """A visitor's rating of a conversation, attributed to the last agent who held it."""

    __tablename__ = "rating"
    __table_args__ = (
        # A replayed submission (same client id) finds the stored rating instead of a second one.
        UniqueConstraint("conversation_id", "client_id", name="uq_rating_client_id"),
        Index("ix_rating_conversation", "conversation_id", "id"),
        Index("ix_rating_agent_created", "agent_id", "created_at"),
        Index("ix_rating_company_created", "company_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    # Every agent who held the chat, in order (a transferred chat names each of them once).
    agent_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_group.id", ondelete="SET NULL"), nullable=True
    )
    scheme_id: Mapped[int | None] = mapped_column(
        ForeignKey("rating_scheme.id", ondelete="SET NULL"), nullable=True
    )
    scale: Mapped[str] = mapped_column(String(16), default="stars5")
    score: Mapped[int] = mapped_column(Integer)
    solved: Mapped[int] = mapped_column(Integer, default=-1)  # 1 yes, 0 no, -1 not answered
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="visitor")  # which invitation
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agent: Mapped[User | None] = relationship()
    skill_group: Mapped[SkillGroup | None] = relationship()
