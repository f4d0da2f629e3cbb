"""A leave message and who it is assigned to; the forms it is left with and its attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..channels.models import Channel
from ..extensions import db
from ..org.models import SkillGroup, User
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
    # The agents' replies, each also a Message in the visitor's chat: [{message_id, agent_id,
    # client_id, text, at}].
    replies: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    skill_group: Mapped[SkillGroup | None] = relationship()
    agent: Mapped[User | None] = relationship()

FIELD_KINDS = ("text", "phone", "email", "date", "choice", "attachment")


class LeaveForm(db.Model):  # type: ignore[name-defined]
    """A form with configurable fields, for one channel, one skill group or the whole company."""

    __tablename__ = "leave_form"
    __table_args__ = (
        UniqueConstraint("company_id", "name", name="uq_leave_form_name"),
        Index("ix_leave_form_company", "company_id", "enabled"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    name: Mapped[str] = mapped_column(String(80))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel.id", ondelete="SET NULL"), nullable=True
    )
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_group.id", ondelete="SET NULL"), nullable=True
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    guide_zh: Mapped[str] = mapped_column(Text, default="")
    guide_en: Mapped[str] = mapped_column(Text, default="")
    privacy_zh: Mapped[str] = mapped_column(Text, default="")
    privacy_en: Mapped[str] = mapped_column(Text, default="")
    # [{name, kind, label_zh, label_en, required, options}], in display order; the message
    # text itself (content) is always asked after them.
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    channel: Mapped[Channel | None] = relationship()
    skill_group: Mapped[SkillGroup | None] = relationship()

    def __str__(self) -> str:
        return self.name


class LeaveAttachment(db.Model):  # type: ignore[name-defined]
    """A file a visitor uploaded for an attachment field; linked to the message on submission."""

    __tablename__ = "leave_attachment"
    __table_args__ = (
        Index("ix_leave_attachment_message", "leave_message_id"),
        Index("ix_leave_attachment_visitor", "visitor_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id", ondelete="CASCADE"))
    leave_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("leave_message.id", ondelete="CASCADE"), nullable=True
    )
    field: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(255))  # relative to the upload directory
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
