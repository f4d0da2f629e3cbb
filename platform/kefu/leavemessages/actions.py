"""Every write about leave messages (留言): offer the form, take a submission, assign it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..channels.models import Channel
from ..channels.queries import channel_state
from ..conversations.models import Conversation
from ..conversations.queries import last_agent, latest_conversation
from ..dblock import locked, serialized
from ..decisions.facts import language_code
from ..decisions.runtime import decide_for
from ..decisions.timeline import record_decision
from ..errors import KefuError, NotFound, ValidationFailed
from ..extensions import db
from ..org.hours import company_time
from ..org.models import Company, SkillGroupMember
from ..org.queries import company_agent, company_group
from ..realtime.events import AGENT_NS, VISITOR_NS, agent_room, monitor_room, publish, visitor_room
from ..rules.decision import Decision
from ..timeutil import utcnow
from ..visitors.models import Visitor
from ..visitors.token import VisitorClaims
from . import queries
from .models import LeaveMessage
from .schemas import LeaveMessageSchema

POINT = "leave_message"
# The clearest message for the first field that failed, in the form's order.
_FIELD_ERRORS = (("content", "leave_message_content"), ("email", "invalid_email"),
                 ("phone", "invalid_phone"), ("name", "name_too_long"))


def leave_message_facts(
    company_id: int, channel_id: int, visitor_id: int, skill_group_id: int | None, reason: str,
    language: str, exclude_conversation: int | None, now: datetime,
) -> dict[str, Any]:
    """Build the leave_message facts: reason, channel, group, customer, last agent, local time."""
    kind = db.session.scalar(select(Channel.kind).where(Channel.id == channel_id)) or "web"
    visitor = db.session.execute(
        select(Visitor.vip_level, Visitor.tags).where(Visitor.id == visitor_id)
    ).first()
    local = company_time(company_id, skill_group_id, now)
    facts: dict[str, Any] = {
        "reason": reason if reason in queries.REASONS else "visitor_choice",
        "channel_type": kind, "channel": channel_id,
        "vip_level": int(visitor[0] or 0) if visitor else 0,
        "tags": list(visitor[1] or []) if visitor else [],
        "has_last_agent": last_agent(visitor_id, exclude_conversation) is not None,
        "hour": local.hour, "weekday": local.weekday,
    }
    if skill_group_id is not None:
        facts["skill_group"] = skill_group_id
    lang = language_code(language)
    if lang is not None:
        facts["language"] = lang
    return facts


def offer(conv: Conversation, reason: str) -> Decision:
    """Decide whether and how to offer the leave-message form to a visitor nobody can serve.

    Runs inside the caller's transaction (which then closes the conversation); the offer
    reaches the visitor after commit unless the rules said `no_offer`.
    """
    facts = leave_message_facts(conv.company_id, conv.channel_id, conv.visitor_id,
                                conv.skill_group_id, reason, conv.language, conv.id, utcnow())
    decision = decide_for(conv.company_id, POINT, facts, conv.id)
    record_decision(conv, decision, facts)
    if "no_offer" not in decision.actions:
        form = decision.actions.get("offer") or {}
        publish(
            {"type": "leave_message.offer", "conversation_id": conv.id,
             "text": str(form.get("text") or ""),
             "fields": list(form.get("fields") or ["name", "phone", "content"]),
             "reason": facts["reason"], "language": facts.get("language")},
            (VISITOR_NS, visitor_room(conv.visitor_id)),
        )
    return decision


# --- submission ------------------------------------------------------------------------------

def check_submit(claims: VisitorClaims, data: Any) -> LeaveMessage:
    """Validate a visitor's leave-message form and store it (once per client id)."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": ["expected an object"]})
    try:
        fields = LeaveMessageSchema().load(data)
    except ValidationError as exc:
        errors = exc.normalized_messages()
        code = next((c for name, c in _FIELD_ERRORS if name in errors), "invalid_input")
        raise ValidationFailed(errors, code=code) from exc
    content = fields["content"].strip()
    if not content:
        raise ValidationFailed({"content": ["empty"]}, code="leave_message_content")
    state = channel_state(claims.channel_id)
    if state is None or state.company_id != claims.company_id:
        raise KefuError("invalid_token", status=401)
    if not state.enabled:
        raise KefuError("channel_disabled", status=403)
    form = {k: fields[k].strip() for k in ("name", "phone", "email") if fields[k].strip()}
    return do_submit(claims, form, content, fields["client_id"], fields["conversation_id"])


