"""Reads about conversations and messages."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from ..extensions import db
from .models import OPEN_STATUSES, Conversation, Message


def open_conversation(visitor_id: int, channel_id: int) -> Conversation | None:
    """Return the visitor's open conversation on a channel, if any."""
    return db.session.scalars(
        select(Conversation)
        .where(
            Conversation.visitor_id == visitor_id,
            Conversation.channel_id == channel_id,
            Conversation.status.in_(OPEN_STATUSES),
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    ).first()


def latest_conversation(visitor_id: int, channel_id: int) -> Conversation | None:
    """Return the visitor's most recent conversation on a channel, open or not."""
    return db.session.scalars(
        select(Conversation)
        .where(Conversation.visitor_id == visitor_id, Conversation.channel_id == channel_id)
        .order_by(Conversation.id.desc())
        .limit(1)
    ).first()


def messages_after(conversation_ids: Sequence[int], after_id: int, limit: int = 500) -> list[Message]:
    """Return messages of the conversations with id > after_id, oldest first."""
    if not conversation_ids:
        return []
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.conversation_id.in_(conversation_ids), Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
        )
    )


def recent_messages(conversation_id: int, limit: int = 50) -> list[Message]:
    """Return the last `limit` messages of a conversation, oldest first."""
    rows = db.session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def queue_position(conv: Conversation) -> int:
    """Return the 1-based place of a queued conversation in its group's queue."""
    if conv.status != "queued" or conv.queued_at is None:
        return 0
    ahead = db.session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.company_id == conv.company_id,
            Conversation.skill_group_id.is_(None)
            if conv.skill_group_id is None
            else Conversation.skill_group_id == conv.skill_group_id,
            Conversation.status == "queued",
            Conversation.queued_at < conv.queued_at,
        )
    )
    return int(ahead or 0) + 1


def agent_open_conversations(agent_id: int) -> list[Conversation]:
    """Return an agent's active conversations, newest activity first."""
    return list(
        db.session.scalars(
            select(Conversation)
            .where(Conversation.agent_id == agent_id, Conversation.status == "active")
            .order_by(Conversation.last_message_at.desc().nulls_last(), Conversation.id.desc())
        )
    )
