"""Conversations, their per-agent segments, messages and timeline events (ratings: kefu.ratings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..channels.models import Channel
from ..extensions import db
from ..org.models import SkillGroup, User
from ..timeutil import UTCDateTime, utcnow
from ..visitors.models import Visitor

STATUSES = ("robot", "queued", "active", "closed")
OPEN_STATUSES = ("robot", "queued", "active")
# Sobot's offline_type list, plus the visitor-side and system reasons it shows.
END_REASONS = (
    "agent_offline",  # 1 客服离线
    "agent_removed",  # 2 客户被客服移除 (agent ended the chat)
    "blacklisted",  # 3 客户被客服加入黑名单
    "visitor_timeout",  # 4 客户会话超时
    "visitor_closed",  # 5 客户关闭了聊天页面
    "visitor_new_page",  # 6 客户打开新的页面
    "queue_abandoned",  # 排队自动断开结束会话
    "leave_message",  # 留言结束会话
    "rated_exit",  # 提交评价后会话结束
    "system",  # closed by an operator or maintenance
)
SENDER_KINDS = ("visitor", "agent", "robot", "system")
CONTENT_TYPES = ("text", "image", "file", "card", "event")


class Conversation(db.Model):  # type: ignore[name-defined]
    """One chat between a visitor and the company, from opening to close."""

    __tablename__ = "conversation"
    __table_args__ = (
        Index("ix_conversation_company_status", "company_id", "status"),
        Index("ix_conversation_queue", "company_id", "skill_group_id", "status", "queued_at"),
        Index("ix_conversation_agent_status", "agent_id", "status"),
        Index("ix_conversation_created", "company_id", "created_at"),
        Index("ix_conversation_visitor", "visitor_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id"))
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_group.id", ondelete="SET NULL"), nullable=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default="queued")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Who spoke last (visitor | agent): whose turn it is, for the session rules' clocks.
    last_sender: Mapped[str] = mapped_column(String(16), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Seconds waited by a chat that left the queue unserved (排队放弃 or a leave message instead).
    queue_wait_seconds: Mapped[float | None] = mapped_column(nullable=True)
    # Source context captured when the chat opened (feeds reception and routing rules later).
    page_url: Mapped[str] = mapped_column(String(2048), default="")
    referrer: Mapped[str] = mapped_column(String(2048), default="")
    utm: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    device: Mapped[str] = mapped_column(String(32), default="")
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    language: Mapped[str] = mapped_column(String(16), default="")
    metrics_done: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the reception and routing rules decided: mode, strategy, designated agent …
    reception_mode: Mapped[str] = mapped_column(String(16), default="")
    routing: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Colleagues besides the owner who get its events (helpers, watchers): read with the row on
    # the message path, so delivering to them costs no query (transfers.models has the details).
    participant_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    channel: Mapped[Channel] = relationship()
    visitor: Mapped[Visitor] = relationship()
    skill_group: Mapped[SkillGroup | None] = relationship()
    agent: Mapped[User | None] = relationship()
    segments: Mapped[list[ConversationSegment]] = relationship(
        back_populates="conversation", order_by="ConversationSegment.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __str__(self) -> str:
        return f"#{self.id}"


class ConversationSegment(db.Model):  # type: ignore[name-defined]
    """The part of a conversation one agent handled: the unit of per-agent metrics."""

    __tablename__ = "conversation_segment"
    __table_args__ = (
        Index("ix_segment_agent_assigned", "agent_id", "assigned_at"),
        Index("ix_segment_company_assigned", "company_id", "assigned_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_group.id", ondelete="SET NULL"), nullable=True
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # closed | transferred
    # Filled by the metrics job after close.
    queue_seconds: Mapped[float | None] = mapped_column(nullable=True)
    first_response_seconds: Mapped[float | None] = mapped_column(nullable=True)
    avg_response_seconds: Mapped[float | None] = mapped_column(nullable=True)
    duration_seconds: Mapped[float | None] = mapped_column(nullable=True)
    visitor_messages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    agent_messages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_valid: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    conversation: Mapped[Conversation] = relationship(back_populates="segments")


class Message(db.Model):  # type: ignore[name-defined]
    """One message; ids increase, so `after_id` resumes a client that reconnects."""

    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("conversation_id", "client_msg_id", name="uq_message_client_id"),
        UniqueConstraint("channel_id", "external_id", name="uq_message_external_id"),
        Index("ix_message_conversation_id", "conversation_id", "id"),
        Index("ix_message_company_created", "company_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    sender_kind: Mapped[str] = mapped_column(String(16))
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    content_type: Mapped[str] = mapped_column(String(16), default="text")
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_msg_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConversationEvent(db.Model):  # type: ignore[name-defined]
    """A timeline entry: queued, assigned, transferred, closed, decisions made."""

    __tablename__ = "conversation_event"
    __table_args__ = (Index("ix_conv_event_conversation", "conversation_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# An agent's live load, derived rather than stored (a counter would drift). Deferred: lists
# that show it load it in their own query with undefer().
User.active_chats = column_property(  # type: ignore[attr-defined]
    select(func.count(Conversation.id))
    .where(Conversation.agent_id == User.id, Conversation.status == "active")
    .correlate_except(Conversation)
    .scalar_subquery(),
    deferred=True,
)
