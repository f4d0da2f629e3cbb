"""Assignment: the routing rules' strategy picks among the group's online agents with room.

Strategies: least saturation (random tie-break), round robin in account-creation order, the
visitor's last agent first within N hours, or a designated agent who must serve (the chat
waits for them) or may fall back to the others.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLTimeoutError

from ..conversations import store
from ..conversations.models import Conversation
from ..conversations.queries import QUEUE_ORDER, in_group, last_agent
from ..dblock import serialized
from ..extensions import db
from ..jobs import enqueue
from ..org.models import SkillGroupMember, User

log = logging.getLogger(__name__)


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


def load_candidates(company_id: int, skill_group_id: int | None) -> list[Candidate]:
    """Online, active agents eligible for a group (the whole company if none), with their load.

    Read without locks: the chosen agent's load is checked again under its row lock.
    """
    active = (
        select(func.count(Conversation.id))
        .where(Conversation.agent_id == User.id, Conversation.status == "active")
        .correlate(User)
        .scalar_subquery()
    )
    if skill_group_id is not None:
        query = select(User.id, active, User.max_concurrent, SkillGroupMember.priority).join(
            SkillGroupMember,
            (SkillGroupMember.user_id == User.id)
            & (SkillGroupMember.skill_group_id == skill_group_id),
        )
    else:
        query = select(User.id, active, User.max_concurrent, literal(0))
    rows = db.session.execute(
        query.where(
            User.company_id == company_id,
            User.status == "online",
            User.is_active_account.is_(True),
            User.max_concurrent > 0,
        )
    ).all()
    return [Candidate(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]


def rank(candidates: Iterable[Candidate], rng: random.Random | None = None) -> list[Candidate]:
    """Order agents with room: least saturated first, ties by member priority, then at random."""
    rng = rng or random.Random()
    open_ = [c for c in candidates if c.has_room]
    rng.shuffle(open_)
    return sorted(open_, key=lambda c: (c.saturation, c.priority))  # stable: shuffle breaks ties


def _round_robin(conv: Conversation, open_: list[Candidate]) -> list[Candidate]:
    """Agents in account-creation order, starting after the group's last assignee."""
    ordered = sorted(open_, key=lambda c: c.user_id)
    last = db.session.scalar(
        select(Conversation.agent_id)
        .where(Conversation.company_id == conv.company_id, in_group(conv.skill_group_id),
               Conversation.assigned_at.is_not(None), Conversation.id != conv.id)
        .order_by(Conversation.assigned_at.desc(), Conversation.id.desc())
        .limit(1)
    )
    if last is None:
        return ordered
    after = [c for c in ordered if c.user_id > last]
    return after + [c for c in ordered if c.user_id <= last]


def rank_for(conv: Conversation, candidates: list[Candidate],
             rng: random.Random | None = None) -> list[Candidate]:
    """Order the agents who may take this conversation, by its routing strategy."""
    from datetime import timedelta

    from ..timeutil import utcnow

    routing = conv.routing or {}
    strategy = routing.get("strategy", "least_saturation")
    # The agent a rule just transferred it away from (conversations.transfer) is not asked again.
    base = [c for c in rank(candidates, rng) if c.user_id != routing.get("exclude_agent")]
    if strategy == "round_robin":
        return _round_robin(conv, base)
    if strategy == "last_agent":
        hours = int(routing.get("hours") or 48)
        previous = last_agent(conv.visitor_id, conv.id, since=utcnow() - timedelta(hours=hours))
        first = [c for c in base if c.user_id == previous]
        return first + [c for c in base if c.user_id != previous]
    if strategy == "designated":
        agent = routing.get("agent")
        first = [c for c in base if c.user_id == agent]
        return first + ([c for c in base if c.user_id != agent] if routing.get("fallback") else [])
    return base


