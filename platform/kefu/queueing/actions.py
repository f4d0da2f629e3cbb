"""Every write of the queue: entering it (or finding it full), the max-wait prompt, leaving it.

The max wait is a durable deadline (decisions.models.ConversationDeadline, kinds below) fired by
the session-deadline sweep, so a restart loses none: `queue_wait` asks the visitor "keep waiting
or leave a message?", `queue_answer` ends the wait (排队自动断开) when they do not answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select

from ..conversations import store
from ..conversations.models import Conversation, ConversationEvent
from ..conversations.schemas import load
from ..conversations.store import ConvRow
from ..dblock import is_sqlite, serialized
from ..decisions.models import ConversationDeadline
from ..errors import KefuError
from ..extensions import db
from ..realtime.events import VISITOR_NS, publish, visitor_room
from ..settings.queries import company_settings
from ..timeutil import utcnow
from ..visitors.token import VisitorClaims
from . import policy, queries
from .queries import ANSWER, KINDS, WAIT
from .schemas import QueueChoiceSchema
from .texts import text_for

_TABLE = ConversationDeadline.__table__
# Keys of the queue-length advisory locks: (this + company id, group id or 0), apart from others'.
_QUEUE_LOCK_SPACE = 0x6B00_0000


def _event(conv: Conversation, kind: str, **data: Any) -> None:
    db.session.add(ConversationEvent(company_id=conv.company_id, conversation_id=conv.id,
                                     kind=kind, data=data))


def _row(conv: Conversation) -> ConvRow:
    return ConvRow(conv.id, conv.company_id, conv.channel_id, conv.visitor_id, conv.agent_id,
                   conv.status, conv.first_response_at, conv.skill_group_id, conv.last_sender,
                   conv.participant_ids or [])


def _system_note(conv: Conversation, text: str, now: datetime) -> None:
    """Write a system message the visitor sees now and after a reload (caller commits)."""
    from ..conversations.actions import conversation_targets
    from ..conversations.serialize import message_dict

    row = _row(conv)
    msg = store.insert_message(row, "system", None, text, None, now)
    if msg is not None:
        publish({"type": "message.created", "message": message_dict(msg)}, *conversation_targets(row))


def _set_deadline(conv: Conversation, kind: str, due: datetime, **params: Any) -> None:
    """Replace the conversation's queue deadline with one of `kind` due at `due`."""
    db.session.execute(delete(_TABLE).where(_TABLE.c.conversation_id == conv.id,
                                            _TABLE.c.kind.in_(KINDS)))
    db.session.execute(insert(_TABLE), [{
        "company_id": conv.company_id, "conversation_id": conv.id, "kind": kind, "due_at": due,
        "params": params, "rule_id": "", "version": None,
    }])


def _clear_deadlines(conversation_id: int) -> None:
    db.session.execute(delete(_TABLE).where(_TABLE.c.conversation_id == conversation_id,
                                            _TABLE.c.kind.in_(KINDS)))


# --- entering the queue ---------------------------------------------------------------------

def _lock_queue(company_id: int, skill_group_id: int | None) -> None:
    """Serialize the full-queue check of one group's queue until the caller commits.

    Counted without it, a burst of first messages all saw room and overran the maximum length.
    SQLite: the caller holds dblock.serialized already. PostgreSQL: a transaction advisory lock
    per (company, group) rather than a FOR UPDATE on the skill group row, which every insert of a
    conversation or segment referencing the group (a foreign-key KEY SHARE lock) would wait on.
    """
    if is_sqlite():
        return
    db.session.execute(select(func.pg_advisory_xact_lock(_QUEUE_LOCK_SPACE + company_id,
                                                         skill_group_id or 0)))


