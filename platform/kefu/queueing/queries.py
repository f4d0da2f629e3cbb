"""Reads of the queue: the limits that apply, capacity and handle times for the wait estimate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from ..conversations.models import Conversation, ConversationSegment
from ..conversations.queries import in_group
from ..decisions.models import ConversationDeadline
from ..extensions import db
from ..org.models import SkillGroup, SkillGroupMember, User
from ..settings.queries import company_settings
from ..timeutil import utcnow
from . import policy

# Handle times older than this say little about today's traffic.
HISTORY_DAYS = 7
HISTORY_SAMPLES = 50
# The queue's deadline kinds (decisions.models.ConversationDeadline): the max wait, then the answer.
WAIT = "queue_wait"
ANSWER = "queue_answer"
KINDS = (WAIT, ANSWER)


def limits_for(conv: Conversation) -> policy.Limits:
    """The queue limits of a conversation: its routing rules, its group's override, the company's."""
    settings = company_settings(conv.company_id)
    group: tuple[int | None, int | None] = (None, None)
    if conv.skill_group_id is not None:
        row = db.session.execute(
            select(SkillGroup.queue_max_length, SkillGroup.queue_max_wait_seconds)
            .where(SkillGroup.id == conv.skill_group_id)
        ).first()
        if row is not None:
            group = (row[0], row[1])
    return policy.effective_limits(
        (int(settings.queue_max_length or 0), int(settings.queue_max_wait_seconds or 0)), group,
        conv.routing or {},
    )


def queued_count(company_id: int, skill_group_id: int | None, exclude: int | None = None) -> int:
    """How many conversations wait in a group's queue (besides `exclude`)."""
    query = select(func.count(Conversation.id)).where(
        Conversation.company_id == company_id, in_group(skill_group_id),
        Conversation.status == "queued",
    )
    if exclude is not None:
        query = query.where(Conversation.id != exclude)
    return int(db.session.scalar(query) or 0)


def older_waiting(conv: Conversation) -> bool:
    """Whether a conversation that must be served first still waits in this one's queue.

    Those ahead in queue order, except the ones only their designated agent may take (they
    never hold up their group). A newcomer must not overtake them.
    """
    from ..routing.assign import waits_for_designated

    queued_at = conv.queued_at or conv.created_at
    rows = db.session.scalars(
        select(Conversation.routing).where(
            Conversation.company_id == conv.company_id, in_group(conv.skill_group_id),
            Conversation.status == "queued", Conversation.id != conv.id,
            or_(Conversation.priority > conv.priority,
                and_(Conversation.priority == conv.priority,
                     or_(Conversation.queued_at < queued_at,
                         and_(Conversation.queued_at == queued_at, Conversation.id < conv.id)))),
        ).limit(20)
    ).all()
    return any(not waits_for_designated(r) for r in rows)


def capacity(company_id: int, skill_group_id: int | None) -> int:
    """Chat slots of the group's online agents (the whole company's when there is no group)."""
    query = select(func.coalesce(func.sum(User.max_concurrent), 0)).where(
        User.company_id == company_id, User.status == "online",
        User.is_active_account.is_(True), User.max_concurrent > 0,
    )
    if skill_group_id is not None:
        query = query.join(SkillGroupMember, and_(SkillGroupMember.user_id == User.id,
                                                  SkillGroupMember.skill_group_id == skill_group_id))
    return int(db.session.scalar(query) or 0)


def handle_seconds(company_id: int, skill_group_id: int | None) -> float:
    """The group's recent handle time per chat (seconds), the default until there is history."""
    since = utcnow() - timedelta(days=HISTORY_DAYS)
    query = (
        select(ConversationSegment.assigned_at, ConversationSegment.ended_at)
        .where(ConversationSegment.company_id == company_id,
               ConversationSegment.assigned_at >= since,
               ConversationSegment.ended_at.is_not(None))
        .order_by(ConversationSegment.assigned_at.desc())
        .limit(HISTORY_SAMPLES)
    )
    if skill_group_id is not None:
        query = query.where(ConversationSegment.skill_group_id == skill_group_id)
    samples = [(end - start).total_seconds() for start, end in db.session.execute(query).all()
               if end is not None]
    return policy.mean_handle(samples)


class Estimator:
    """The wait estimate of one group's queue, read once for several positions."""

    def __init__(self, company_id: int, skill_group_id: int | None) -> None:
        self.capacity = capacity(company_id, skill_group_id)
        self.handle = handle_seconds(company_id, skill_group_id) if self.capacity else 0.0

    def eta(self, position: int) -> int | None:
        """Estimated seconds of wait at `position` (None when nobody online can serve)."""
        return policy.estimate_wait(position, self.capacity, self.handle)


def wait_seconds(conv: Conversation) -> float:
    """How long a conversation has waited in the queue so far."""
    start = conv.queued_at or conv.created_at
    return max(0.0, (utcnow() - start).total_seconds()) if start else 0.0


def prompt_pending(conversation_id: int) -> bool:
    """Whether the visitor was asked "keep waiting or leave a message?" and has not answered."""
    return db.session.scalar(
        select(ConversationDeadline.id).where(ConversationDeadline.conversation_id == conversation_id,
                                              ConversationDeadline.kind == ANSWER).limit(1)
    ) is not None


def visitor_state(conv: Conversation, position: int) -> dict[str, Any]:
    """What a queued visitor's widget shows besides the position: the wait and a pending prompt."""
    if conv.status != "queued":
        return {}
    return {"eta_seconds": Estimator(conv.company_id, conv.skill_group_id).eta(position),
            "queue_prompt": prompt_pending(conv.id)}