def waits_for_designated(conv_routing: dict[str, Any] | None) -> bool:
    """A conversation that only its designated agent may take (it never blocks its group's queue)."""
    routing = conv_routing or {}
    return routing.get("strategy") == "designated" and not routing.get("fallback")


def _claim(agent_id: int) -> bool | None:
    """Lock an agent's row and re-check room: True/False, or None while another assignment
    holds it. Never waits for a lock, so assignments cannot deadlock on agent rows."""
    row = db.session.execute(
        select(User.status, User.max_concurrent)
        .where(User.id == agent_id)
        # NO KEY UPDATE: claims still exclude each other and status changes, but rows that only
        # point at the agent (a close's event, a status log entry) are not held up behind them.
        .with_for_update(skip_locked=True, key_share=True)
    ).first()
    if row is None:
        return None
    load = db.session.scalar(
        select(func.count(Conversation.id))
        .where(Conversation.agent_id == agent_id, Conversation.status == "active")
    )
    return row[0] == "online" and int(load or 0) < int(row[1])


CLAIM_ROUNDS = 50
CLAIM_PAUSE = 0.002
# How long contended agents are retried, in all. Rounds alone did not bound it: under load each
# claim is a slow round trip, and a first message that found the queue empty spent seconds
# here, then took a seat while VIPs queued meanwhile waited (found by tests/load).
CLAIM_WAIT = 0.1


def assign_now(conv: Conversation) -> int | None:
    """Give a locked, queued conversation to the best agent with room; return the agent id.

    Runs inside the caller's transaction. Only the chosen agent's row is locked (on
    PostgreSQL), so assignments to different agents run side by side; an agent another
    assignment holds is retried for a moment before the conversation stays queued.
    """
    from ..conversations.actions import do_assign

    candidates = load_candidates(conv.company_id, conv.skill_group_id)
    routing = conv.routing or {}
    designated = routing.get("agent") if routing.get("strategy") == "designated" else None
    if designated is not None and all(c.user_id != designated for c in candidates):
        # The designated agent may be outside the group: they are still who should serve.
        candidates += [c for c in load_candidates(conv.company_id, None) if c.user_id == designated]
    pending = [c.user_id for c in rank_for(conv, candidates)]
    give_up = time.monotonic() + CLAIM_WAIT
    for _round in range(CLAIM_ROUNDS):
        contended: list[int] = []
        for agent_id in pending:
            claimed = _claim(agent_id)
            if claimed is None:
                contended.append(agent_id)
            elif claimed:
                do_assign(conv, agent_id)
                return agent_id
        if not contended or time.monotonic() > give_up:
            break
        pending = contended
        time.sleep(CLAIM_PAUSE)
    return None


def try_assign(conversation_id: int) -> int | None:
    """Assign a waiting conversation if an agent has room; commit and return the agent id.

    Call it after the caller's own commit (it ends the session's transaction).
    """
    with serialized():
        row = store.lock_conversation(conversation_id)
        if row is None or row.status != "queued":
            db.session.rollback()
            return None
        conv = db.session.get(Conversation, conversation_id, populate_existing=True)
        assert conv is not None
        agent_id = assign_now(conv)
        if agent_id is None:
            db.session.rollback()
        else:
            db.session.commit()
    return agent_id


def _assign_head(company_id: int, group: int | None, passed: set[int]) -> tuple[int, Any, int | None] | None:
    """Lock the first conversation of a group's queue (skipping `passed`) and assign it if an
    agent has room; commit on success. Returns (its id, its routing, the agent id), or None
    when the queue is empty.

    Reading the head and locking it is one statement: a head read first and locked later may
    no longer be first by then. A head locked by someone else (the visitor writing meanwhile)
    is passed over for this step rather than waited for: a long wait would hand out the place
    the statement saw when it started, however stale.
    """
    query = select(Conversation.id, Conversation.routing).where(
        Conversation.company_id == company_id, in_group(group), Conversation.status == "queued")
    if passed:
        query = query.where(Conversation.id.not_in(passed))
    with serialized():
        row = db.session.execute(
            query.order_by(*QUEUE_ORDER).limit(1).with_for_update(skip_locked=True)).first()
        if row is None:
            db.session.rollback()
            return None
        conv = db.session.get(Conversation, row[0], populate_existing=True)
        assert conv is not None
        agent_id = assign_now(conv)
        if agent_id is None:
            db.session.rollback()
        else:
            db.session.commit()
    return row[0], row[1], agent_id


