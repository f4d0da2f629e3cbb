"""Who still has the chat page open: live widget sockets per visitor and channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime


class VisitorPresence(db.Model):  # type: ignore[name-defined]
    """How many live widget sockets a visitor has on a channel, for "closed the chat page"."""

    __tablename__ = "visitor_presence"
    __table_args__ = (UniqueConstraint("visitor_id", "channel_id", name="uq_visitor_presence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    sockets: Mapped[int] = mapped_column(Integer, default=0)
    # When the count last dropped to zero: the page-closed job compares it with its own start.
    gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
