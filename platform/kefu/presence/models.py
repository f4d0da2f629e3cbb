"""Busy reasons, status-change requests and the durable part of agent presence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

# Who caused a status change, kept on every AgentStatusLog row for the work-log statistics.
SOURCES = ("self", "admin", "approval", "presence", "system")
REQUEST_STATES = ("pending", "approved", "rejected", "cancelled")


class BusyReason(db.Model):  # type: ignore[name-defined]
    """An admin-defined reason an agent can give for being busy (小休, 会议, 培训 …)."""

    __tablename__ = "busy_reason"
    __table_args__ = (UniqueConstraint("company_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def label(self, lang: str = "zh") -> str:
        """Name in the reader's language (the Chinese name when no English one is set)."""
        return self.name_en if lang.startswith("en") and self.name_en else self.name

    def __str__(self) -> str:
        return self.name


class StatusRequest(db.Model):  # type: ignore[name-defined]
    """An agent's status change waiting for an admin (客服状态切换审核)."""

    __tablename__ = "status_request"
    __table_args__ = (Index("ix_status_request_company_state", "company_id", "state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    old_status: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    busy_reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("busy_reason.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(String(50), default="")
    state: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.old_status} → {self.status} ({self.state})"


class AgentPresence(db.Model):  # type: ignore[name-defined]
    """One row per agent who has connected: the durable offline deadline after a dropped link.

    Live connections themselves are tracked in memory or Redis (presence.live); only the
    deadline is here, so it survives a restart and any process can fire it.
    """

    __tablename__ = "agent_presence"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    offline_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    disconnected_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
