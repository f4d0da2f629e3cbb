"""Build the facts the reception and routing rules see, from the conversation and the company's state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from ..channels.models import Channel
from ..conversations.models import Conversation
from ..conversations.queries import in_group, last_agent
from ..extensions import db
from ..org.hours import company_time
from ..org.models import User
from ..visitors.models import Visitor

LAST_AGENT_WINDOW = timedelta(days=30)


def language_code(value: str) -> str | None:
    """The rules' language (zh or en) of a browser language tag such as zh-CN."""
    value = (value or "").lower()
    return "zh" if value.startswith("zh") else "en" if value.startswith("en") else None


def visit_facts(conv: Conversation, channel: Channel, visitor: Visitor, now: datetime) -> dict[str, Any]:
    """Facts about the visit itself: channel, page, device, language, customer, time, staffing."""
    utm = conv.utm or {}
    local = company_time(conv.company_id, conv.skill_group_id, now)
    previous = db.session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.visitor_id == visitor.id, Conversation.id != conv.id
        )
    ) or 0
    online = db.session.scalar(
        select(func.count(User.id)).where(
            User.company_id == conv.company_id, User.status == "online",
            User.is_active_account.is_(True), User.max_concurrent > 0,
        )
    ) or 0
    facts: dict[str, Any] = {
        "channel_type": channel.kind, "channel": channel.id,
        "page_url": conv.page_url or None, "referrer": conv.referrer or None,
        "utm_source": str(utm.get("utm_source") or utm.get("source") or "") or None,
        "utm_campaign": str(utm.get("utm_campaign") or utm.get("campaign") or "") or None,
        "device": conv.device if conv.device in ("desktop", "mobile") else None,
        "language": language_code(conv.language),
        "tags": list(visitor.tags or []), "vip_level": int(visitor.vip_level or 0),
        "returning": previous > 0, "visit_count": previous + 1,
        "hour": local.hour, "weekday": local.weekday, "in_business_hours": local.is_open,
        "agents_online": int(online),
    }
    return {k: v for k, v in facts.items() if v is not None}


def group_facts(company_id: int, group_id: int | None, now: datetime) -> dict[str, Any]:
    """Facts about a skill group right now: who is online, who has room, open, queue length."""
    from ..routing.assign import load_candidates

    candidates = load_candidates(company_id, group_id)
    queued = db.session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.company_id == company_id, Conversation.status == "queued",
            in_group(group_id),
        )
    ) or 0
    facts: dict[str, Any] = {
        "group_online": len(candidates),
        "group_available": sum(1 for c in candidates if c.has_room),
        "group_in_hours": company_time(company_id, group_id, now).is_open,
        "queue_length": int(queued),
    }
    if group_id is not None:
        facts["skill_group"] = group_id
    return facts


def routing_facts(conv: Conversation, visit: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Visit facts plus the state of the conversation's group and the visitor's last agent."""
    facts = {**visit, **group_facts(conv.company_id, conv.skill_group_id, now)}
    agent_id = last_agent(conv.visitor_id, conv.id, since=now - LAST_AGENT_WINDOW)
    facts["has_last_agent"] = agent_id is not None
    if agent_id is not None:
        status = db.session.scalar(select(User.status).where(User.id == agent_id))
        facts["last_agent_online"] = status == "online"
    return facts
