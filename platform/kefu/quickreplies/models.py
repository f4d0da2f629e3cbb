"""Quick replies (快捷回复): the company library (no owner) and each agent's own, in groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

TITLE_MAX = 120
TEXT_MAX = 5000
GROUP_NAME_MAX = 60
# An agent's own library is for their phrases, not a dump: a bound keeps the picker instant.
PERSONAL_MAX = 500
PERSONAL_GROUPS_MAX = 50


class QuickReplyGroup(db.Model):  # type: ignore[name-defined]
    """A group (分组) of quick replies in the company library or in one agent's library."""

    __tablename__ = "quick_reply_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(GROUP_NAME_MAX))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __str__(self) -> str:
        return self.name


class QuickReply(db.Model):  # type: ignore[name-defined]
    """A canned answer an agent inserts into the composer, edits, then sends."""

    __tablename__ = "quick_reply"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("quick_reply_group.id", ondelete="SET NULL"), nullable=True, index=True
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    text: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __str__(self) -> str:
        return self.title
