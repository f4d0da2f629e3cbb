"""The session point (会话中): after a message, decide the conversation's timed steps.

Clocks follow Sobot's: the agent's no-reply clock runs from the visitor's first unanswered
message (more visitor messages do not restart it), the visitor's silence from the agent's
latest message (every agent message restarts it).

Called on the message hot path inside the message's transaction, so it stays lean: the facts
the published ruleset does not test are never computed, and the conversation's pending
deadlines are replaced with one DELETE and one multi-row INSERT. A sweep fires them
(`deadlines.sweep_due`).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, insert, select

from ..conversations.models import Conversation, Message
from ..conversations.store import ConvRow
from ..extensions import db
from ..visitors.models import Visitor
from .models import ConversationDeadline
from .runtime import decide_for, runtime

POINT = "session"
# The session actions that become deadlines; each carries `after` (seconds).
TIMED = ("remind_visitor", "auto_close", "agent_alert", "auto_transfer", "invite_rating")
_TABLE = ConversationDeadline.__table__

# A channel's kind never changes in practice; a short TTL still picks up an edit.
_KIND_TTL = 60.0
_kinds: dict[tuple[int, int], tuple[float, str]] = {}
_kinds_lock = threading.Lock()


def _channel_kind(channel_id: int) -> str:
    key = (id(db.engine), channel_id)
    now = time.monotonic()
    with _kinds_lock:
        hit = _kinds.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    from ..channels.models import Channel

    kind = db.session.scalar(select(Channel.kind).where(Channel.id == channel_id)) or "web"
    with _kinds_lock:
        _kinds[key] = (now + _KIND_TTL, kind)
    return kind


def _fields(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("field"), str):
            out.add(node["field"])
        for key in ("all", "any", "none"):
            for child in node.get(key) or []:
                _fields(child, out)


def _used_facts(company_id: int) -> frozenset[str] | None:
    """The facts the company's published session rules test (None: nothing is published)."""
    active = runtime().active(company_id, POINT)
    if active is None:
        return None
    names: set[str] = set()  # a walk of a few rules: microseconds, no cache to keep right
    for rule in active.definition.get("rules") or []:
        if rule.get("enabled", True):
            _fields(rule.get("when"), names)
    return frozenset(names)


def session_facts(
    company_id: int, channel_id: int, visitor_id: int, conversation_id: int,
    skill_group_id: int | None, last_speaker: str, first_response_pending: bool, now: datetime,
    used: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Build the session facts; with `used`, only those (the rest cost queries)."""
    want = (lambda name: True) if used is None else (lambda name: name in used)
    facts: dict[str, Any] = {
        "last_speaker": last_speaker,
        "first_response_pending": first_response_pending,
    }
    if skill_group_id is not None:
        facts["skill_group"] = skill_group_id
    if want("channel_type"):
        facts["channel_type"] = _channel_kind(channel_id)
    if want("vip_level") or want("tags"):
        row = db.session.execute(
            select(Visitor.vip_level, Visitor.tags).where(Visitor.id == visitor_id)
        ).first()
        if row is not None:
            facts["vip_level"] = int(row[0] or 0)
            facts["tags"] = list(row[1] or [])
    if want("visitor_messages") or want("agent_messages"):
        counts = db.session.execute(
            select(
                func.coalesce(func.sum(case((Message.sender_kind == "visitor", 1), else_=0)), 0),
                func.coalesce(func.sum(case((Message.sender_kind == "agent", 1), else_=0)), 0),
            ).where(Message.conversation_id == conversation_id)
        ).first()
        facts["visitor_messages"] = int(counts[0]) if counts else 0
        facts["agent_messages"] = int(counts[1]) if counts else 0
    if want("in_business_hours"):
        from ..org.hours import company_time

        facts["in_business_hours"] = company_time(company_id, skill_group_id, now).is_open
    return facts


def _replace(
    company_id: int, conversation_id: int, facts: dict[str, Any], now: datetime
) -> list[dict[str, Any]]:
    """Decide and store the conversation's deadlines in place of its pending ones."""
    decision = decide_for(company_id, POINT, facts, conversation_id)
    rows = []
    for kind in TIMED:
        params = decision.actions.get(kind)
        if params is None:
            continue
        after = int(params.get("after") or 0)
        rows.append({
            "company_id": company_id, "conversation_id": conversation_id, "kind": kind,
            "due_at": now + timedelta(seconds=max(after, 0)),
            "params": {k: v for k, v in params.items() if k != "after"},
            "rule_id": decision.rule_id or "", "version": decision.version,
        })
    db.session.execute(delete(_TABLE).where(_TABLE.c.conversation_id == conversation_id))
    if rows:
        db.session.execute(insert(_TABLE), rows)
    return rows


def after_message(conv: ConvRow, sender: str, now: datetime) -> None:
    """Replace an active conversation's deadlines after a visitor or agent message (no commit).

    `conv` is the row as locked before the message was written.
    """
    if conv.status != "active" or sender not in ("visitor", "agent"):
        return  # queued / robot chats have no agent to alert or visitor to time out yet
    if sender == "visitor" and conv.last_sender == "visitor":
        # Still the agent's turn: their no-reply clock runs from the first unanswered message,
        # so a visitor asking "在吗?" again must not push the alert back.
        return
    used = _used_facts(conv.company_id)
    if used is None:
        # Nothing published: the point's defaults have no timed steps; just drop stale ones.
        clear_deadlines(conv.id)
        return
    pending = sender == "visitor" and conv.first_response_at is None
    facts = session_facts(conv.company_id, conv.channel_id, conv.visitor_id, conv.id,
                          conv.skill_group_id, sender, pending, now, used)
    _replace(conv.company_id, conv.id, facts, now)


def refresh_after_assign(conv: Conversation, now: datetime) -> None:
    """Set the deadlines of a conversation just assigned: the visitor spoke last, no answer yet."""
    if conv.status != "active":
        return
    used = _used_facts(conv.company_id)
    if used is None:
        clear_deadlines(conv.id)
        return
    facts = session_facts(conv.company_id, conv.channel_id, conv.visitor_id, conv.id,
                          conv.skill_group_id, "visitor", conv.first_response_at is None, now,
                          used)
    _replace(conv.company_id, conv.id, facts, now)


def clear_deadlines(conversation_id: int) -> None:
    """Drop every pending deadline of a conversation (it closed or left its agent); no commit."""
    db.session.execute(delete(_TABLE).where(_TABLE.c.conversation_id == conversation_id))
