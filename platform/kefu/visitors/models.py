"""Visitors (customers) and their per-channel identities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class Visitor(db.Model):  # type: ignore[name-defined]
    """A customer of a company, across all channels."""

    __tablename__ = "visitor"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    vip_level: Mapped[int] = mapped_column(Integer, default=0)
    custom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remark: Mapped[str] = mapped_column(String(1000), default="")
    # Visits: an opening of the widget after 30 minutes away starts a new one (visitors/pageviews.py).
    visit_count: Mapped[int] = mapped_column(Integer, default=0)
    # The latest visit's source (page, referrer, UTM, device, IP, language): copied onto the
    # conversation its next first message opens.
    last_context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    identities: Mapped[list[VisitorIdentity]] = relationship(back_populates="visitor")

    def __str__(self) -> str:
        return self.name or f"#{self.id}"


class VisitorIdentity(db.Model):  # type: ignore[name-defined]
    """A visitor's id on one channel (widget uid, WhatsApp BSUID, LINE user id …)."""

    __tablename__ = "visitor_identity"
    __table_args__ = (UniqueConstraint("channel_id", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    visitor: Mapped[Visitor] = relationship(back_populates="identities")
