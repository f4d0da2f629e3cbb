"""Orders (订单) an agent records against a conversation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

ORDER_STATUSES = ("pending", "paid", "shipped", "completed", "cancelled", "refunded")
NUMBER_MAX = 64


class ConversationOrder(db.Model):  # type: ignore[name-defined]
    """One order number recorded on one conversation; re-recording it updates it."""

    __tablename__ = "conversation_order"
    __table_args__ = (
        UniqueConstraint("conversation_id", "number", name="uq_order_conversation_number"),
        Index("ix_order_company_created", "company_id", "created_at"),
        Index("ix_order_agent_created", "agent_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    number: Mapped[str] = mapped_column(String(NUMBER_MAX))
    # Exact money: Numeric, never float; the currency says what unit.
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # one of ORDER_STATUSES
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
