"""Reads of the workbench list: per-chat meta, the queue an agent may see, history, status counts."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..chatpane.models import ReadMark
from ..conversations.access import can_see_conversation
from ..conversations.models import Conversation, ConversationSegment, Message
from ..conversations.queries import QUEUE_ORDER, recent_messages
from ..conversations.serialize import conversation_dict, message_dict
from ..errors import NotFound
from ..extensions import db
from ..org.access import visible_group_ids
from ..org.models import SkillGroupMember, User
from ..summaries.queries import starred_ids
from ..timeutil import iso, utcnow
from .models import HISTORY_INDEX  # noqa: F401 - the index is part of the schema when this is used
from .schemas import HISTORY_PAGE

QUEUE_LIMIT = 200
HISTORY_MESSAGES = 200


def _groups_clause(groups: set[int] | None) -> Any:
    """Conversations of these skill groups (None: every group, and none)."""
    if groups is None:
        return True
    return Conversation.skill_group_id.in_(sorted(groups))


def unread_counts(conversation_ids: Sequence[int]) -> dict[int, int]:
    """Visitor messages after the agent side's read mark, per conversation (one grouped query)."""
    if not conversation_ids:
        return {}
    rows = db.session.execute(
        select(Message.conversation_id, func.count(Message.id))
        .outerjoin(ReadMark, ReadMark.conversation_id == Message.conversation_id)
        .where(Message.conversation_id.in_(list(conversation_ids)),
               Message.sender_kind == "visitor",
               Message.id > func.coalesce(ReadMark.agent_read_id, 0))
        .group_by(Message.conversation_id)
    ).all()
    return {int(r[0]): int(r[1]) for r in rows}


def list_meta(user: User, conversation_ids: Sequence[int]) -> dict[str, dict[str, Any]]:
    """What the list filters and badges need for the chats shown: unread, tags, group, star.

    Reads columns, not rows: the workbench asks it for every open chat after each (re)connect.
    """
    from ..org.models import SkillGroup
    from ..visitors.models import Visitor

    ids = sorted(set(conversation_ids))
    if not ids or user.company_id is None:
        return {}
    rows = db.session.execute(
        select(Conversation.id, Conversation.agent_id, Conversation.participant_ids,
               Conversation.skill_group_id, Visitor.tags, SkillGroup.name)
        .join(Visitor, Visitor.id == Conversation.visitor_id)
        .outerjoin(SkillGroup, SkillGroup.id == Conversation.skill_group_id)
        .where(Conversation.company_id == user.company_id, Conversation.id.in_(ids))
    ).all()
    # One's own and helped chats need no further check; anything else goes through the access helper.
    shown_rows = [r for r in rows if r[1] == user.id or user.id in (r[2] or ())
                  or can_see_conversation(user, db.session.get(Conversation, r[0]))]  # type: ignore[arg-type]
    shown = [r[0] for r in shown_rows]
    unread = unread_counts(shown)
    stars = set(starred_ids(user.id, shown))
    return {str(r[0]): {
        "unread": unread.get(r[0], 0),
        "tags": [str(t) for t in (r[4] or [])],
        "skill_group_id": r[3],
        "group": r[5],
        "starred": r[0] in stars,
    } for r in shown_rows}


def queue_for(user: User) -> list[dict[str, Any]]:
    """The queued chats the user may see (their groups; a manager's departments; an admin's
    company), in queue order with each one's place in its own group's queue."""
    if user.company_id is None:
        return []
    groups = visible_group_ids(user)
    if groups is not None and not groups:
        return []
    rows = db.session.scalars(
        select(Conversation)
        .options(joinedload(Conversation.visitor), joinedload(Conversation.channel),
                 joinedload(Conversation.skill_group))
        .where(Conversation.company_id == user.company_id, Conversation.status == "queued",
               _groups_clause(groups))
        .order_by(*QUEUE_ORDER)
        .limit(QUEUE_LIMIT)
    ).unique().all()
    now = utcnow()
    places: dict[int | None, int] = {}
    out = []
    for conv in rows:
        places[conv.skill_group_id] = places.get(conv.skill_group_id, 0) + 1
        start = conv.queued_at or conv.created_at
        out.append({
            **conversation_dict(conv),
            "position": places[conv.skill_group_id],
            "wait_seconds": max(0, int((now - start).total_seconds())) if start else 0,
            "group": conv.skill_group.name if conv.skill_group else None,
            "priority": conv.priority,
        })
    return out


