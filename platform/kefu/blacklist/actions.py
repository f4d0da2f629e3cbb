"""Blacklist writes: put a visitor on it from a chat, lift it, and turn away their new chats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..audit.actions import record
from ..conversations.access import access_conversation
from ..conversations.models import OPEN_STATUSES, Conversation, ConversationEvent
from ..conversations.schemas import load
from ..conversations.serialize import conversation_dict
from ..errors import KefuError
from ..extensions import db
from ..org.models import User
from ..realtime.events import VISITOR_NS, publish, visitor_room
from ..timeutil import iso, utcnow
from .models import DURATIONS, REASON_MAX, BlacklistEntry
from .queries import active_entry
from .schemas import BlacklistSchema


def entry_dict(entry: BlacklistEntry) -> dict[str, Any]:
    """Serialize a blacklist entry for acks and pages."""
    return {
        "id": entry.id, "visitor_id": entry.visitor_id, "conversation_id": entry.conversation_id,
        "reason": entry.reason, "duration": entry.duration, "expires_at": iso(entry.expires_at),
        "created_by_id": entry.created_by_id, "created_at": iso(entry.created_at),
        "lifted_at": iso(entry.lifted_at),
    }


def check_blacklist(agent: User, data: Any) -> tuple[BlacklistEntry, bool]:
    """Validate an agent's request to blacklist the visitor of their chat; return (entry, created).

    A replay of a request that already took effect returns the same entry and changes nothing.
    """
    fields = load(BlacklistSchema(), data)
    reason = fields["reason"].strip()
    if not reason or len(reason) > REASON_MAX:
        raise KefuError("blacklist_reason", fields={"reason": ["1-200 characters"]})
    if fields["duration"] not in DURATIONS:
        raise KefuError("blacklist_duration", fields={"duration": sorted(DURATIONS)})
    conv = access_conversation(agent, fields["conversation_id"])  # foreign: not found
    earlier = active_entry(conv.company_id, conv.visitor_id)
    if earlier is not None and earlier.conversation_id == conv.id:
        return earlier, False
    if conv.agent_id != agent.id:
        raise KefuError("not_assigned", status=403)
    if not conv.is_open:
        raise KefuError("conversation_closed", status=409)
    return do_blacklist(agent, conv, reason, fields["duration"]), True


def do_blacklist(actor: User, conv: Conversation, reason: str, duration: str) -> BlacklistEntry:
    """Blacklist a conversation's visitor and end every open chat of theirs as "blacklisted"."""
    from ..conversations.actions import do_close

    now = utcnow()
    days = DURATIONS[duration]
    entry = BlacklistEntry(
        company_id=conv.company_id, visitor_id=conv.visitor_id, conversation_id=conv.id,
        reason=reason, duration=duration, created_by_id=actor.id, created_at=now,
        expires_at=now + timedelta(days=days) if days is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    db.session.add(ConversationEvent(
        company_id=conv.company_id, conversation_id=conv.id, kind="blacklisted", actor_id=actor.id,
        data={"entry_id": entry.id, "reason": reason, "duration": duration,
              "expires_at": iso(entry.expires_at)},
    ))
    record(actor.id, "blacklist", entry, conv.company_id,
           {"visitor_id": [None, conv.visitor_id], "reason": [None, reason],
            "duration": [None, duration]})
    db.session.commit()
    # The visitor may also be chatting on another channel: no human serves them from now on.
    others = db.session.scalars(
        select(Conversation).where(Conversation.company_id == conv.company_id,
                                   Conversation.visitor_id == conv.visitor_id,
                                   Conversation.status.in_(OPEN_STATUSES))
        .order_by(Conversation.id)
    ).all()
    for other in others:
        do_close(other, "blacklisted", actor_id=actor.id)
    return entry


def do_lift(actor: User, entry: BlacklistEntry) -> BlacklistEntry:
    """Lift a blacklisting (解除拉黑): audit-logged and on the timeline of the chat it came from."""
    if entry.lifted_at is not None:
        raise KefuError("blacklist_lifted", status=409)
    now = utcnow()
    changes = {"lifted_at": [None, iso(now)], "lifted_by_id": [None, actor.id]}
    entry.lifted_at = now
    entry.lifted_by_id = actor.id
    if entry.conversation_id is not None:
        db.session.add(ConversationEvent(
            company_id=entry.company_id, conversation_id=entry.conversation_id,
            kind="blacklist_lifted", actor_id=actor.id, data={"entry_id": entry.id},
        ))
    record(actor.id, "unblacklist", entry, entry.company_id, changes)
    db.session.commit()
    return entry


def turn_away(conv: Conversation) -> None:
    """End a blacklisted visitor's new conversation before any routing (caller commits).

    Their message stays stored on it (agents and admins read it in the history); the visitor
    is told that no agent can serve them for now.
    """
    from ..conversations import store
    from ..conversations.actions import conversation_targets
    from ..conversations.serialize import message_dict
    from ..ending.texts import TURNED_AWAY

    now = utcnow()
    entry = active_entry(conv.company_id, conv.visitor_id, now)
    conv.status = "closed"
    conv.closed_at = now
    conv.end_reason = "blacklisted"
    conv.queued_at = None
    db.session.add(ConversationEvent(
        company_id=conv.company_id, conversation_id=conv.id, kind="closed",
        data={"reason": "blacklisted", "turned_away": True, "entry_id": entry.id if entry else None},
    ))
    db.session.flush()
    row = store.lock_conversation(conv.id)
    assert row is not None
    lang = "en" if (conv.language or "").lower().startswith("en") else "zh"
    note = store.insert_message(row, "system", None, TURNED_AWAY[1 if lang == "en" else 0], None, now)
    if note is not None:
        publish({"type": "message.created", "message": message_dict(note)}, *conversation_targets(row))
    publish({"type": "conversation.closed", "conversation": conversation_dict(conv)},
            (VISITOR_NS, visitor_room(conv.visitor_id)))
