"""Reads about conversations and messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import Conversation, ConversationSegment, Message


def latest_conversation(visitor_id: int, channel_id: int) -> Conversation | None:
    """Return the visitor's most recent conversation on a channel, open or not."""
    return db.session.scalars(
        select(Conversation)
        .where(Conversation.visitor_id == visitor_id, Conversation.channel_id == channel_id)
        .order_by(Conversation.id.desc())
        .limit(1)
    ).first()


def messages_after(conversation_ids: Sequence[int], after_id: int, limit: int = 500) -> list[Message]:
    """Return messages of the conversations with id > after_id, oldest first.

    Past `limit`, the newest ones: a screen that was away for long needs the latest messages.
    """
    if not conversation_ids:
        return []
    newest = db.session.scalars(
        select(Message)
        .where(Message.conversation_id.in_(conversation_ids), Message.id > after_id)
        .order_by(Message.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(newest))


def recent_messages(conversation_id: int, limit: int = 50) -> list[Message]:
    """Return the last `limit` messages of a conversation, oldest first."""
    rows = db.session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def in_group(skill_group_id: int | None) -> Any:
    """The condition for conversations of a skill group (or of none)."""
    if skill_group_id is None:
        return Conversation.skill_group_id.is_(None)
    return Conversation.skill_group_id == skill_group_id


# Queue order, the same everywhere: priority first, then arrival.
QUEUE_ORDER = (Conversation.priority.desc(), Conversation.queued_at, Conversation.id)


def queue_position(conv: Conversation) -> int:
    """Return the 1-based place of a queued conversation in its group's queue."""
    if conv.status != "queued" or conv.queued_at is None:
        return 0
    ahead = db.session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.company_id == conv.company_id,
            in_group(conv.skill_group_id),
            Conversation.status == "queued",
            or_(
                Conversation.priority > conv.priority,
                and_(Conversation.priority == conv.priority,
                     or_(Conversation.queued_at < conv.queued_at,
                         and_(Conversation.queued_at == conv.queued_at,
                              Conversation.id < conv.id))),
            ),
        )
    )
    return int(ahead or 0) + 1


def queued_in_group(company_id: int, skill_group_id: int | None) -> list[tuple[int, int]]:
    """Return (conversation id, visitor id) of a group's queue, in queue order."""
    rows = db.session.execute(
        select(Conversation.id, Conversation.visitor_id)
        .where(Conversation.company_id == company_id, in_group(skill_group_id),
               Conversation.status == "queued")
        .order_by(*QUEUE_ORDER)
        .limit(500)
    ).all()
    return [(r[0], r[1]) for r in rows]


def agent_open_conversations(agent_id: int) -> list[Conversation]:
    """Return an agent's active conversations, newest activity first."""
    return list(
        db.session.scalars(
            select(Conversation)
            .options(joinedload(Conversation.visitor), joinedload(Conversation.channel),
                     joinedload(Conversation.agent))
            .where(Conversation.agent_id == agent_id, Conversation.status == "active")
            .order_by(Conversation.last_message_at.desc().nulls_last(), Conversation.id.desc())
        )
    )


def conversations_by_ids(company_id: int | None, ids: list[int]) -> list[Conversation]:
    """Return a company's conversations among `ids`."""
    if not ids or company_id is None:
        return []
    return list(db.session.scalars(
        select(Conversation).where(Conversation.company_id == company_id,
                                   Conversation.id.in_(ids))
    ))


def last_agent(visitor_id: int, exclude_conversation: int | None = None,
               since: datetime | None = None) -> int | None:
    """The agent who last served this visitor (assigned since `since`, if given)."""
    query = (
        select(Conversation.agent_id)
        .where(Conversation.visitor_id == visitor_id, Conversation.agent_id.is_not(None))
        .order_by(Conversation.assigned_at.desc(), Conversation.id.desc())
        .limit(1)
    )
    if since is not None:
        query = query.where(Conversation.assigned_at >= since)
    if exclude_conversation is not None:
        query = query.where(Conversation.id != exclude_conversation)
    return db.session.scalar(query)


def current_segment(conversation_id: int) -> ConversationSegment | None:
    """The segment of the agent holding a conversation now (None when nobody does)."""
    return db.session.scalars(
        select(ConversationSegment)
        .where(ConversationSegment.conversation_id == conversation_id,
               ConversationSegment.ended_at.is_(None))
        .order_by(ConversationSegment.id.desc())
        .limit(1)
    ).first()