def _history_scope(user: User) -> Any:
    """Past chats the user may read: the ones they served, plus their groups' for supervisors."""
    served = Conversation.id.in_(
        select(ConversationSegment.conversation_id).where(ConversationSegment.agent_id == user.id))
    if user.role == "agent":
        return served
    groups = visible_group_ids(user)
    if groups is None:
        return True
    return or_(served, Conversation.skill_group_id.in_(sorted(groups)))


def history(user: User, page: int = 1, q: str = "") -> dict[str, Any]:
    """One page of the user's ended chats, newest first, searched by visitor name."""
    from ..visitors.models import Visitor

    if user.company_id is None:
        return {"conversations": [], "page": page, "has_more": False}
    query = (
        select(Conversation)
        .options(joinedload(Conversation.visitor), joinedload(Conversation.channel),
                 joinedload(Conversation.agent))
        .where(Conversation.company_id == user.company_id, Conversation.status == "closed",
               _history_scope(user))
    )
    q = q.strip()
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.join(Visitor, Visitor.id == Conversation.visitor_id).where(
            Visitor.name.ilike(like, escape="\\"))
    rows = db.session.scalars(
        query.order_by(Conversation.closed_at.desc().nulls_last(), Conversation.id.desc())
        .offset((page - 1) * HISTORY_PAGE).limit(HISTORY_PAGE + 1)
    ).unique().all()
    return {"conversations": [conversation_dict(c) for c in rows[:HISTORY_PAGE]], "page": page,
            "has_more": len(rows) > HISTORY_PAGE}


def can_read_history(user: User, conv: Conversation) -> bool:
    """Decide whether `user` may read an ended chat's messages from the history tab."""
    if conv.company_id != user.company_id:
        return False
    if conv.status != "closed":
        return False
    served = db.session.scalar(
        select(ConversationSegment.id).where(ConversationSegment.conversation_id == conv.id,
                                             ConversationSegment.agent_id == user.id).limit(1))
    if served is not None:
        return True
    if user.role == "agent":
        return False
    return can_see_conversation(user, conv)


def history_chat(user: User, conversation_id: int) -> dict[str, Any]:
    """An ended chat and its last messages, read-only; NotFound when the user may not read it."""
    conv = db.session.get(Conversation, conversation_id)
    if conv is None or not can_read_history(user, conv):
        raise NotFound("not_found")
    return {"conversation": conversation_dict(conv),
            "messages": [message_dict(m) for m in recent_messages(conv.id, HISTORY_MESSAGES)]}


# Every agent's status bar asks the same group-wide numbers: one reading serves all of a
# company's agents with the same groups for this long (seconds).
SHARED_TTL = 2.0
_shared: dict[tuple[int, tuple[int, ...] | None], tuple[float, int, list[int]]] = {}
_shared_lock = threading.Lock()


def _group_numbers(company_id: int, groups: set[int] | None) -> tuple[int, list[int]]:
    """(chats queued in the groups, ids of the online agents in them), cached for SHARED_TTL."""
    key = (company_id, tuple(sorted(groups)) if groups is not None else None)
    now = time.monotonic()
    with _shared_lock:
        hit = _shared.get(key)
    if hit is not None and now - hit[0] < SHARED_TTL:
        return hit[1], hit[2]
    queued = int(db.session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.company_id == company_id, Conversation.status == "queued",
            _groups_clause(groups))) or 0)
    online = select(User.id).where(User.company_id == company_id, User.status == "online",
                                   User.is_active_account.is_(True))
    if groups is not None:
        online = online.where(User.id.in_(
            select(SkillGroupMember.user_id).where(SkillGroupMember.skill_group_id.in_(sorted(groups)))))
    agents = list(db.session.scalars(online))
    with _shared_lock:
        if len(_shared) > 10000:  # many distinct group sets: start over rather than grow
            _shared.clear()
        _shared[key] = (now, queued, agents)
    return queued, agents


def forget_shared() -> None:
    """Drop the cached group numbers (tests whose ids restart)."""
    with _shared_lock:
        _shared.clear()


def status_counts(user: User) -> dict[str, Any]:
    """The status bar: my open chats and capacity, the queue of my groups, online colleagues."""
    mine = int(db.session.scalar(
        select(func.count(Conversation.id)).where(Conversation.agent_id == user.id,
                                                  Conversation.status == "active")) or 0)
    # An agent's colleagues are the members of their groups (a manager's: their departments').
    groups = visible_group_ids(user)
    queued, online = (0, []) if groups is not None and not groups else _group_numbers(
        int(user.company_id or 0), groups)
    return {"mine": mine, "capacity": int(user.max_concurrent or 0), "queue": queued,
            "online": len([a for a in online if a != user.id]), "at": iso(utcnow())}