DRAIN_STEPS = 1000
# How long one call drains before it hands the rest to a job: the caller (an agent's close or
# status change) waits for its answer meanwhile, and under steady load the queue never runs
# dry while seats keep freeing (tests/load saw status changes unanswered for 20 s).
DRAIN_BUDGET = 1.0


def _drain_group(company_id: int, group: int | None, renew: Callable[[], Any],
                 moved: dict[int | None, int], until: float) -> bool:
    """Assign a group's queue from its head while agents have room (inside the group's gate);
    return False if the time ran out first."""
    passed: set[int] = set()  # chats only their designated agent may take, who has no room
    for _step in range(DRAIN_STEPS):
        if time.monotonic() > until:
            return False
        renew()
        head = _assign_head(company_id, group, passed)
        if head is None:
            return True
        conv_id, routing, agent_id = head
        if agent_id is not None:
            moved[group] = moved.get(group, 0) + 1
        elif waits_for_designated(routing) or (routing or {}).get("exclude_agent") is not None:
            passed.add(conv_id)  # only some agents may take it: those behind may still fit
        else:
            return True  # nobody in this group has room: the ones behind wait too
    return False


def drain_queue(company_id: int, skill_group_ids: Iterable[int | None] | None = None) -> int:
    """Assign queued conversations, head of each queue first, while agents have room; return how
    many this call assigned.

    Call it after the caller's own commit. Every step takes the queue's head afresh: a list
    read once goes stale while other processes drain the same queue and higher-priority chats
    arrive, and walking it handed seats to chats that were no longer first (found by the load
    test, tests/load). One drain runs per queue at a time (routing.gate): when another is
    running, it takes this call's pass. The visitors still waiting hear their new places once
    at the end.
    """
    from ..conversations.actions import publish_queue_positions
    from .gate import gate

    if skill_group_ids is None:
        groups: list[int | None] = list(db.session.scalars(
            select(Conversation.skill_group_id).distinct().where(
                Conversation.company_id == company_id, Conversation.status == "queued")))
    else:
        groups = list(dict.fromkeys(skill_group_ids))
    db.session.rollback()
    from .jobs import drain_group

    moved: dict[int | None, int] = {}
    until = time.monotonic() + DRAIN_BUDGET
    for group in groups:

        def drain(renew: Callable[[], Any], group: int | None = group) -> bool:
            return _drain_group(company_id, group, renew, moved, until)

        try:
            if not gate().run(f"{company_id}:{group}", drain):
                enqueue(drain_group, company_id, group)  # out of time: a worker goes on
        except (OperationalError, SQLTimeoutError):
            # The caller's own write (a close, going online) is committed: under overload its
            # drain must not turn that into an error for the user; the worker drains instead.
            db.session.rollback()
            log.warning("queue drain of group %s failed; retried as a job", group, exc_info=True)
            enqueue(drain_group, company_id, group, delay=1.0)
    if moved:
        for group in moved:
            publish_queue_positions(company_id, group)
        db.session.commit()  # delivers the position events
    return sum(moved.values())


def agent_group_ids(agent_id: int) -> list[int | None]:
    """Groups whose queue an agent can take from (plus ungrouped conversations)."""
    ids: list[int | None] = list(
        db.session.scalars(
            select(SkillGroupMember.skill_group_id).where(SkillGroupMember.user_id == agent_id)
        )
    )
    return ids + [None]
