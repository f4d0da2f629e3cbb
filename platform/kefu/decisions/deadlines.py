"""Fire the session deadlines that are due: remind, auto-close, alert, auto-transfer, invite rating.

Each deadline fires in its own transaction together with its deletion, so it fires once. On
PostgreSQL the conversation row is taken with SKIP LOCKED (a sweep never waits for a message in
flight or for another sweep: it is picked up on the next tick) and the deadline row is locked
and re-read, so two sweeps racing cannot both fire it; on SQLite the process write lock
serializes them. Locking the conversation before the deadline keeps the message path's lock
order (conversation, then its deadlines), so the two cannot deadlock.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from ..conversations import store
from ..conversations.actions import conversation_targets
from ..conversations.models import Conversation, ConversationEvent
from ..conversations.serialize import message_dict
from ..conversations.store import ConvRow
from ..dblock import serialized
from ..extensions import db
from ..realtime.events import (
    AGENT_NS,
    agent_room,
    monitor_room,
    publish,
)
from ..timeutil import iso, utcnow
from .models import ConversationDeadline

log = logging.getLogger(__name__)
_TABLE = ConversationDeadline.__table__
# Sobot's timeout transfer has a per-chat limit (1-10): rules cannot bounce a chat forever.
MAX_AUTO_TRANSFERS = 3
QUEUE_KINDS = ("queue_wait", "queue_answer")  # kefu.queueing.actions.KINDS
EVENT_KINDS = {
    "remind_visitor": "reminded",
    "auto_close": "timed_out",
    "agent_alert": "alert",
    "auto_transfer": "auto_transfer",
    "invite_rating": "rating_invited",
}


def due_candidates(now: datetime, limit: int) -> list[tuple[int, int]]:
    """Return (deadline id, conversation id) of due deadlines, earliest first (no locks)."""
    rows = db.session.execute(
        select(_TABLE.c.id, _TABLE.c.conversation_id)
        .where(_TABLE.c.due_at <= now)
        .order_by(_TABLE.c.due_at, _TABLE.c.id)
        .limit(limit)
    ).all()
    return [(int(r[0]), int(r[1])) for r in rows]


def sweep_due(now: datetime | None = None, limit: int = 200) -> int:
    """Fire up to `limit` due deadlines; return how many fired (stale ones are only deleted)."""
    now = now or utcnow()
    candidates = due_candidates(now, limit)
    db.session.rollback()
    fired = 0
    for deadline_id, conversation_id in candidates:
        try:
            if fire(deadline_id, conversation_id, now):
                fired += 1
        except Exception:  # noqa: BLE001 - one bad deadline must not stop the others
            db.session.rollback()
            log.exception("deadline %s of conversation %s failed", deadline_id, conversation_id)
    return fired


def _lock_conversation(conversation_id: int) -> ConvRow | None:
    row = db.session.execute(
        select(Conversation.id, Conversation.company_id, Conversation.channel_id,
               Conversation.visitor_id, Conversation.agent_id, Conversation.status,
               Conversation.first_response_at, Conversation.skill_group_id,
               Conversation.last_sender, Conversation.participant_ids)
        .where(Conversation.id == conversation_id)
        .with_for_update(skip_locked=True)
    ).first()
    return ConvRow(*tuple(row)) if row is not None else None


def fire(deadline_id: int, conversation_id: int, now: datetime) -> bool:
    """Fire one deadline if it is still pending and due; True when it fired."""
    requeued = False
    with serialized():
        conv_row = _lock_conversation(conversation_id)
        if conv_row is None:  # busy (fired on the next tick) or gone (its deadlines went too)
            db.session.rollback()
            return False
        deadline = db.session.execute(
            select(_TABLE).where(_TABLE.c.id == deadline_id, _TABLE.c.due_at <= now)
            .with_for_update(skip_locked=True)
        ).first()
        if deadline is None:  # replaced by a newer message, or fired by another sweep
            db.session.rollback()
            return False
        db.session.execute(delete(_TABLE).where(_TABLE.c.id == deadline_id))
        if deadline.kind in QUEUE_KINDS:  # the queue's max-wait clocks run while the chat waits
            from ..queueing.actions import fire_deadline

            return fire_deadline(conv_row, deadline.kind, now)  # commits
        if deadline.kind == "robot_idle":  # a robot chat's visitor went quiet (robot/actions.py)
            from ..robot.actions import fire_idle

            return fire_idle(conv_row, now)  # commits
        if conv_row.status != "active":  # stale: the chat closed or went back to the queue
            db.session.commit()
            return False
        conv = db.session.get(Conversation, conversation_id, populate_existing=True)
        assert conv is not None
        kind, params = deadline.kind, dict(deadline.params or {})
        data = {"deadline": kind, "rule_id": deadline.rule_id, "version": deadline.version,
                "due_at": iso(deadline.due_at), **params}
        event = ConversationEvent(company_id=conv.company_id, conversation_id=conv.id,
                                  kind=EVENT_KINDS.get(kind, "deadline"), data=data)
        if kind != "invite_rating":  # an invitation is recorded only when it is sent (below)
            db.session.add(event)
        if kind == "remind_visitor":
            _system_message(conv_row, str(params.get("text") or ""), now)
        elif kind == "agent_alert":
            _alert(conv_row, str(params.get("level") or "warning"), deadline.rule_id)
        elif kind == "invite_rating":
            from ..ratings.invitations import publish_rule_invite

            if publish_rule_invite(conv):  # not when already rated and repeats are not taken
                db.session.add(event)
        elif kind == "auto_transfer":
            requeued = _transfer(conv, params.get("group"), deadline.rule_id, deadline.version)
        elif kind == "auto_close":
            _system_message(conv_row, str(params.get("text") or ""), now)
            from ..conversations.actions import do_close

            do_close(conv, "visitor_timeout")  # commits this transaction with the close
            return True
        db.session.commit()
    if requeued:
        from ..conversations.transfer import after_requeue

        after_requeue(conversation_id)
    return True


def _system_message(conv: ConvRow, text: str, now: datetime) -> None:
    """Write a system message to the conversation (seen by the visitor and the agent)."""
    if not text.strip():
        return
    msg = store.insert_message(conv, "system", None, text.strip(), None, now)
    if msg is not None:
        publish({"type": "message.created", "message": message_dict(msg)}, *conversation_targets(conv))


def _alert(conv: ConvRow, level: str, rule_id: str) -> None:
    event: dict[str, Any] = {"type": "conversation.alert", "conversation_id": conv.id,
                             "level": level, "agent_id": conv.agent_id, "rule_id": rule_id}
    targets = [(AGENT_NS, monitor_room(conv.company_id))]
    if conv.agent_id:
        targets.insert(0, (AGENT_NS, agent_room(conv.agent_id)))
    publish(event, *targets)


def _transfer(conv: Conversation, group: Any, rule_id: str, version: int | None) -> bool:
    from ..conversations.transfer import requeue_to_group

    done = db.session.scalar(
        select(func.count(ConversationEvent.id)).where(
            ConversationEvent.conversation_id == conv.id,
            ConversationEvent.kind == "transferred",
        )
    ) or 0
    if done >= MAX_AUTO_TRANSFERS or not isinstance(group, int) or isinstance(group, bool):
        return False
    return requeue_to_group(conv, group, by="rule", rule_id=rule_id, version=version)
