"""Every write to conversations and messages: check_* validates untrusted input, do_* performs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..channels.models import Channel
from ..channels.queries import channel_state
from ..dblock import locked, serialized
from ..decisions.session import after_message, clear_deadlines, refresh_after_assign
from ..errors import KefuError
from ..extensions import db
from ..jobs import enqueue
from ..org.models import User
from ..realtime.events import AGENT_NS, VISITOR_NS, agent_room, publish, visitor_room
from ..timeutil import utcnow
from ..visitors.models import Visitor
from ..visitors.token import VisitorClaims
from . import queries, store
from .access import access_conversation_reply
from .models import END_REASONS, OPEN_STATUSES, Conversation, ConversationEvent, ConversationSegment
from .schemas import AgentSendSchema, CloseSchema, SendMessageSchema, clean_text, load
from .serialize import conversation_dict, message_dict
from .store import ConvRow, StoredMessage


def conversation_targets(conv: ConvRow | Conversation) -> list[tuple[str, str]]:
    """Where a conversation's events go: the visitor's sockets, its agent's and its helpers' and
    watchers' (kept on the row, so this costs no query)."""
    targets = [(VISITOR_NS, visitor_room(conv.visitor_id))]
    if conv.agent_id:
        targets.append((AGENT_NS, agent_room(conv.agent_id)))
    for user_id in conv.participant_ids or ():
        if user_id != conv.agent_id:
            targets.append((AGENT_NS, agent_room(user_id)))
    return targets


def _event(conv: Conversation, kind: str, actor_id: int | None = None, **data: Any) -> None:
    db.session.add(
        ConversationEvent(
            company_id=conv.company_id, conversation_id=conv.id, kind=kind, actor_id=actor_id,
            data=data,
        )
    )


# --- visitor side -------------------------------------------------------------------------

def check_visitor_message(claims: VisitorClaims, data: Any) -> tuple[StoredMessage, bool]:
    """Validate a visitor's message and store it; return (message, newly_created)."""
    fields = load(SendMessageSchema(), data)
    file_id = fields["file_id"]
    text = clean_text(fields["text"]) if file_id is None or (fields["text"] or "").strip() else ""
    state = channel_state(claims.channel_id)
    if state is None or state.company_id != claims.company_id:
        raise KefuError("invalid_token", status=401)
    if not state.enabled:
        raise KefuError("channel_disabled", status=403)
    from ..chatpane.actions import visitor_payload  # quote, sensitive-word flags

    payload = visitor_payload(claims, text, fields["reply_to"])
    content_type = "text"
    if file_id is not None:  # an image or file: the text becomes its caption
        from ..chatfiles.actions import visitor_file_message

        content_type, text, payload = visitor_file_message(claims, file_id, text, payload,
                                                           fields["client_id"])
    return do_visitor_message(claims, text, fields["client_id"], payload, content_type)


def do_visitor_message(
    claims: VisitorClaims, text: str, client_id: str | None, payload: dict[str, Any] | None = None,
    content_type: str = "text",
) -> tuple[StoredMessage, bool]:
    """Store a visitor message, opening and routing a conversation if none is open.

    The conversation row is locked while the message is written, so an assignment committing
    meanwhile either includes this message in what it hands the agent or is seen here.
    """
    opened: Conversation | None = None
    leave_reason: str | None = None
    with serialized():
        conv = store.lock_open_conversation(claims.visitor_id, claims.channel_id)
        if conv is None:
            # First message: lock the visitor so two tabs cannot open two conversations.
            visitor = db.session.scalars(
                select(Visitor).where(Visitor.id == claims.visitor_id).with_for_update()
            ).first()
            channel = db.session.get(Channel, claims.channel_id)
            if visitor is None or channel is None or visitor.company_id != claims.company_id:
                db.session.rollback()
                raise KefuError("invalid_token", status=401)
            conv = store.lock_open_conversation(claims.visitor_id, claims.channel_id)
            if conv is None and client_id:
                # A resend of a message stored just before its conversation closed: answer with
                # the stored one instead of opening a new conversation with it.
                last = queries.latest_conversation(claims.visitor_id, claims.channel_id)
                earlier = store.find_message(last.id, client_id) if last else None
                if earlier is not None:
                    db.session.rollback()
                    return earlier, False
            if conv is None:
                opened, leave_reason = do_open_conversation(channel, visitor)
                conv = store.lock_conversation(opened.id)
        assert conv is not None
        msg = _write_message(conv, "visitor", None, text, client_id, payload, content_type)
        if msg is None:
            return _stored_twin(conv, client_id), False
        if conv.status == "robot":  # the robot answers (or hands over) in this transaction
            from ..robot.actions import robot_reply

            robot_reply(conv, msg)
        elif opened is not None:
            place_new(opened, leave_reason)
        # Only a chat that really opened replaces the others: one closed at once (off hours,
        # nobody online, queue full, blacklisted) must not end a chat served on another channel.
        replaces = opened is not None and opened.status in OPEN_STATUSES
        db.session.commit()
    if opened is not None and replaces:
        from ..ending.actions import end_chats_elsewhere

        end_chats_elsewhere(opened.id)  # 客户打开新的页面: one live chat per visitor
    return msg, True


