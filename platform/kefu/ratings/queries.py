"""Reads about ratings: who a rating is attributed to, earlier ratings, what agents may see."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..conversations.models import ConversationEvent, ConversationSegment
from ..extensions import db
from ..settings.queries import company_settings
from .models import Rating


def agent_chain(conversation_id: int) -> tuple[int | None, list[int], int | None]:
    """Return (last agent, every agent in the order they held the chat, the last agent's group)."""
    rows = db.session.execute(
        select(ConversationSegment.agent_id, ConversationSegment.skill_group_id)
        .where(ConversationSegment.conversation_id == conversation_id,
               ConversationSegment.agent_id.is_not(None))
        .order_by(ConversationSegment.id)
    ).all()
    chain: list[int] = []
    for agent_id, _group in rows:
        if agent_id is not None and agent_id not in chain:
            chain.append(agent_id)
    if not rows:
        return None, [], None
    return rows[-1][0], chain, rows[-1][1]


def conversation_ratings(conversation_id: int) -> list[Rating]:
    """A conversation's ratings, oldest first."""
    return list(db.session.scalars(
        select(Rating).where(Rating.conversation_id == conversation_id).order_by(Rating.id)
    ))


def is_rated(conversation_id: int) -> bool:
    """Tell whether a conversation has a rating."""
    return db.session.scalar(
        select(Rating.id).where(Rating.conversation_id == conversation_id).limit(1)
    ) is not None


def rating_by_client_id(conversation_id: int, client_id: str) -> Rating | None:
    """The rating a client already stored under this id."""
    return db.session.scalars(
        select(Rating).where(Rating.conversation_id == conversation_id,
                             Rating.client_id == client_id)
    ).first()


def last_invitation_at(conversation_id: int) -> datetime | None:
    """When the visitor was last invited to rate this conversation."""
    return db.session.scalar(
        select(ConversationEvent.created_at)
        .where(ConversationEvent.conversation_id == conversation_id,
               ConversationEvent.kind == "rating_invited")
        .order_by(ConversationEvent.id.desc()).limit(1)
    )


def visible_ratings(agent_id: int, company_id: int, conversation_ids: list[int]) -> list[Rating]:
    """The ratings an agent may see among these conversations (none if the company hides them)."""
    if not conversation_ids or not company_settings(company_id).agents_see_ratings:
        return []
    return list(db.session.scalars(
        select(Rating).where(Rating.conversation_id.in_(conversation_ids),
                             Rating.agent_id == agent_id, Rating.company_id == company_id)
        .order_by(Rating.id)
    ))
