"""Robots (several per company), their sessions with a conversation, and every answer they give."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

OUTCOMES = ("answered", "suggested", "unknown", "greeting", "chitchat", "transfer")
FEEDBACKS = ("useful", "useless")
# The reasons a visitor picks after 没用 (or types their own, up to REASON_MAX characters).
REASONS = ("not_answered", "unclear", "wrong", "want_human")
NAME_MAX = 60
TEXT_MAX = 1000
REASON_MAX = 200
KEYWORD_MAX = 30  # characters of one transfer keyword
KEYWORDS_MAX = 30  # keywords per robot
DEFAULT_KEYWORDS = ["转人工", "人工", "人工客服", "human", "agent"]
# Calibrated on seed_data/knowledge_eval.yaml (see robot/answer.py and tests/robot).
DEFAULT_CONFIDENT = 0.5
DEFAULT_SUGGEST = 0.2


class Robot(db.Model):  # type: ignore[name-defined]
    """A robot persona: its texts, how sure it must be to answer, and when it hands over."""

    __tablename__ = "robot"
    __table_args__ = (Index("ix_robot_company", "company_id", "enabled"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))  # internal name (console, rules)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")  # shown to visitors
    avatar_url: Mapped[str] = mapped_column(String(500), default="")
    greeting: Mapped[str] = mapped_column(Text, default="")
    greeting_en: Mapped[str] = mapped_column(Text, default="")
    unknown_text: Mapped[str] = mapped_column(Text, default="")
    unknown_text_en: Mapped[str] = mapped_column(Text, default="")
    suggest_intro: Mapped[str] = mapped_column(String(200), default="")
    suggest_intro_en: Mapped[str] = mapped_column(String(200), default="")
    # Scores are the search's relevance normalised to 0..1 (robot/answer.py: confidence()).
    confident_score: Mapped[float] = mapped_column(Float, default=DEFAULT_CONFIDENT)
    suggest_score: Mapped[float] = mapped_column(Float, default=DEFAULT_SUGGEST)
    show_transfer_button: Mapped[bool] = mapped_column(Boolean, default=True)
    transfer_keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Hand over after this many unknown answers in a row; 0: never by count.
    transfer_after_unknown: Mapped[int] = mapped_column(Integer, default=2)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.name


class RobotSession(db.Model):  # type: ignore[name-defined]
    """Which robot serves a conversation and how many unknown answers it gave in a row."""

    __tablename__ = "robot_session"
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    robot_id: Mapped[int | None] = mapped_column(
        ForeignKey("robot.id", ondelete="SET NULL"), nullable=True
    )
    mode: Mapped[str] = mapped_column(String(16), default="robot_first")  # or robot_only
    unknown_streak: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RobotAnswer(db.Model):  # type: ignore[name-defined]
    """One thing the robot said to a visitor's question (or a transfer), and the visitor's verdict."""

    __tablename__ = "robot_answer"
    __table_args__ = (
        Index("ix_robot_answer_company_created", "company_id", "created_at"),
        Index("ix_robot_answer_robot_created", "robot_id", "created_at"),
        Index("ix_robot_answer_conversation", "conversation_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    robot_id: Mapped[int | None] = mapped_column(
        ForeignKey("robot.id", ondelete="SET NULL"), nullable=True
    )
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    question: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16))  # one of OUTCOMES
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_entry.id", ondelete="SET NULL"), nullable=True
    )
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The robot's message that carried this answer (feedback names the answer by it).
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("message.id", ondelete="SET NULL"), nullable=True
    )
    suggested_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    feedback: Mapped[str | None] = mapped_column(String(16), nullable=True)  # one of FEEDBACKS
    feedback_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