def place_new(conv: Conversation, leave_reason: str | None) -> None:
    """Serve a chat that needs a human as the rules said: assign, queue, or offer the form.

    For a new chat and for one the robot hands over; the caller holds its lock and commits.
    """
    if leave_reason == "blacklisted":
        from ..blacklist.actions import turn_away

        turn_away(conv)
    elif leave_reason is not None:
        _end_for_leave_message(conv, leave_reason)
    else:
        # Assign in the same transaction: the agent gets the chat with this message in it,
        # and the visitor hears "queued" only when nobody can take it now.
        from ..queueing.actions import enter_queue
        from ..queueing.queries import older_waiting
        from ..routing.assign import assign_now

        # No jumping the queue: older chats of its group are served first (by the drain).
        if older_waiting(conv) or assign_now(conv) is None:
            if enter_queue(conv):  # False: the queue was full, the form was offered
                _recheck_queue_soon(conv)


def do_open_conversation(channel: Channel, visitor: Visitor) -> tuple[Conversation, str | None]:
    """Open a conversation and let the reception and routing rules place it.

    Returns the conversation and, when the rules say nobody should serve it now, the
    leave-message reason.
    """
    from ..decisions.apply import route_new_conversation

    ctx = visitor.last_context or {}
    now = utcnow()
    conv = Conversation(
        company_id=channel.company_id, channel_id=channel.id, visitor_id=visitor.id,
        skill_group_id=channel.skill_group_id, status="queued", created_at=now, queued_at=now,
        page_url=str(ctx.get("page_url", ""))[:2048], referrer=str(ctx.get("referrer", ""))[:2048],
        utm=ctx.get("utm") or {}, device=str(ctx.get("device", ""))[:32],
        user_agent=str(ctx.get("user_agent", ""))[:512], ip=str(ctx.get("ip", ""))[:64],
        language=str(ctx.get("language", ""))[:16],
    )
    db.session.add(conv)
    db.session.flush()
    from ..blacklist.queries import is_blacklisted

    if is_blacklisted(conv.company_id, visitor.id, now):
        return conv, "blacklisted"  # never routed: no human serves a blacklisted visitor
    leave_reason = route_new_conversation(conv, channel, visitor, now)
    if leave_reason is None and conv.status != "robot":  # a robot chat queues when handed over
        _event(conv, "queued", skill_group_id=conv.skill_group_id, priority=conv.priority,
               strategy=(conv.routing or {}).get("strategy"))
    db.session.flush()
    return conv, leave_reason


def _end_for_leave_message(conv: Conversation, reason: str) -> None:
    """Offer the leave-message form instead of a queue, and end the conversation (caller commits)."""
    from ..leavemessages.actions import offer

    offer(conv, reason)
    conv.status = "closed"
    conv.closed_at = utcnow()
    conv.end_reason = "leave_message"
    _event(conv, "closed", reason="leave_message", leave_reason=reason)
    publish({"type": "conversation.closed", "conversation": conversation_dict(conv)},
            (VISITOR_NS, visitor_room(conv.visitor_id)))


def publish_queued(conv: Conversation) -> None:
    """Tell the visitor their conversation waits, where it stands and how long it may take."""
    from ..queueing.queries import Estimator

    position = queries.queue_position(conv)
    publish(
        {"type": "conversation.queued", "conversation": conversation_dict(conv),
         "queue_position": position,
         "eta_seconds": Estimator(conv.company_id, conv.skill_group_id).eta(position)},
        (VISITOR_NS, visitor_room(conv.visitor_id)),
    )


def publish_queue_positions(company_id: int, skill_group_id: int | None) -> None:
    """Tell every visitor still queued in a group their new place and wait (after one left the queue).

    Once the caller commits, and coalesced per queue (queueing/positions.py).
    """
    from ..queueing.positions import announce_positions

    announce_positions(company_id, skill_group_id)


# --- agent side ---------------------------------------------------------------------------

