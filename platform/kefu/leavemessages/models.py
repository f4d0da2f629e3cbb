"""A leave message and who it is assigned to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

STATUSES = ("new", "processing", "done")  # 未处理 / 处理中 / 已处理


class LeaveMessage(db.Model):  # type: ignore[name-defined]
    """A message left for the company; the client id makes a resubmission land once."""

    __tablename__ = "leave_message"
    __table_args__ = (
        UniqueConstraint("visitor_id", "client_id", name="uq_leave_message_client_id"),
        Index("ix_leave_message_company_status", "company_id", "status", "created_at"),
        Index("ix_leave_message_agent_status", "agent_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id", ondelete="CASCADE"))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), nullable=True
    )
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_group.id", ondelete="SET NULL"), nullable=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default="new")
    reason: Mapped[str] = mapped_column(String(32), default="visitor_choice")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    content: Mapped[str] = mapped_column(Text, default="")
    client_id: Mapped[str] = mapped_column(String(64))
    decision: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
