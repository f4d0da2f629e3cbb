"""Reads about leave messages and what the leave-message rules need to know."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..conversations.models import ConversationEvent
from ..extensions import db
from ..org.models import SkillGroup, SkillGroupMember, User
from ..timeutil import iso
from ..visitors.models import Visitor
from .models import LeaveForm, LeaveMessage

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
    from .attachments import attachment_dict, of_message

    names: dict[Any, str] = dict(db.session.execute(
        select(User.id, User.name).where(User.id.in_([lm.agent_id or 0, *[r.get("agent_id") or 0
                                                                          for r in lm.replies or []]]))
    ).all())
    visitor = db.session.get(Visitor, lm.visitor_id)
    group = db.session.get(SkillGroup, lm.skill_group_id) if lm.skill_group_id else None
    return {
        "id": lm.id, "status": lm.status, "reason": lm.reason, "visitor_id": lm.visitor_id,
        "visitor_name": (visitor.name if visitor else "") or f"访客{lm.visitor_id}",
        "channel_id": lm.channel_id, "conversation_id": lm.conversation_id,
        "skill_group_id": lm.skill_group_id, "skill_group_name": group.name if group else None,
        "agent_id": lm.agent_id, "agent_name": names.get(lm.agent_id) if lm.agent_id else None,
        "fields": lm.fields, "field_rows": _rows(lm),
        "content": lm.content, "created_at": iso(lm.created_at), "updated_at": iso(lm.updated_at),
        "reply_within_hours": (lm.decision or {}).get("actions", {}).get("reply_within", {})
        .get("hours"),
        "attachments": [attachment_dict(a) for a in of_message(lm.id)],
        "replies": [{**r, "agent_name": names.get(r.get("agent_id"))} for r in lm.replies or []],
    }


def _rows(lm: LeaveMessage) -> list[dict[str, Any]]:
    """The filled-in fields in the form's order, with their labels (JSON columns may sort keys)."""
    from .forms import LEGACY

    form_id = (lm.decision or {}).get("form_id")
    form = db.session.get(LeaveForm, form_id) if form_id else None
    specs = list(form.fields) if form is not None else [
        {"name": k, "kind": v[0], "label_zh": v[1], "label_en": v[2]} for k, v in LEGACY.items()]
    known = {s["name"] for s in specs}
    specs += [{"name": k, "kind": "text", "label_zh": k, "label_en": k} for k in lm.fields if k not in known]
    return [{"name": s["name"], "kind": s["kind"], "label_zh": s["label_zh"],
             "label_en": s.get("label_en") or s["label_zh"], "value": lm.fields[s["name"]]}
            for s in specs if s["name"] in lm.fields]


SCOPES = ("mine", "groups", "pool", "all")


def pool_list(user: User, status: str, scope: str, limit: int = 200) -> list[LeaveMessage]:
    """The workbench's 留言池 tab: one status, one scope, newest first, only what `user` may see."""
    from ..org.access import visible_group_ids

    query = select(LeaveMessage).where(LeaveMessage.company_id == user.company_id,
                                       LeaveMessage.status == status)
    groups = visible_group_ids(user)
    unassigned = LeaveMessage.agent_id.is_(None)
    if scope == "mine":
        query = query.where(LeaveMessage.agent_id == user.id)
    elif scope == "pool":
        query = query.where(unassigned, LeaveMessage.skill_group_id.is_(None))
    elif scope == "groups":
        mine = groups if groups is not None else set(db.session.scalars(
            select(SkillGroupMember.skill_group_id).where(SkillGroupMember.user_id == user.id)))
        query = query.where(LeaveMessage.skill_group_id.in_(mine or {0}))
        if user.role == "agent":
            query = query.where(unassigned)
    elif groups is not None:  # "all" for a manager: their groups, the pool and their own
        query = query.where(
            (LeaveMessage.agent_id == user.id) | LeaveMessage.skill_group_id.in_(groups or {0})
            | (unassigned & LeaveMessage.skill_group_id.is_(None)))
        if user.role == "agent":
            query = query.where(unassigned | (LeaveMessage.agent_id == user.id))
    return list(db.session.scalars(query.order_by(LeaveMessage.id.desc()).limit(limit)))