def check_agent_message(agent: User, data: Any) -> tuple[StoredMessage, bool]:
    """Validate an agent's reply and store it; return (message, newly_created)."""
    fields = load(AgentSendSchema(), data)
    file_id = fields["file_id"]
    text = clean_text(fields["text"]) if file_id is None or (fields["text"] or "").strip() else ""
    from ..chatpane.actions import agent_payload  # refuses sensitive words; adds the quote

    payload = agent_payload(agent, fields["conversation_id"], text, fields["reply_to"])
    content_type = "text"
    if file_id is not None:  # an image or file: the text becomes its caption
        from ..chatfiles.actions import agent_file_message

        content_type, text, payload = agent_file_message(agent, fields["conversation_id"], file_id,
                                                         text, payload)
    return do_agent_message(agent, fields["conversation_id"], text, fields["client_id"], payload,
                            content_type)


def do_agent_message(
    agent: User, conversation_id: int, text: str, client_id: str | None,
    payload: dict[str, Any] | None = None, content_type: str = "text",
) -> tuple[StoredMessage, bool]:
    """Store a reply of the assigned agent (or an invited helper) and record the first response."""
    from ..transfers.queries import is_helper

    with serialized():
        conv = store.lock_conversation(conversation_id)
        helping = conv is not None and conv.agent_id != agent.id and is_helper(conv, agent.id)
        if (conv is None or (conv.agent_id != agent.id and not helping) or not conv.is_open
                or (helping and conv.status != "active")):  # a helper helps its owner, not a queue
            db.session.rollback()
            if helping:
                assert conv is not None
                raise KefuError("conversation_closed" if not conv.is_open else "not_active",
                                status=409)
            access_conversation_reply(agent, conversation_id)  # raises the precise reason
            raise KefuError("not_assigned", status=403)  # pragma: no cover - raced a transfer
        msg = _write_message(conv, "agent", agent.id, text, client_id, payload, content_type)
        if msg is None:
            return _stored_twin(conv, client_id), False
        db.session.commit()
    return msg, True


def _write_message(
    conv: ConvRow, sender: str, sender_id: int | None, text: str, client_id: str | None,
    payload: dict[str, Any] | None = None, content_type: str = "text",
) -> StoredMessage | None:
    """Insert a message into a locked conversation and queue its event; None if a repeat."""
    now = utcnow()
    msg = store.insert_message(conv, sender, sender_id, text, client_id, now, payload, content_type)
    if msg is None:
        return None
    store.touch_conversation(conv, now, sender, sender_id)
    after_message(conv, sender, now)  # the session rules' deadlines restart from this message
    publish({"type": "message.created", "message": message_dict(msg)}, *conversation_targets(conv),
            skip_origin=True)
    return msg


def _stored_twin(conv: ConvRow, client_id: str | None) -> StoredMessage:
    """End the transaction and return the message already stored under this client id."""
    dup = store.find_message(conv.id, client_id or "")
    db.session.rollback()
    assert dup is not None, "a conflicting insert implies a stored twin"
    return dup


def do_assign(conv: Conversation, agent_id: int) -> None:
    """Give a queued conversation to an agent (caller holds the locks and commits).

    The visitors still queued behind it hear their new places from whoever drains the queue,
    once per group rather than once per assignment.
    """
    now = utcnow()
    conv.status = "active"
    conv.agent_id = agent_id
    conv.assigned_at = now
    if (conv.routing or {}).get("exclude_agent") is not None:  # served: a later requeue may use them
        conv.routing = {k: v for k, v in (conv.routing or {}).items() if k != "exclude_agent"}
    db.session.add(
        ConversationSegment(
            company_id=conv.company_id, conversation_id=conv.id, agent_id=agent_id,
            skill_group_id=conv.skill_group_id, assigned_at=now,
        )
    )
    _event(conv, "assigned", agent_id=agent_id)
    db.session.flush()
    refresh_after_assign(conv, now)
    agent = db.session.get(User, agent_id)
    header = conversation_dict(conv)
    messages = [message_dict(m) for m in queries.recent_messages(conv.id)]
    publish(
        {"type": "conversation.assigned", "conversation": header, "messages": messages},
        (AGENT_NS, agent_room(agent_id)),
    )
    publish(
        {
            "type": "conversation.assigned",
            "conversation": header,
            "agent": {"id": agent_id, "name": agent.shown_name if agent else ""},
        },
        (VISITOR_NS, visitor_room(conv.visitor_id)),
    )


def check_close(agent: User, data: Any) -> Conversation:
    """Validate an agent's request to end a conversation and end it."""
    fields = load(CloseSchema(), data)
    conv = access_conversation_reply(agent, fields["conversation_id"])
    from ..summaries.queries import summary_missing

    if summary_missing(conv.id, conv.company_id):  # 服务总结 required: only the agent's own close waits
        raise KefuError("summary_required", status=409)
    do_close(conv, "agent_removed", actor_id=agent.id)
    return conv


