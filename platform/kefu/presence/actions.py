"""Writes of agent statuses: change (or ask to), approve/reject, force offline, open chats after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..audit.actions import record
from ..conversations.schemas import load
from ..errors import KefuError, NotFound
from ..extensions import db
from ..org.actions import do_set_status
from ..org.models import User
from ..realtime.events import AGENT_NS, agent_room, monitor_room, publish
from ..settings.queries import company_settings
from ..timeutil import utcnow
from .access import access_status_request, can_force_offline
from .models import BusyReason, StatusRequest
from .queries import pending_request, request_dict
from .schemas import RequestIdSchema, StatusChangeSchema

MAX_REASON = 50


def needs_approval(old: str, new: str, old_reason: int | None = None, new_reason: int | None = None) -> bool:
    """Leaving 在线 (or any change to a status that takes no chats) waits for an admin.

    A new busy reason (小休 → 会议) waits too: availability stays the same, but the work log
    counts each reason apart, and an approved 会议 must not silently become a long 小休.
    """
    if new == "online":
        return False
    return new != old or (new == "busy" and new_reason != old_reason)


def _busy_reason(agent: User, reason_id: int | None) -> BusyReason | None:
    if reason_id is None:
        return None
    row = db.session.get(BusyReason, reason_id)
    if row is None or not row.enabled:
        raise KefuError("unknown_busy_reason", fields={"busy_reason_id": ["unknown"]})
    if row.company_id != agent.company_id:
        raise KefuError("cross_company", fields={"busy_reason_id": ["another company"]})
    return row


def check_change_status(agent: User, data: Any) -> dict[str, Any]:
    """Validate an agent's own status change; apply it, or file it for approval.

    Returns {"status", "busy_reason_id", "pending": request or None}.
    """
    if agent.company_id is None:
        raise KefuError("forbidden", status=403)
    fields = load(StatusChangeSchema(), data)
    status, text = fields["status"], fields["reason"].strip()
    if len(text) > MAX_REASON:
        raise KefuError("status_reason_too_long", fields={"reason": [f"max {MAX_REASON}"]})
    if fields["busy_reason_id"] is not None and status != "busy":
        raise KefuError("invalid_input", fields={"busy_reason_id": ["only with busy"]})
    busy = _busy_reason(agent, fields["busy_reason_id"])
    settings = company_settings(agent.company_id)
    if settings.status_approval and needs_approval(agent.status, status, agent.busy_reason_id,
                                                   busy.id if busy else None):
        text = text or (busy.name if busy else "")
        if not text:
            raise KefuError("status_reason_required", fields={"reason": ["required"]})
        req = do_request_status(agent, status, busy, text)
        return {"status": agent.status, "busy_reason_id": agent.busy_reason_id, "pending": request_dict(req)}
    do_change_status(agent, status, busy, text or (busy.name if busy else ""), source="self",
                     actor_id=agent.id)
    return {"status": agent.status, "busy_reason_id": agent.busy_reason_id, "pending": None}


def do_change_status(
    agent: User, status: str, busy: BusyReason | None, reason: str, *, source: str,
    actor_id: int | None,
) -> User:
    """Apply a status (cancelling any pending request), then treat the open chats if offline."""
    _cancel_pending(agent.id)
    was = agent.status
    do_set_status(agent, status, reason, source=source, actor_id=actor_id,
                  busy_reason_id=busy.id if busy else None)
    db.session.commit()  # an unchanged status commits nothing there: the withdrawal must stick
    if status == "offline" and was != "offline":
        after_offline(agent.id, actor_id)
    return agent


def do_request_status(agent: User, status: str, busy: BusyReason | None, reason: str) -> StatusRequest:
    """File a status change for approval; a newer request replaces a pending one."""
    _cancel_pending(agent.id)
    req = StatusRequest(company_id=agent.company_id, user_id=agent.id, old_status=agent.status,
                        status=status, busy_reason_id=busy.id if busy else None, reason=reason)
    db.session.add(req)
    db.session.flush()
    event = {"type": "agent.status_request", "request": request_dict(req)}
    publish(event, (AGENT_NS, agent_room(agent.id)), (AGENT_NS, monitor_room(req.company_id)))
    db.session.commit()
    return req


def _cancel_pending(agent_id: int) -> None:
    """Withdraw the agent's pending requests (the caller commits); their deciders hear it."""
    for req in db.session.scalars(
        select(StatusRequest).where(StatusRequest.user_id == agent_id, StatusRequest.state == "pending")
    ):
        req.state = "cancelled"
        req.decided_at = utcnow()
        publish({"type": "agent.status_request", "request": request_dict(req)},
                (AGENT_NS, agent_room(agent_id)), (AGENT_NS, monitor_room(req.company_id)))


