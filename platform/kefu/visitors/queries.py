"""Reads for the workbench's visitor panel: profile, visit info and browsing trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..channels.models import Channel
from ..conversations.access import access_conversation
from ..conversations.models import OPEN_STATUSES, Conversation
from ..extensions import db
from ..org.models import SkillGroup, User
from ..realtime.events import AGENT_NS, agent_room
from ..timeutil import iso, utcnow
from . import useragent
from .fields import company_fields, field_dict
from .models import Visitor
from .pageviews import TRAIL_MAX, PageView


def profile_dict(visitor: Visitor) -> dict[str, Any]:
    """Serialize the editable profile."""
    return {
        "id": visitor.id, "name": visitor.name, "phone": visitor.phone, "email": visitor.email,
        "tags": list(visitor.tags or []), "vip_level": visitor.vip_level, "remark": visitor.remark or "",
        "custom": dict(visitor.custom or {}), "visit_count": visitor.visit_count or 0,
        "created_at": iso(visitor.created_at), "last_seen_at": iso(visitor.last_seen_at),
    }


def trail(visitor_id: int) -> list[dict[str, Any]]:
    """Return the visitor's last pages, newest first."""
    rows = db.session.scalars(
        select(PageView).where(PageView.visitor_id == visitor_id)
        .order_by(PageView.viewed_at.desc(), PageView.id.desc()).limit(TRAIL_MAX)
    )
    return [{"url": r.url, "title": r.title, "visit": r.visit, "at": iso(r.viewed_at)} for r in rows]


def landing_page(visitor: Visitor) -> str:
    """Return the first page of the visitor's current visit, if the trail has it."""
    return db.session.scalar(
        select(PageView.url).where(PageView.visitor_id == visitor.id, PageView.visit == visitor.visit_count)
        .order_by(PageView.viewed_at, PageView.id).limit(1)
    ) or ""


def visit_info(conv: Conversation, visitor: Visitor) -> dict[str, Any]:
    """Where the chat came from and who is on the other side (read-only)."""
    channel = db.session.get(Channel, conv.channel_id)
    group = db.session.get(SkillGroup, conv.skill_group_id) if conv.skill_group_id else None
    if conv.queued_at is not None:
        end = conv.assigned_at or (conv.closed_at if conv.status == "closed" else None) or utcnow()
        queue_seconds: float | None = max(0.0, (end - conv.queued_at).total_seconds())
    else:
        queue_seconds = conv.queue_wait_seconds
    ua = useragent.parse(conv.user_agent)
    return {
        "channel": channel.name if channel else "", "channel_kind": channel.kind if channel else "",
        "source": conv.referrer, "utm": dict(conv.utm or {}), "landing_page": landing_page(visitor),
        "chat_page": conv.page_url, "group": group.name if group else "",
        "queue_seconds": round(queue_seconds, 1) if queue_seconds is not None else None,
        "ip": conv.ip, "device": conv.device or ua["device"], "os": ua["os"], "browser": ua["browser"],
        "language": conv.language, "visit_count": visitor.visit_count or 0,
        "started_at": iso(conv.created_at),
    }


def panel(user: User, conversation_id: int) -> dict[str, Any]:
    """Everything the visitor panel shows for a chat `user` can see (NotFound otherwise)."""
    conv = access_conversation(user, conversation_id)
    visitor = db.session.get(Visitor, conv.visitor_id)
    assert visitor is not None
    return {
        "conversation_id": conv.id, "profile": profile_dict(visitor), "visit": visit_info(conv, visitor),
        "trail": trail(visitor.id), "fields": [field_dict(f) for f in company_fields(conv.company_id)],
    }


def agent_targets(visitor: Visitor) -> list[tuple[str, str]]:
    """The agents' rooms of everyone in the visitor's open chats (their panels refresh)."""
    rows = db.session.execute(
        select(Conversation.agent_id, Conversation.participant_ids).where(
            Conversation.company_id == visitor.company_id, Conversation.visitor_id == visitor.id,
            Conversation.status.in_(OPEN_STATUSES))
    ).all()
    users: set[int] = set()
    for agent_id, participants in rows:
        if agent_id:
            users.add(agent_id)
        users.update(int(u) for u in participants or ())
    return [(AGENT_NS, agent_room(u)) for u in sorted(users)]
