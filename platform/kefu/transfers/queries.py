"""Reads for transfers, invitations and monitoring: targets with their load, live chats, helpers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..conversations.models import Conversation
from ..conversations.store import ConvRow
from ..extensions import db
from ..org.access import visible_group_ids
from ..org.models import SkillGroup, SkillGroupMember, User
from ..timeutil import iso
from .models import ConversationParticipant

MANAGER_ROLES = ("manager", "admin", "owner")


def is_manager(user: User) -> bool:
    """Managers, admins and owners may watch, take over and transfer their visible chats."""
    return bool(user.company_id) and not user.is_operator and user.role in MANAGER_ROLES


def active_participant(conversation_id: int, user_id: int, role: str | None = None
                       ) -> ConversationParticipant | None:
    """The colleague's current stay in a conversation (of `role`, if given)."""
    query = select(ConversationParticipant).where(
        ConversationParticipant.conversation_id == conversation_id,
        ConversationParticipant.user_id == user_id,
        ConversationParticipant.left_at.is_(None),
    )
    if role is not None:
        query = query.where(ConversationParticipant.role == role)
    return db.session.scalars(query.order_by(ConversationParticipant.id.desc()).limit(1)).first()


def is_helper(conv: ConvRow | Conversation, user_id: int) -> bool:
    """Whether `user_id` was invited into the conversation and has not left.

    The row's participant ids answer "no" without a query for everyone else.
    """
    if user_id not in (conv.participant_ids or ()):
        return False
    return active_participant(conv.id, user_id, "helper") is not None


def assisted_conversations(user_id: int) -> list[Conversation]:
    """Open conversations the user was invited into and still helps with."""
    return list(db.session.scalars(
        select(Conversation)
        .options(joinedload(Conversation.visitor), joinedload(Conversation.channel),
                 joinedload(Conversation.agent))
        .join(ConversationParticipant, ConversationParticipant.conversation_id == Conversation.id)
        .where(ConversationParticipant.user_id == user_id,
               ConversationParticipant.role == "helper",
               ConversationParticipant.left_at.is_(None),
               Conversation.status == "active")
        .order_by(Conversation.id.desc())
    ).unique())


def _loads(company_id: int) -> dict[int, int]:
    """Active chats per agent of a company (one grouped query)."""
    rows = db.session.execute(
        select(Conversation.agent_id, func.count(Conversation.id))
        .where(Conversation.company_id == company_id, Conversation.status == "active",
               Conversation.agent_id.is_not(None))
        .group_by(Conversation.agent_id)
    ).all()
    return {int(r[0]): int(r[1]) for r in rows if r[0] is not None}


def transfer_targets(user: User) -> dict[str, Any]:
    """The company's skill groups (online / unsaturated agents) and agents (status, load).

    What the transfer dialog shows: who could take the chat right now.
    """
    company_id = user.company_id
    assert company_id is not None
    loads = _loads(company_id)
    people = list(db.session.scalars(
        select(User).where(User.company_id == company_id, User.is_active_account.is_(True),
                           User.is_operator.is_(False)).order_by(User.id)
    ))
    members: dict[int, list[int]] = {}
    for group_id, user_id in db.session.execute(
        select(SkillGroupMember.skill_group_id, SkillGroupMember.user_id)
        .where(SkillGroupMember.company_id == company_id)
    ):
        members.setdefault(int(group_id), []).append(int(user_id))
    by_id = {p.id: p for p in people}

    def free(p: User) -> bool:
        return p.status == "online" and loads.get(p.id, 0) < p.max_concurrent

    groups = []
    for group in db.session.scalars(
        select(SkillGroup).where(SkillGroup.company_id == company_id).order_by(SkillGroup.id)
    ):
        inside = [by_id[u] for u in members.get(group.id, []) if u in by_id]
        groups.append({
            "id": group.id, "name": group.name,
            "online": sum(1 for p in inside if p.status == "online"),
            "available": sum(1 for p in inside if free(p) and p.id != user.id),
        })
    agents = [
        {"id": p.id, "name": p.shown_name, "status": p.status, "active": loads.get(p.id, 0),
         "max_concurrent": p.max_concurrent, "available": free(p),
         "groups": [g for g, ids in members.items() if p.id in ids]}
        for p in people if p.id != user.id
    ]
    return {"groups": groups, "agents": agents}


def live_conversations(user: User, limit: int = 500) -> list[dict[str, Any]]:
    """The company's chats with the robot, queued and active that a manager may see (监控)."""
    groups = visible_group_ids(user)
    query = (
        select(Conversation)
        .options(joinedload(Conversation.visitor), joinedload(Conversation.agent))
        .where(Conversation.company_id == user.company_id,
               Conversation.status.in_(("robot", "queued", "active")))
    )
    if groups is not None:
        query = query.where(Conversation.skill_group_id.in_(groups) | (Conversation.agent_id == user.id))
    rows = db.session.scalars(query.order_by(Conversation.id.desc()).limit(limit)).unique()
    return [
        {"id": c.id, "status": c.status, "agent_id": c.agent_id,
         "agent_name": c.agent.shown_name if c.agent else None,
         "visitor": {"id": c.visitor_id, "name": c.visitor.name or f"访客{c.visitor_id}"},
         "skill_group_id": c.skill_group_id, "created_at": iso(c.created_at),
         "assigned_at": iso(c.assigned_at), "last_message_at": iso(c.last_message_at),
         "watching": user.id in (c.participant_ids or ())}
        for c in rows
    ]