def enter_queue(conv: Conversation) -> bool:
    """Queue a new conversation nobody could take now, or turn it away when the queue is full.

    Runs inside the caller's transaction with the conversation locked; the caller commits.
    Returns True when it waits in the queue, False when it ended with the leave-message form.
    """
    from ..conversations.actions import (
        _end_for_leave_message,
        publish_queue_positions,
        publish_queued,
    )
    from ..conversations.queries import queue_position

    limits = queries.limits_for(conv)
    now = utcnow()
    if limits.max_length > 0:
        _lock_queue(conv.company_id, conv.skill_group_id)
    ahead = queries.queued_count(conv.company_id, conv.skill_group_id, exclude=conv.id)
    if policy.is_full(ahead, limits):
        settings = company_settings(conv.company_id)
        _system_note(conv, text_for("queue_full", settings.queue_full_text, conv.language), now)
        _event(conv, "queue_full", queued=ahead, max_length=limits.max_length)
        _end_for_leave_message(conv, "queue_full")
        return False
    if limits.max_wait > 0:
        _set_deadline(conv, WAIT, (conv.queued_at or now) + timedelta(seconds=limits.max_wait))
    publish_queued(conv)
    if queue_position(conv) <= ahead:  # a higher priority went ahead: those behind moved back
        publish_queue_positions(conv.company_id, conv.skill_group_id)
    return True


def reenter_queue(conv: Conversation) -> None:
    """Apply the queue rules to a chat sent back to the queue (a rule's transfer, a released
    agent): helpers and watchers leave, the max-wait clock starts now; the caller commits.

    Exempt from the maximum length: the chat was already being served, so a full queue never
    turns it away (a newcomer is what the limit refuses).
    """
    from ..conversations.actions import publish_queue_positions
    from ..transfers.actions import end_all_stays

    end_all_stays(conv)
    _clear_deadlines(conv.id)
    limits = queries.limits_for(conv)
    if limits.max_wait > 0:
        _set_deadline(conv, WAIT, utcnow() + timedelta(seconds=limits.max_wait))
    db.session.flush()
    publish_queue_positions(conv.company_id, conv.skill_group_id)  # its arrival moves others' places


# --- the max-wait deadlines -----------------------------------------------------------------

def fire_deadline(conv_row: ConvRow, kind: str, now: datetime) -> bool:
    """Fire a queue deadline of a locked conversation (its row already deleted); commits.

    Stale when the chat no longer waits (served or ended meanwhile): nothing happens.
    """
    if conv_row.status != "queued":
        db.session.commit()
        return False
    conv = db.session.get(Conversation, conv_row.id, populate_existing=True)
    assert conv is not None
    settings = company_settings(conv.company_id)
    if kind == WAIT:
        text = text_for("queue_timeout", settings.queue_timeout_text, conv.language)
        _system_note(conv, text, now)
        _event(conv, "queue_timeout", wait_seconds=round(queries.wait_seconds(conv), 1))
        _set_deadline(conv, ANSWER, now + timedelta(seconds=policy.ANSWER_SECONDS))
        publish({"type": "queue.timeout", "conversation_id": conv.id, "text": text,
                 "answer_seconds": policy.ANSWER_SECONDS},
                (VISITOR_NS, visitor_room(conv.visitor_id)))
        db.session.commit()
        return True
    _system_note(conv, text_for("queue_abandoned", None, conv.language), now)
    _abandon(conv, "no_answer")
    return True


# --- leaving the queue ----------------------------------------------------------------------

def _abandon(conv: Conversation, cause: str) -> None:
    """Record 排队放弃 with the wait so far and end the chat (commits)."""
    from ..conversations.actions import do_close

    wait = round(queries.wait_seconds(conv), 1)
    conv.queue_wait_seconds = wait
    _event(conv, "abandoned", cause=cause, wait_seconds=wait)
    db.session.flush()
    do_close(conv, "queue_abandoned")


def do_abandon(conversation_id: int, cause: str) -> bool:
    """End a conversation that still waits in the queue as abandoned; False if it no longer waits.

    `cause` says how: visitor_left (the leave-queue button), page_closed, no_answer.
    Idempotent: a second call finds it closed and changes nothing.
    """
    with serialized():
        row = store.lock_conversation(conversation_id)
        if row is None or row.status != "queued":
            db.session.rollback()
            return False
        conv = db.session.get(Conversation, conversation_id, populate_existing=True)
        assert conv is not None
        _abandon(conv, cause)
    return True


