"""Reads about leave messages and what the leave-message rules need to know."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..conversations.models import ConversationEvent
from ..extensions import db
from ..org.models import SkillGroupMember, User
from ..timeutil import iso
from .models import LeaveMessage

REASONS = ("off_hours", "none_online", "queue_full", "visitor_choice", "queue_timeout")


def by_client_id(visitor_id: int, client_id: str) -> LeaveMessage | None:
    """Return the visitor's leave message stored under this client id."""
    return db.session.scalars(
        select(LeaveMessage).where(LeaveMessage.visitor_id == visitor_id,
                                   LeaveMessage.client_id == client_id)
    ).first()


def offer_of(conversation_id: int) -> dict[str, Any] | None:
    """The latest leave-message decision recorded on a conversation (its offer), if any."""
    rows = db.session.scalars(
        select(ConversationEvent.data)
        .where(ConversationEvent.conversation_id == conversation_id,
               ConversationEvent.kind == "decision")
        .order_by(ConversationEvent.id.desc())
        .limit(20)
    ).all()
    return next((dict(d) for d in rows if (d or {}).get("point") == "leave_message"), None)


def rotation(company_id: int, skill_group_id: int | None) -> list[int]:
    """Agents taking turns, in account creation order: the group's members, else the company's
    agent accounts."""
    query = select(User.id).where(User.company_id == company_id,
                                  User.is_active_account.is_(True))
    if skill_group_id is None:
        query = query.where(User.role == "agent")
    else:
        query = query.join(SkillGroupMember, (SkillGroupMember.user_id == User.id)
                           & (SkillGroupMember.skill_group_id == skill_group_id))
    return list(db.session.scalars(query.order_by(User.created_at, User.id)))


def last_assignee(company_id: int, agent_ids: list[int]) -> int | None:
    """The agent the company's latest leave message among `agent_ids` went to."""
    if not agent_ids:
        return None
    return db.session.scalar(
        select(LeaveMessage.agent_id)
        .where(LeaveMessage.company_id == company_id, LeaveMessage.agent_id.in_(agent_ids))
        .order_by(LeaveMessage.id.desc())
        .limit(1)
    )


def leave_message_dict(lm: LeaveMessage) -> dict[str, Any]:
    """Serialize a leave message for the workbench and events."""
    return {
        "id": lm.id, "status": lm.status, "reason": lm.reason, "visitor_id": lm.visitor_id,
        "channel_id": lm.channel_id, "conversation_id": lm.conversation_id,
        "skill_group_id": lm.skill_group_id, "agent_id": lm.agent_id, "fields": lm.fields,
        "content": lm.content, "created_at": iso(lm.created_at),
        "reply_within_hours": (lm.decision or {}).get("actions", {}).get("reply_within", {})
        .get("hours"),
    }