def do_close(conv: Conversation, reason: str, actor_id: int | None = None) -> None:
    """End a conversation, then compute its metrics in the background and refill the agent."""
    if reason not in END_REASONS:
        raise ValueError(f"unknown end reason {reason}")
    with locked(Conversation, [conv.id]):
        db.session.refresh(conv)
        if not conv.is_open:
            db.session.rollback()
            return
        now = utcnow()
        agent_id = conv.agent_id
        was_queued = conv.status == "queued"
        targets = conversation_targets(conv)
        conv.status = "closed"
        conv.closed_at = now
        conv.end_reason = reason
        segment = queries.current_segment(conv.id)
        if segment is not None:
            segment.ended_at = now
            segment.end_kind = "closed"
        _event(conv, "closed", actor_id=actor_id, reason=reason)
        clear_deadlines(conv.id)
        if was_queued:
            db.session.flush()
            publish_queue_positions(conv.company_id, conv.skill_group_id)
        publish({"type": "conversation.closed", "conversation": conversation_dict(conv)}, *targets)
        from ..ratings.invitations import invite_on_close

        invite_on_close(conv, reason)  # after "closed": the widget shows the form on the ended chat
        from .jobs import compute_conversation_metrics

        enqueue(compute_conversation_metrics, conv.id)
        company_id = conv.company_id
        db.session.commit()
    if agent_id is not None:
        from ..routing.assign import agent_group_ids, drain_queue

        drain_queue(company_id, agent_group_ids(agent_id))


def do_release_agent_chats(agent_id: int, actor_id: int | None = None) -> int:
    """Put an agent's active chats back in the queue (the account is going away); return how many.

    Each keeps its original queue time, so it goes ahead of newer arrivals, and the agent's
    segment ends as "released" so per-agent metrics stay right. The queue rules apply as to
    any waiting chat (queueing.actions.reenter_queue) except the maximum length.
    """
    from ..org.actions import do_set_status

    agent = db.session.get(User, agent_id)
    if agent is not None and agent.status != "offline":
        do_set_status(agent, "offline", "account removed")  # or the queue hands them back
    released = 0
    groups: set[int | None] = set()
    company_id: int | None = None
    for conv_id in [c.id for c in queries.agent_open_conversations(agent_id)]:
        with locked(Conversation, [conv_id]):
            conv = db.session.get(Conversation, conv_id, populate_existing=True)
            if conv is None or conv.agent_id != agent_id or conv.status != "active":
                db.session.rollback()
                continue
            now = utcnow()
            segment = queries.current_segment(conv.id)
            if segment is not None:
                segment.ended_at = now
                segment.end_kind = "released"
            conv.status = "queued"
            conv.agent_id = None
            conv.queued_at = conv.queued_at or now
            clear_deadlines(conv.id)  # nobody to alert about until it is assigned again
            _event(conv, "released", actor_id=actor_id, agent_id=agent_id)
            publish({"type": "conversation.released", "conversation": conversation_dict(conv)},
                    (AGENT_NS, agent_room(agent_id)))
            db.session.flush()
            publish_queued(conv)
            from ..queueing.actions import reenter_queue

            reenter_queue(conv)  # helpers leave, max wait runs; a full queue never refuses it
            groups.add(conv.skill_group_id)
            company_id = conv.company_id
            db.session.commit()
            released += 1
    if company_id is not None:
        from ..routing.assign import drain_queue

        drain_queue(company_id, groups)
    return released


def _recheck_queue_soon(conv: Conversation) -> None:
    """Look at the group's queue again shortly after commit.

    A close or an agent coming online that committed while this conversation was being queued
    drained the queue before this row was visible to it; without a second look it would wait
    for the next such event.
    """
    from ..routing.jobs import drain_group

    enqueue(drain_group, conv.company_id, conv.skill_group_id, delay=1.0)


def do_compute_metrics(conversation_id: int) -> int:
    """Fill the segment metrics of a closed conversation (idempotent); return the segment count."""
    from .metrics import fill_segment_metrics
    from .models import Message

    conv = db.session.get(Conversation, conversation_id)
    if conv is None or conv.status != "closed":
        return 0
    segments = list(db.session.scalars(
        select(ConversationSegment)
        .where(ConversationSegment.conversation_id == conversation_id)
        .order_by(ConversationSegment.id)
    ))
    messages = list(db.session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.created_at, Message.id)
    ))
    fill_segment_metrics(conv, segments, messages)
    conv.metrics_done = True
    db.session.commit()
    return len(segments)
