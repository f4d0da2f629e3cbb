"""Every write of transfers, invitations (邀请协助), silent monitoring and takeover (抢接).

A transfer or takeover hands an active chat straight to its next agent under the same capacity
claim routing uses (`routing.assign._claim`): the current segment ends ("transferred" or
"taken_over"), `do_assign` opens the next agent's segment and hands them the history. A target
with no room is refused rather than queued, so a chat never sits unowned because of a click.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..conversations import queries as conv_queries
from ..conversations.access import can_see_conversation
from ..conversations.actions import do_assign
from ..conversations.models import Conversation, ConversationEvent
from ..conversations.schemas import load
from ..conversations.serialize import conversation_dict, message_dict
from ..dblock import locked
from ..decisions.session import clear_deadlines
from ..errors import KefuError, NotFound
from ..extensions import db
from ..org.models import User
from ..org.queries import company_group
from ..realtime.events import AGENT_NS, VISITOR_NS, agent_room, publish, visitor_room
from ..routing.assign import CLAIM_PAUSE, CLAIM_ROUNDS, _claim, load_candidates, rank
from ..timeutil import utcnow
from .models import ConversationParticipant
from .queries import active_participant, is_manager
from .schemas import REASON_MAX, ConversationRefSchema, InviteSchema, TransferSchema

TAKEOVER_NOTICE = (
    "您与该客户的会话已经被管理员抢接", "A manager has taken over your conversation with this customer"
)


@dataclass(frozen=True)
class Handover:
    """The outcome of a transfer or takeover: who holds the chat now; duplicate for a replay."""

    conversation_id: int
    agent_id: int | None
    duplicate: bool


# --- shared steps -------------------------------------------------------------------------

def _conversation(actor: User, conversation_id: int) -> Conversation:
    """Load (fresh, under the caller's lock) a conversation of the actor's company; NotFound else."""
    conv = db.session.get(Conversation, conversation_id, populate_existing=True)
    if conv is None or actor.is_operator or conv.company_id != actor.company_id:
        raise NotFound("not_found")
    return conv


def _may_hand_over(actor: User, conv: Conversation) -> None:
    """The chat's own agent, or a manager who may see it, can transfer it or invite to it."""
    if conv.agent_id == actor.id:
        return
    if is_manager(actor) and can_see_conversation(actor, conv):
        return
    raise KefuError("not_assigned", status=403)


def _managed(actor: User, conv: Conversation) -> None:
    """Watching and taking over are for managers who may see the chat."""
    if not is_manager(actor):
        raise KefuError("managers_only", status=403)
    if not can_see_conversation(actor, conv):
        raise NotFound("not_found")


def _replayed(conversation_id: int, kind: str, actor_id: int, client_id: str | None) -> bool:
    """Whether this actor already made this request (same client id) on this conversation."""
    if not client_id:
        return False
    rows = db.session.scalars(
        select(ConversationEvent.data).where(ConversationEvent.conversation_id == conversation_id,
                                             ConversationEvent.kind == kind,
                                             ConversationEvent.actor_id == actor_id)
    )
    return any((data or {}).get("client_id") == client_id for data in rows)


def _event(conv: Conversation, kind: str, actor_id: int | None, **data: Any) -> None:
    db.session.add(ConversationEvent(company_id=conv.company_id, conversation_id=conv.id, kind=kind,
                                     actor_id=actor_id, data=data))


def _sync_participant_ids(conv: Conversation) -> None:
    """Copy who is in the chat now onto the row the message path reads (caller holds the lock)."""
    db.session.flush()
    ids = db.session.scalars(
        select(ConversationParticipant.user_id).where(
            ConversationParticipant.conversation_id == conv.id,
            ConversationParticipant.left_at.is_(None))
    )
    conv.participant_ids = sorted(set(ids))


def _end_stays(conv: Conversation, user_id: int, role: str | None = None) -> bool:
    """End the user's current stays in the chat (of `role`, or all); True if there was one."""
    found = False
    while (stay := active_participant(conv.id, user_id, role)) is not None:
        stay.left_at = utcnow()
        db.session.flush()
        found = True
    if found:
        _sync_participant_ids(conv)
    return found


def end_all_stays(conv: Conversation) -> None:
    """End every helper's and watcher's stay (the chat went back to the queue; no commit).

    Each is told (their workbench drops the chat), and a helper's leaving goes on the timeline.
    """
    stays = list(db.session.scalars(
        select(ConversationParticipant).where(ConversationParticipant.conversation_id == conv.id,
                                              ConversationParticipant.left_at.is_(None))))
    if not stays:
        return
    now = utcnow()
    for stay in stays:
        stay.left_at = now
        if stay.role == "helper":
            _event(conv, "helper_left", None, agent_id=stay.user_id, cause="requeued")
    _sync_participant_ids(conv)
    for user_id in sorted({s.user_id for s in stays}):
        publish({"type": "conversation.left", "conversation_id": conv.id},
                (AGENT_NS, agent_room(user_id)))


def _user_brief(user_id: int | None) -> dict[str, Any] | None:
    user = db.session.get(User, user_id) if user_id else None
    return {"id": user.id, "name": user.shown_name} if user else None


def _claim_retry(agent_id: int) -> bool:
    """Claim an agent's capacity like routing does, waiting briefly while another claim holds them."""
    for _round in range(CLAIM_ROUNDS):
        claimed = _claim(agent_id)
        if claimed is not None:
            return claimed
        time.sleep(CLAIM_PAUSE)
    return False


def _hand_over(conv: Conversation, actor_id: int, to_agent: int, kind: str, **data: Any) -> int | None:
    """End the holder's segment, record the step and give the chat to `to_agent` (no commit).

    Returns the previous agent. The visitor hears about the step before the new agent's name.
    """
    now = utcnow()
    from_agent = conv.agent_id
    segment = conv_queries.current_segment(conv.id)
    if segment is not None:
        segment.ended_at = now
        segment.end_kind = kind
    routing = dict(conv.routing or {})
    if routing.get("strategy") == "designated":
        # Handed on deliberately: the designated agent no longer has to be the one serving it.
        routing["strategy"] = "least_saturation"
        conv.routing = routing
    _event(conv, kind, actor_id, from_agent_id=from_agent, to_agent_id=to_agent, **data)
    _end_stays(conv, to_agent)  # the new owner is no longer a helper or watcher
    clear_deadlines(conv.id)  # the new agent's deadlines are set on assignment
    db.session.flush()
    publish({"type": "conversation.transferred", "conversation": {"id": conv.id, "status": "active"},
             "kind": kind}, (VISITOR_NS, visitor_room(conv.visitor_id)))
    db.session.expire(conv, ["agent"])  # conversation_dict must name the new agent
    do_assign(conv, to_agent)
    return from_agent


def _refill(company_id: int, agent_id: int | None) -> None:
    """The previous agent has room again: let their groups' queues use it (after commit)."""
    if agent_id is None:
        return
    from ..routing.assign import agent_group_ids, drain_queue

    drain_queue(company_id, agent_group_ids(agent_id))


# --- transfer -----------------------------------------------------------------------------

def check_transfer(actor: User, data: Any) -> Handover:
    """Validate a transfer request from the workbench and perform it."""
    fields = load(TransferSchema(), data)
    reason = (fields["reason"] or "").strip()
    if len(reason) > REASON_MAX:
        raise KefuError("transfer_reason_too_long", fields={"reason": ["too long"]}, limit=REASON_MAX)
    if (fields["agent_id"] is None) == (fields["group_id"] is None):
        raise KefuError("transfer_target_required", fields={"agent_id": ["one target"]})
    return do_transfer(actor, fields["conversation_id"], agent_id=fields["agent_id"],
                       group_id=fields["group_id"], reason=reason, client_id=fields["client_id"])


def _target_agent(conv: Conversation, agent_id: int) -> int:
    """Check a target agent and claim room with them, or refuse with the reason."""
    target = db.session.get(User, agent_id)
    if (target is None or target.company_id != conv.company_id or target.is_operator
            or not target.is_active_account):
        raise KefuError("transfer_target_unknown", status=404)
    if target.id == conv.agent_id:
        raise KefuError("transfer_same_agent", status=409)
    if target.status == "busy":
        raise KefuError("transfer_agent_busy", status=409)
    if target.status != "online":
        raise KefuError("transfer_agent_offline", status=409)
    if not _claim_retry(target.id):
        raise KefuError("transfer_agent_saturated", status=409)
    return target.id


def _target_in_group(conv: Conversation, group_id: int) -> int:
    """Claim the least saturated online agent of a group (not the current one), or refuse."""
    pending = [c.user_id for c in rank(load_candidates(conv.company_id, group_id))
               if c.user_id != conv.agent_id]
    for _round in range(CLAIM_ROUNDS):
        contended: list[int] = []
        for agent_id in pending:
            claimed = _claim(agent_id)
            if claimed is None:
                contended.append(agent_id)
            elif claimed:
                return agent_id
        if not contended:
            break
        pending = contended
        time.sleep(CLAIM_PAUSE)
    raise KefuError("transfer_group_full", status=409)


def do_transfer(actor: User, conversation_id: int, *, agent_id: int | None = None,
                group_id: int | None = None, reason: str = "", client_id: str | None = None
                ) -> Handover:
    """Transfer an active chat to an agent or a skill group; refuse with the reason otherwise."""
    with locked(Conversation, [conversation_id]):
        try:
            conv = _conversation(actor, conversation_id)
            if _replayed(conv.id, "transferred", actor.id, client_id):
                db.session.rollback()
                return Handover(conversation_id, None, True)
            if not conv.is_open:
                raise KefuError("conversation_closed", status=409)
            _may_hand_over(actor, conv)
            if conv.status != "active":
                raise KefuError("not_active", status=409)
            if (conv.routing or {}).get("transferable") is False:
                raise KefuError("not_transferable", status=409)
            to_group = conv.skill_group_id
            if agent_id is not None:
                target = _target_agent(conv, agent_id)
            else:
                to_group = company_group(conv.company_id, group_id)
                if to_group is None:
                    raise KefuError("transfer_target_unknown", status=404)
                target = _target_in_group(conv, to_group)
        except KefuError:
            db.session.rollback()
            raise
        from_group = conv.skill_group_id
        by = "agent" if conv.agent_id == actor.id else "manager"
        conv.skill_group_id = to_group
        from_agent = _hand_over(conv, actor.id, target, "transferred", from_group_id=from_group,
                                to_group_id=to_group, reason=reason, client_id=client_id, by=by)
        note = {"type": "conversation.transferred_in", "conversation_id": conv.id,
                "from_agent": _user_brief(from_agent), "reason": reason}
        publish(note, (AGENT_NS, agent_room(target)))
        if from_agent is not None:
            publish({"type": "conversation.transferred", "conversation": {"id": conv.id},
                     "to_agent": _user_brief(target), "to_group_id": to_group, "reason": reason},
                    (AGENT_NS, agent_room(from_agent)))
        company_id = conv.company_id
        db.session.commit()
    _refill(company_id, from_agent)
    return Handover(conversation_id, target, False)


# --- invitations (邀请协助) -----------------------------------------------------------------

def _publish_helpers(conv: Conversation) -> None:
    """Tell the chat's owner who is helping now."""
    if conv.agent_id is None:
        return
    helpers = db.session.scalars(
        select(ConversationParticipant.user_id).where(
            ConversationParticipant.conversation_id == conv.id,
            ConversationParticipant.role == "helper", ConversationParticipant.left_at.is_(None))
    )
    publish({"type": "conversation.helpers", "conversation_id": conv.id,
             "helpers": [_user_brief(u) for u in sorted(set(helpers))]},
            (AGENT_NS, agent_room(conv.agent_id)))


def check_invite(actor: User, data: Any) -> tuple[Conversation, bool]:
    """Validate an invitation of a colleague into a chat and perform it."""
    fields = load(InviteSchema(), data)
    return do_invite(actor, fields["conversation_id"], fields["agent_id"])


def do_invite(actor: User, conversation_id: int, agent_id: int) -> tuple[Conversation, bool]:
    """Let a colleague see the chat and write in it while its owner keeps it; (conv, duplicate)."""
    with locked(Conversation, [conversation_id]):
        try:
            conv = _conversation(actor, conversation_id)
            if not conv.is_open:
                raise KefuError("conversation_closed", status=409)
            _may_hand_over(actor, conv)
            if conv.status != "active":
                raise KefuError("not_active", status=409)
            target = db.session.get(User, agent_id)
            if (target is None or target.company_id != conv.company_id or target.is_operator
                    or not target.is_active_account):
                raise KefuError("transfer_target_unknown", status=404)
            if target.id == conv.agent_id:
                raise KefuError("invite_self", status=409)
            if active_participant(conv.id, target.id, "helper") is not None:
                db.session.rollback()
                return conv, True
            if target.status == "offline":
                raise KefuError("invite_agent_offline", status=409)
        except KefuError:
            db.session.rollback()
            raise
        db.session.add(ConversationParticipant(company_id=conv.company_id, conversation_id=conv.id,
                                               user_id=target.id, role="helper", invited_by=actor.id))
        _sync_participant_ids(conv)
        _event(conv, "helper_invited", actor.id, agent_id=target.id)
        db.session.flush()
        publish({"type": "conversation.invited", "conversation": conversation_dict(conv),
                 "messages": [message_dict(m) for m in conv_queries.recent_messages(conv.id)],
                 "by": _user_brief(actor.id)}, (AGENT_NS, agent_room(target.id)))
        _publish_helpers(conv)
        db.session.commit()
    return conv, False


def check_leave(actor: User, data: Any) -> Conversation:
    """Validate a helper's request to leave a chat and perform it."""
    fields = load(ConversationRefSchema(), data)
    return do_leave(actor, fields["conversation_id"])


def do_leave(actor: User, conversation_id: int) -> Conversation:
    """End a helper's part in a chat; its owner is told."""
    with locked(Conversation, [conversation_id]):
        try:
            conv = _conversation(actor, conversation_id)
            if not _end_stays(conv, actor.id, "helper"):
                raise KefuError("not_participant", status=409)
        except KefuError:
            db.session.rollback()
            raise
        _event(conv, "helper_left", actor.id, agent_id=actor.id)
        publish({"type": "conversation.left", "conversation_id": conv.id},
                (AGENT_NS, agent_room(actor.id)))
        _publish_helpers(conv)
        db.session.commit()
    return conv


# --- silent monitoring and takeover (抢接) -------------------------------------------------

def check_watch(actor: User, data: Any) -> tuple[Conversation, list[dict[str, Any]]]:
    """Validate a manager's request to watch a chat silently; return it with its history."""
    fields = load(ConversationRefSchema(), data)
    return do_watch(actor, fields["conversation_id"])


def do_watch(actor: User, conversation_id: int) -> tuple[Conversation, list[dict[str, Any]]]:
    """Add a manager as a silent watcher: they get the chat's events; the visitor is not told."""
    with locked(Conversation, [conversation_id]):
        try:
            conv = _conversation(actor, conversation_id)
            _managed(actor, conv)
            if not conv.is_open:
                raise KefuError("conversation_closed", status=409)
        except KefuError:
            db.session.rollback()
            raise
        if conv.agent_id != actor.id and active_participant(conv.id, actor.id, "watcher") is None:
            db.session.add(ConversationParticipant(company_id=conv.company_id, conversation_id=conv.id,
                                                   user_id=actor.id, role="watcher"))
            _sync_participant_ids(conv)
        messages = [message_dict(m) for m in conv_queries.recent_messages(conv.id, limit=200)]
        db.session.commit()
    return conv, messages


def check_unwatch(actor: User, data: Any) -> bool:
    """Validate a request to stop watching a chat and perform it."""
    fields = load(ConversationRefSchema(), data)
    return do_unwatch(actor, fields["conversation_id"])


def do_unwatch(actor: User, conversation_id: int) -> bool:
    """Stop watching a chat; False if the manager was not watching it."""
    with locked(Conversation, [conversation_id]):
        try:
            conv = _conversation(actor, conversation_id)
        except KefuError:
            db.session.rollback()
            raise
        stopped = _end_stays(conv, actor.id, "watcher")
        db.session.commit()
    return stopped


def check_takeover(actor: User, data: Any) -> Handover:
    """Validate a manager's takeover (抢接) of a chat and perform it."""
    fields = load(ConversationRefSchema(), data)
    return do_takeover(actor, fields["conversation_id"], fields["client_id"])


def do_takeover(actor: User, conversation_id: int, client_id: str | None = None) -> Handover:
    """Take a live chat from its agent: their segment ends as "taken_over", one starts for the
    manager (even beyond the manager's max_concurrent: a takeover is a deliberate intervention,
    not routing), the agent is told, the visitor sees the manager's name."""
    with locked(Conversation, [conversation_id]):
        try:
            conv = _conversation(actor, conversation_id)
            _managed(actor, conv)
            if _replayed(conv.id, "taken_over", actor.id, client_id):
                db.session.rollback()
                return Handover(conversation_id, actor.id, True)
            if not conv.is_open:
                raise KefuError("conversation_closed", status=409)
            if conv.status != "active":
                raise KefuError("not_active", status=409)
            if conv.agent_id == actor.id:
                raise KefuError("takeover_own", status=409)
        except KefuError:
            db.session.rollback()
            raise
        from_agent = _hand_over(conv, actor.id, actor.id, "taken_over", client_id=client_id)
        if from_agent is not None:
            publish({"type": "conversation.taken_over", "conversation": {"id": conv.id},
                     "by": _user_brief(actor.id), "message_zh": TAKEOVER_NOTICE[0],
                     "message_en": TAKEOVER_NOTICE[1]}, (AGENT_NS, agent_room(from_agent)))
        company_id = conv.company_id
        db.session.commit()
    _refill(company_id, from_agent)
    return Handover(conversation_id, actor.id, False)