def check_cancel_request(agent: User) -> None:
    """The agent withdraws their pending request (nothing pending is not an error)."""
    req = pending_request(agent.id)
    if req is None:
        return
    _cancel_pending(agent.id)  # tells the agent's other tabs and the deciders
    db.session.commit()


def check_decide(actor: User, data: Any, approve: bool) -> StatusRequest:
    """Validate an approval decision by an admin or the agent's manager, then apply it."""
    fields = load(RequestIdSchema(), data)
    req = access_status_request(actor, fields["request_id"])
    if req.state != "pending":
        raise KefuError("request_decided", status=409)
    return do_decide(actor.id, req, approve)


def do_decide(actor_id: int | None, req: StatusRequest, approve: bool) -> StatusRequest:
    """Approve (the status changes) or reject (the agent is told) a pending request."""
    agent = db.session.get(User, req.user_id)
    if agent is None:
        raise NotFound("not_found")
    req.state = "approved" if approve else "rejected"
    req.decided_by_id = actor_id
    req.decided_at = utcnow()
    record(actor_id, "approve" if approve else "reject", req, req.company_id,
           {"status": [req.old_status, req.status], "reason": [None, req.reason]})
    publish({"type": "agent.status_request", "request": request_dict(req)},
            (AGENT_NS, agent_room(agent.id)), (AGENT_NS, monitor_room(req.company_id)))
    if not approve:
        db.session.commit()
        return req
    busy = db.session.get(BusyReason, req.busy_reason_id) if req.busy_reason_id else None
    was = agent.status
    do_set_status(agent, req.status, req.reason, source="approval", actor_id=actor_id,
                  busy_reason_id=busy.id if busy else None)  # commits the decision too
    db.session.commit()
    if req.status == "offline" and was != "offline":
        after_offline(agent.id, actor_id)
    return req


def check_force_offline(actor: User, agent_id: int) -> User:
    """Validate that the actor may force this agent offline, then do it."""
    agent = db.session.get(User, agent_id)
    if agent is None or not can_force_offline(actor, agent):
        raise NotFound("not_found")
    return do_force_offline(actor.id, agent)


def do_force_offline(actor_id: int | None, agent: User) -> User:
    """Set an agent offline for an admin (audit logged); their screen says so."""
    was = agent.status
    _cancel_pending(agent.id)
    record(actor_id, "force_offline", agent, agent.company_id, {"status": [was, "offline"]})
    publish({"type": "agent.forced_offline", "agent_id": agent.id, "by": actor_id},
            (AGENT_NS, agent_room(agent.id)))
    do_set_status(agent, "offline", "forced", source="admin", actor_id=actor_id)
    db.session.commit()  # when already offline do_set_status did not commit the audit row
    if was != "offline":
        after_offline(agent.id, actor_id)
    return agent


def after_offline(agent_id: int, actor_id: int | None) -> int:
    """Treat an offline agent's open chats as the company says: stay, requeue or close."""
    agent = db.session.get(User, agent_id)
    if agent is None or agent.company_id is None or agent.status != "offline":
        return 0
    policy = company_settings(agent.company_id).offline_chats
    if policy == "requeue":
        from ..conversations.actions import do_release_agent_chats

        return do_release_agent_chats(agent_id, actor_id)
    if policy == "close":
        from ..conversations.actions import do_close
        from ..conversations.models import Conversation
        from ..conversations.queries import agent_open_conversations
        from ..dblock import locked

        closed = 0
        for conv in agent_open_conversations(agent_id):
            # The list is older than this lock (locks nest): a chat transferred or taken over
            # meanwhile belongs to its new agent and stays open.
            with locked(Conversation, [conv.id]):
                db.session.refresh(conv)
                if conv.agent_id != agent_id or conv.status != "active":
                    db.session.rollback()
                    continue
                do_close(conv, "agent_offline", actor_id=actor_id)
            closed += 1
        return closed
    return 0
