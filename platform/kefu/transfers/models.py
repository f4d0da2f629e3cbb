"""Colleagues in a conversation besides its owner: invited helpers (邀请协助) and silent watchers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

ROLES = ("helper", "watcher")


class ConversationParticipant(db.Model):  # type: ignore[name-defined]
    """One colleague's stay in a conversation; `left_at` is set when they leave or it ends."""

    __tablename__ = "conversation_participant"
    __table_args__ = (
        Index("ix_participant_conversation", "conversation_id", "left_at"),
        Index("ix_participant_user", "user_id", "left_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # helper | watcher
    invited_by: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
