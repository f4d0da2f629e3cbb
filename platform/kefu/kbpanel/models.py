"""Favourites (收藏) of the workbench's knowledge panel: one row per agent and entry or article."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class KnowledgeFavourite(db.Model):  # type: ignore[name-defined]
    """An agent's bookmark on a Q&A entry or an article; gone with the agent or the item."""

    __tablename__ = "knowledge_favourite"
    __table_args__ = (
        UniqueConstraint("user_id", "entry_id", name="uq_knowledge_favourite_user_entry"),
        UniqueConstraint("user_id", "article_id", name="uq_knowledge_favourite_user_article"),
        CheckConstraint("(entry_id IS NULL) <> (article_id IS NULL)",
                        name="ck_knowledge_favourite_one_item"),
        Index("ix_knowledge_favourite_user_created", "user_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_entry.id", ondelete="CASCADE"), nullable=True, index=True
    )
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_article.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