def _source_conversation(claims: VisitorClaims, conversation_id: int | None) -> Conversation | None:
    """The conversation the form was offered in (given, or the visitor's latest that ended so)."""
    if conversation_id is not None:
        conv = db.session.get(Conversation, conversation_id)
        if conv is None or conv.visitor_id != claims.visitor_id:
            raise NotFound("not_found")
        return conv
    conv = latest_conversation(claims.visitor_id, claims.channel_id)
    if conv is not None and (conv.is_open or conv.end_reason == "leave_message"):
        return conv
    return None


def do_submit(
    claims: VisitorClaims, form: dict[str, str], content: str, client_id: str,
    conversation_id: int | None = None,
) -> LeaveMessage:
    """Store a leave message, decide who gets it, answer the visitor and notify the assignee.

    A resubmission with the same client id returns the stored row: nothing twice.
    """
    earlier = queries.by_client_id(claims.visitor_id, client_id)
    if earlier is not None:
        return earlier
    conv = _source_conversation(claims, conversation_id)
    offered = queries.offer_of(conv.id) if conv is not None else None
    reason = str(((offered or {}).get("facts") or {}).get("reason") or "visitor_choice")
    group_id = conv.skill_group_id if conv is not None else channel_state(claims.channel_id).skill_group_id  # type: ignore[union-attr]
    visitor_lang = db.session.scalar(select(Visitor.last_context).where(Visitor.id == claims.visitor_id))
    language = conv.language if conv is not None else str((visitor_lang or {}).get("language", ""))
    now = utcnow()
    facts = leave_message_facts(claims.company_id, claims.channel_id, claims.visitor_id, group_id,
                                reason, language, None, now)
    decision = decide_for(claims.company_id, POINT, facts, conv.id if conv else None)
    with serialized():
        to, target_group, agent_id = _assignee(claims.company_id, claims.visitor_id, decision,
                                               group_id)
        lm = LeaveMessage(
            company_id=claims.company_id, channel_id=claims.channel_id,
            visitor_id=claims.visitor_id, conversation_id=conv.id if conv else None,
            skill_group_id=target_group, agent_id=agent_id, status="new", reason=facts["reason"],
            fields=form, content=content, client_id=client_id,
            decision={**decision.to_dict(), "facts": facts, "assigned_to": to},
            created_at=now, updated_at=now,
        )
        db.session.add(lm)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()  # the same form landed meanwhile (another tab or a resend)
            stored = queries.by_client_id(claims.visitor_id, client_id)
            if stored is None:
                raise
            return stored
        _announce(lm, decision)
        db.session.commit()
    return lm


def _assignee(
    company_id: int, visitor_id: int, decision: Decision, group_id: int | None
) -> tuple[str, int | None, int | None]:
    """Apply the `assign` action: (kind applied, skill group id, agent id); pool when unresolved."""
    params = decision.actions.get("assign") or {"to": "pool"}
    to = str(params.get("to") or "pool")
    if to == "group":
        target = company_group(company_id, params.get("group"))
        return ("group", target, None) if target is not None else ("pool", None, None)
    if to == "agent":
        agent = company_agent(company_id, params.get("agent"))
        return ("agent", group_id, agent) if agent else ("pool", None, None)
    if to == "last_agent":
        agent = company_agent(company_id, last_agent(visitor_id))
        return ("last_agent", group_id, agent) if agent else ("pool", None, None)
    if to == "round_robin":
        scope = params.get("group") if isinstance(params.get("group"), int) else group_id
        with locked(Company, [company_id]):  # two submissions must not pick the same turn
            turn = queries.rotation(company_id, scope)
            if not turn:
                return ("pool", None, None)
            last = queries.last_assignee(company_id, turn)
            agent = turn[(turn.index(last) + 1) % len(turn)] if last in turn else turn[0]
        return ("round_robin", scope, agent)
    return ("pool", None, None)


def _announce(lm: LeaveMessage, decision: Decision) -> None:
    """Queue the visitor's receipt (with the auto-reply) and the assignee's notice."""
    reply = decision.actions.get("auto_reply") or {}
    publish({"type": "leave_message.received", "id": lm.id, "client_id": lm.client_id,
             "auto_reply": str(reply.get("text") or ""),
             "reply_within_hours": (decision.actions.get("reply_within") or {}).get("hours")},
            (VISITOR_NS, visitor_room(lm.visitor_id)))
    event = {"type": "leave_message.created", "leave_message": queries.leave_message_dict(lm)}
    if lm.agent_id is not None:
        publish(event, (AGENT_NS, agent_room(lm.agent_id)))
    elif lm.skill_group_id is not None:
        members = db.session.scalars(
            select(SkillGroupMember.user_id).where(SkillGroupMember.skill_group_id == lm.skill_group_id)
        ).all()
        publish(event, *[(AGENT_NS, agent_room(m)) for m in members],
                (AGENT_NS, monitor_room(lm.company_id)))
    else:
        publish(event, (AGENT_NS, monitor_room(lm.company_id)))
