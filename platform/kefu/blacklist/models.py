"""Blacklist (黑名单): visitors kept away from human agents for a while."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..org.models import User
from ..timeutil import UTCDateTime, utcnow
from ..visitors.models import Visitor

# duration code -> days (None: permanent)
DURATIONS: dict[str, int | None] = {"1d": 1, "7d": 7, "30d": 30, "permanent": None}
REASON_MAX = 200


class BlacklistEntry(db.Model):  # type: ignore[name-defined]
    """One blacklisting of a visitor: why, by whom, until when, and whether it was lifted."""

    __tablename__ = "blacklist_entry"
    __table_args__ = (Index("ix_blacklist_company_visitor", "company_id", "visitor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id", ondelete="CASCADE"))
    # The chat it was done from (ended as "blacklisted"); kept when that chat is deleted.
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    duration: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lifted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )

    visitor: Mapped[Visitor] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])

    def is_active(self, now: datetime) -> bool:
        """Whether the entry still keeps the visitor away at `now`."""
        return self.lifted_at is None and (self.expires_at is None or self.expires_at > now)

    def __str__(self) -> str:
        return f"#{self.id}"
