"""Assignment: least-saturated online agent of the conversation's skill group, else the queue.

This is the seam the rules engine takes over later: `choose_agent` decides, the rest applies.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ..conversations.models import Conversation
from ..conversations.queries import QUEUE_ORDER
from ..dblock import locked
from ..extensions import db
from ..org.models import SkillGroupMember, User


@dataclass(frozen=True)
class Candidate:
    """An agent who could take a conversation, with the load that decides between them."""

    user_id: int
    active: int
    max_concurrent: int
    priority: int

    @property
    def saturation(self) -> float:
        return self.active / self.max_concurrent if self.max_concurrent > 0 else 1.0

    @property
    def has_room(self) -> bool:
        return self.active < self.max_concurrent


def candidate_ids(company_id: int, skill_group_id: int | None) -> list[int]:
    """Ids of the online, active agents eligible for a group (the whole company if none)."""
    query = select(User.id).where(
        User.company_id == company_id,
        User.status == "online",
        User.is_active_account.is_(True),
        User.max_concurrent > 0,
    )
    if skill_group_id is not None:
        query = query.join(SkillGroupMember, SkillGroupMember.user_id == User.id).where(
            SkillGroupMember.skill_group_id == skill_group_id
        )
    return list(db.session.scalars(query))


def load_candidates(company_id: int, skill_group_id: int | None, ids: list[int]) -> list[Candidate]:
    """Read the current load of each candidate (call while holding their row locks)."""
    if not ids:
        return []
    counts = dict(
        db.session.execute(
            select(Conversation.agent_id, func.count(Conversation.id))
            .where(Conversation.agent_id.in_(ids), Conversation.status == "active")
            .group_by(Conversation.agent_id)
        ).all()
    )
    prio: dict[int, int] = {}
    if skill_group_id is not None:
        prio = dict(
            db.session.execute(
                select(SkillGroupMember.user_id, SkillGroupMember.priority).where(
                    SkillGroupMember.skill_group_id == skill_group_id,
                    SkillGroupMember.user_id.in_(ids),
                )
            ).all()
        )
    rows = db.session.execute(
        select(User.id, User.max_concurrent, User.status).where(User.id.in_(ids))
    ).all()
    return [
        Candidate(uid, int(counts.get(uid, 0)), mx, prio.get(uid, 0))
        for uid, mx, status in rows
        if status == "online"  # re-checked under the lock: the agent may have just left
    ]


def choose_agent(candidates: Iterable[Candidate], rng: random.Random | None = None) -> int | None:
    """Pick the least-saturated agent with room; ties by member priority, then at random."""
    rng = rng or random.Random()
    open_ = [c for c in candidates if c.has_room]
    if not open_:
        return None
    best = min((c.saturation, c.priority) for c in open_)
    tied = [c for c in open_ if (c.saturation, c.priority) == best]
    return rng.choice(tied).user_id


def try_assign(conversation_id: int) -> int | None:
    """Assign a queued conversation if an agent has room; commit and return the agent id."""
    from ..conversations.actions import do_assign

    conv = db.session.get(Conversation, conversation_id)
    if conv is None or conv.status != "queued":
        return None
    ids = candidate_ids(conv.company_id, conv.skill_group_id)
    if not ids:
        db.session.rollback()
        return None
    with locked(User, ids):
        with locked(Conversation, [conversation_id]):
            db.session.refresh(conv)
            if conv.status != "queued":
                db.session.rollback()
                return None
            agent_id = choose_agent(load_candidates(conv.company_id, conv.skill_group_id, ids))
            if agent_id is None:
                db.session.rollback()
                return None
            do_assign(conv, agent_id)
            db.session.commit()
    return agent_id


def drain_queue(company_id: int, skill_group_ids: Iterable[int | None] | None = None) -> int:
    """Assign queued conversations, oldest first, while agents have room; return how many."""
    assigned = 0
    query = select(Conversation.id).where(
        Conversation.company_id == company_id, Conversation.status == "queued"
    )
    if skill_group_ids is not None:
        groups = list(skill_group_ids)
        named = [g for g in groups if g is not None]
        cond: Any = Conversation.skill_group_id.in_(named)
        if None in groups:
            cond = cond | Conversation.skill_group_id.is_(None)
        query = query.where(cond)
    queued = list(
        db.session.scalars(
            query.order_by(*QUEUE_ORDER)
            .limit(200)
        )
    )
    db.session.rollback()
    full_groups: set[int | None] = set()
    for conv_id in queued:
        conv = db.session.get(Conversation, conv_id)
        if conv is None or conv.skill_group_id in full_groups:
            continue
        group = conv.skill_group_id
        if try_assign(conv_id) is None:
            full_groups.add(group)  # nobody in this group has room: later ones wait too
        else:
            assigned += 1
    return assigned


def agent_group_ids(agent_id: int) -> list[int | None]:
    """Groups whose queue an agent can take from (plus ungrouped conversations)."""
    ids: list[int | None] = list(
        db.session.scalars(
            select(SkillGroupMember.skill_group_id).where(SkillGroupMember.user_id == agent_id)
        )
    )
    return ids + [None]