def do_keep_waiting(conversation_id: int) -> bool:
    """Answer the max-wait prompt with "keep waiting": the wait restarts; False if not asked."""
    from ..conversations.actions import publish_queued

    with serialized():
        row = store.lock_conversation(conversation_id)
        if row is None or row.status != "queued" or not queries.prompt_pending(conversation_id):
            db.session.rollback()
            return False
        conv = db.session.get(Conversation, conversation_id, populate_existing=True)
        assert conv is not None
        now = utcnow()
        _clear_deadlines(conv.id)
        limits = queries.limits_for(conv)
        if limits.max_wait > 0:
            _set_deadline(conv, WAIT, now + timedelta(seconds=limits.max_wait))
        _event(conv, "queue_keep_waiting", wait_seconds=round(queries.wait_seconds(conv), 1))
        publish_queued(conv)
        db.session.commit()
    return True


def do_leave_message(conversation_id: int) -> bool:
    """Leave the queue for the leave-message form; False if the chat no longer waits."""
    from ..conversations.actions import _end_for_leave_message, publish_queue_positions

    with serialized():
        row = store.lock_conversation(conversation_id)
        if row is None or row.status != "queued":
            db.session.rollback()
            return False
        conv = db.session.get(Conversation, conversation_id, populate_existing=True)
        assert conv is not None
        reason = "queue_timeout" if queries.prompt_pending(conv.id) else "visitor_choice"
        wait = round(queries.wait_seconds(conv), 1)
        conv.queue_wait_seconds = wait
        _event(conv, "queue_left", cause="leave_message", wait_seconds=wait)
        _clear_deadlines(conv.id)
        _end_for_leave_message(conv, reason)
        db.session.flush()
        publish_queue_positions(conv.company_id, conv.skill_group_id)
        db.session.commit()
    return True


# --- the visitor's answers (untrusted input) -------------------------------------------------

def _visitor_conversation(claims: VisitorClaims, data: Any) -> Conversation:
    """The visitor's own conversation named in `data`; a foreign or unknown one is not found."""
    fields = load(QueueChoiceSchema(), data)
    conv = db.session.get(Conversation, fields["conversation_id"])
    if conv is None or conv.visitor_id != claims.visitor_id or conv.company_id != claims.company_id:
        raise KefuError("not_found", status=404)
    return conv


def _answer(conv_id: int, changed: bool) -> dict[str, Any]:
    """The ack: whether anything changed, and where the conversation stands now."""
    db.session.rollback()
    conv = db.session.get(Conversation, conv_id)
    assert conv is not None
    if not changed and conv.status == "active":
        raise KefuError("not_queued", status=409)
    return {"changed": changed,
            "conversation": {"id": conv.id, "status": conv.status, "end_reason": conv.end_reason}}


def check_leave(claims: VisitorClaims, data: Any) -> dict[str, Any]:
    """A visitor leaves the queue (排队放弃); a replay finds the chat ended and changes nothing."""
    conv = _visitor_conversation(claims, data)
    return _answer(conv.id, do_abandon(conv.id, "visitor_left"))


def check_keep_waiting(claims: VisitorClaims, data: Any) -> dict[str, Any]:
    """A visitor keeps waiting after the max-wait prompt; a replay changes nothing."""
    conv = _visitor_conversation(claims, data)
    conv_id = conv.id
    changed = do_keep_waiting(conv_id)
    out = _answer(conv_id, changed)
    if out["conversation"]["status"] == "closed":
        raise KefuError("conversation_closed", status=409)
    return out


def check_leave_message(claims: VisitorClaims, data: Any) -> dict[str, Any]:
    """A queued visitor chooses the leave-message form instead; a replay changes nothing."""
    conv = _visitor_conversation(claims, data)
    return _answer(conv.id, do_leave_message(conv.id))


def publish_waits(company_id: int, skill_group_ids: list[int | None]) -> None:
    """Tell the visitors queued in these groups their new waits (their capacity changed); commits."""
    from ..conversations.actions import publish_queue_positions

    for group in skill_group_ids:
        publish_queue_positions(company_id, group)
    db.session.commit()  # delivers the events
