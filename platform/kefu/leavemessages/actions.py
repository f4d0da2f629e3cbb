"""Every write about leave messages (留言): offer, submission, uploads, the pool's handling, forms."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from marshmallow import ValidationError
from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from ..channels.models import Channel
from ..channels.queries import channel_state
from ..conversations import store
from ..conversations.actions import conversation_targets
from ..conversations.models import Conversation, Message
from ..conversations.queries import last_agent, latest_conversation
from ..conversations.serialize import message_dict
from ..dblock import locked, serialized
from ..decisions.facts import language_code
from ..decisions.runtime import decide_for
from ..decisions.timeline import record_decision
from ..errors import Forbidden, KefuError, NotFound, ValidationFailed
from ..extensions import db
from ..org.hours import company_time
from ..org.models import Company, SkillGroupMember, User
from ..org.queries import company_agent, company_group
from ..realtime.events import AGENT_NS, VISITOR_NS, agent_room, monitor_room, publish, visitor_room
from ..rules.decision import Decision
from ..timeutil import iso, utcnow
from ..visitors.models import Visitor
from ..visitors.token import VisitorClaims
from . import attachments, queries
from .access import (
    access_leave_message,
    access_leave_message_handle,
    can_direct,
    can_see_leave_message,
    refuse_blacklisted,
)
from .forms import check_content, check_field_specs, check_values, form_dict, form_for
from .models import LeaveAttachment, LeaveForm, LeaveMessage
from .schemas import AssignSchema, EnvelopeSchema, IdSchema, LeaveMessageSchema, ReplySchema, StatusSchema

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
        params = decision.actions.get("offer") or {}
        names = list(params.get("fields") or ["name", "phone", "content"])
        form = form_for(conv.company_id, conv.channel_id, conv.skill_group_id,
                        str(params.get("form") or "") or None)
        shown = form_dict(form, names)
        publish(
            {"type": "leave_message.offer", "conversation_id": conv.id,
             "text": str(params.get("text") or ""),
             "fields": [f["name"] for f in shown["fields"]] + ["content"] if form else names,
             "form": shown, "reason": facts["reason"], "language": facts.get("language")},
            (VISITOR_NS, visitor_room(conv.visitor_id)),
        )
    return decision


def applicable_form(claims: VisitorClaims, conv: Conversation | None) -> tuple[LeaveForm | None, list[str]]:
    """The form a visitor fills in now: the one their offer named, else by channel/group/default."""
    offered = queries.offer_of(conv.id) if conv is not None else None
    params = ((offered or {}).get("actions") or {}).get("offer") or {}
    group_id = conv.skill_group_id if conv is not None else _channel_group(claims.channel_id)
    form = form_for(claims.company_id, claims.channel_id, group_id, str(params.get("form") or "") or None)
    return form, list(params.get("fields") or ["name", "phone", "content"])


def _channel_group(channel_id: int) -> int | None:
    state = channel_state(channel_id)
    return state.skill_group_id if state is not None else None


# --- submission ------------------------------------------------------------------------------

def check_submit(claims: VisitorClaims, data: Any) -> LeaveMessage:
    """Validate a visitor's leave-message form and store it (once per client id)."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": ["expected an object"]})
    try:
        envelope = EnvelopeSchema().load(data)
    except ValidationError as exc:
        raise ValidationFailed(exc.normalized_messages()) from exc
    state = channel_state(claims.channel_id)
    if state is None or state.company_id != claims.company_id:
        raise KefuError("invalid_token", status=401)
    earlier = queries.by_client_id(claims.visitor_id, envelope["client_id"])
    if earlier is not None:
        return earlier  # a replay (resent after a reconnect) changes nothing
    if not state.enabled:
        raise KefuError("channel_disabled", status=403)
    refuse_blacklisted(claims)
    conv = source_conversation(claims, envelope["conversation_id"])
    form, _names = applicable_form(claims, conv)
    if form is None:
        return _check_legacy(claims, data)
    values = data["values"] if isinstance(data.get("values"), dict) else data
    cleaned = check_values(list(form.fields), values)
    content = check_content(data.get("content"))
    kinds = {f["name"]: f for f in form.fields}
    files = [(kinds[name], attachments.claimable(claims, kinds[name], keys))
             for name, keys in cleaned.items() if kinds[name]["kind"] == "attachment"]
    return do_submit(claims, cleaned, content, envelope["client_id"], envelope["conversation_id"],
                     form_id=form.id, files=files)


def _check_legacy(claims: VisitorClaims, data: dict[str, Any]) -> LeaveMessage:
    """No form is configured: the rule's plain fields (name, phone, email) and the message."""
    try:
        fields = LeaveMessageSchema().load(data)
    except ValidationError as exc:
        errors = exc.normalized_messages()
        code = next((c for name, c in _FIELD_ERRORS if name in errors), "invalid_input")
        raise ValidationFailed(errors, code=code) from exc
    content = fields["content"].strip()
    if not content:
        raise ValidationFailed({"content": ["empty"]}, code="leave_message_content")
    form = {k: fields[k].strip() for k in ("name", "phone", "email") if fields[k].strip()}
    return do_submit(claims, form, content, fields["client_id"], fields["conversation_id"])


def source_conversation(claims: VisitorClaims, conversation_id: int | None) -> Conversation | None:
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
    claims: VisitorClaims, form: dict[str, Any], content: str, client_id: str,
    conversation_id: int | None = None, *, form_id: int | None = None,
    files: list[tuple[dict[str, Any], list[int]]] | None = None,
) -> LeaveMessage:
    """Store a leave message, decide who gets it, answer the visitor and notify the assignee.

    A resubmission with the same client id returns the stored row: nothing twice.
    """
    earlier = queries.by_client_id(claims.visitor_id, client_id)
    if earlier is not None:
        return earlier
    conv = source_conversation(claims, conversation_id)
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
            decision={**decision.to_dict(), "facts": facts, "assigned_to": to, "form_id": form_id},
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
        try:
            for spec, ids in files or []:
                attachments.link(lm, spec, ids)
        except KefuError:
            db.session.rollback()  # a file another submission took: this one is not stored
            raise
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


# --- attachments ---------------------------------------------------------------------------

def check_upload(claims: VisitorClaims, field: Any, filename: str, stream: IO[bytes],
                 conversation_id: int | None = None) -> LeaveAttachment:
    """Take a file for an attachment field of the form that applies to this visitor."""
    state = channel_state(claims.channel_id)
    if state is None or state.company_id != claims.company_id:
        raise KefuError("invalid_token", status=401)
    refuse_blacklisted(claims)
    conv = source_conversation(claims, conversation_id)
    form, _names = applicable_form(claims, conv)
    specs = {f["name"]: f for f in (form.fields if form is not None else [])}
    spec = specs.get(field) if isinstance(field, str) else None
    if spec is None or spec["kind"] != "attachment":
        raise ValidationFailed({"field": ["not an attachment field of this form"]})
    return attachments.do_store(claims, spec, filename, stream)


# --- the pool (留言池): claim, status, assign, reply ------------------------------------------

def _publish_update(lm: LeaveMessage, *also: int | None) -> None:
    """Tell the assignee (and whoever else is concerned), the group and the monitors."""
    event = {"type": "leave_message.updated", "leave_message": queries.leave_message_dict(lm)}
    agents = {a for a in (lm.agent_id, *also) if a is not None}
    if lm.agent_id is None and lm.skill_group_id is not None:
        agents |= set(db.session.scalars(select(SkillGroupMember.user_id).where(
            SkillGroupMember.skill_group_id == lm.skill_group_id)))
    publish(event, *[(AGENT_NS, agent_room(a)) for a in sorted(agents)],
            (AGENT_NS, monitor_room(lm.company_id)))


def do_claim(user: User, lm: LeaveMessage) -> LeaveMessage:
    """Take an unassigned message; of two agents claiming at once exactly one wins."""
    if lm.agent_id == user.id:
        return lm  # a repeated click changes nothing
    now = utcnow()
    won = db.session.execute(
        update(LeaveMessage)
        .where(LeaveMessage.id == lm.id, LeaveMessage.agent_id.is_(None))
        .values(agent_id=user.id, updated_at=now,
                status=case((LeaveMessage.status == "new", "processing"), else_=LeaveMessage.status))
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if won != 1:
        db.session.rollback()
        db.session.refresh(lm)
        if lm.agent_id == user.id:
            return lm
        owner = db.session.get(User, lm.agent_id) if lm.agent_id else None
        raise KefuError("leave_claimed", status=409, name=owner.shown_name if owner else "?")
    db.session.refresh(lm)
    _publish_update(lm)
    db.session.commit()
    return lm


def check_claim(user: User, data: Any) -> LeaveMessage:
    """Claim by hand: the message must be visible to the agent and still unassigned."""
    lm = db.session.get(LeaveMessage, _id(data))
    if lm is not None and lm.agent_id not in (None, user.id) and can_see_leave_message(
        user, lm, as_unassigned=True
    ):
        owner = db.session.get(User, lm.agent_id)
        raise KefuError("leave_claimed", status=409, name=owner.shown_name if owner else "?")
    return do_claim(user, access_leave_message(user, _id(data)))


def check_status(user: User, data: Any) -> LeaveMessage:
    """Move a message to 未处理 / 处理中 / 已处理 (its assignee, or a manager)."""
    fields = _load(StatusSchema(), data)
    lm = access_leave_message_handle(user, fields["id"])
    return do_status(user, lm, fields["status"])


def do_status(user: User, lm: LeaveMessage, status: str) -> LeaveMessage:
    """Set the status; the same status again changes nothing."""
    if lm.status == status:
        return lm
    lm.status = status
    lm.updated_at = utcnow()
    _publish_update(lm)
    db.session.commit()
    return lm


def check_assign(user: User, data: Any) -> LeaveMessage:
    """Admins and managers give a message to an agent, a group, or back to the pool."""
    fields = _load(AssignSchema(), data)
    lm = access_leave_message(user, fields["id"])
    if not can_direct(user, lm):
        raise Forbidden("forbidden")
    agent_id = company_agent(lm.company_id, fields["agent_id"]) if fields["agent_id"] else None
    group_id = company_group(lm.company_id, fields["group_id"]) if fields["group_id"] else None
    if (fields["agent_id"] and agent_id is None) or (fields["group_id"] and group_id is None):
        raise KefuError("cross_company", status=400)
    return do_assign(user, lm, agent_id, group_id)


def do_assign(user: User, lm: LeaveMessage, agent_id: int | None, group_id: int | None) -> LeaveMessage:
    """Reassign; the previous assignee hears that it left them."""
    if (lm.agent_id, lm.skill_group_id) == (agent_id, group_id):
        return lm
    before = lm.agent_id
    lm.agent_id, lm.skill_group_id, lm.updated_at = agent_id, group_id, utcnow()
    _publish_update(lm, before)
    db.session.commit()
    return lm


def check_reply(user: User, data: Any) -> tuple[LeaveMessage, Message]:
    """Answer a message: the reply reaches the visitor's chat as an offline message."""
    fields = _load(ReplySchema(), data)
    lm = access_leave_message(user, fields["id"])
    if lm.agent_id is None:
        lm = do_claim(user, lm)
    if lm.agent_id != user.id and not can_direct(user, lm):
        raise KefuError("not_assigned", status=403)
    text = fields["text"].strip()
    if not text:
        raise ValidationFailed({"text": ["empty"]}, code="empty_message")
    return do_reply(user, lm, text, fields["client_id"], fields["status"])


def _reply_conversation(lm: LeaveMessage) -> Conversation:
    """The visitor's latest chat on the channel (what the widget shows next), else a closed one."""
    conv = latest_conversation(lm.visitor_id, lm.channel_id)
    if conv is not None:
        return conv
    now = utcnow()
    conv = Conversation(company_id=lm.company_id, channel_id=lm.channel_id, visitor_id=lm.visitor_id,
                        skill_group_id=lm.skill_group_id, status="closed", created_at=now,
                        closed_at=now, end_reason="leave_message", last_message_at=now)
    db.session.add(conv)
    db.session.flush()
    return conv


def do_reply(
    user: User, lm: LeaveMessage, text: str, client_id: str, status: str
) -> tuple[LeaveMessage, Message]:
    """Store the reply as an agent Message marked offline; a resend (same client id) does nothing.

    The leave message stays locked until the commit: a double click or two agents answering at
    once append to the replies one after the other. A reply landing in an open chat is written
    like any message of that chat (activity touched, everyone in it told).
    """
    with locked(LeaveMessage, [lm.id]):
        db.session.refresh(lm)  # the replies as committed by whoever held the lock before
        for r in lm.replies or []:
            if r.get("client_id") == client_id:
                earlier = db.session.get(Message, r.get("message_id"))
                if earlier is not None:
                    db.session.rollback()
                    return lm, earlier
        conv = _reply_conversation(lm)
        row = store.lock_conversation(conv.id)
        assert row is not None
        now = utcnow()
        msg = Message(company_id=lm.company_id, conversation_id=conv.id, channel_id=lm.channel_id,
                      sender_kind="agent", sender_id=user.id, content_type="text", body=text,
                      payload={"offline": True, "leave_message_id": lm.id,
                               "quote": lm.content[:200], "agent_name": user.shown_name},
                      client_msg_id=client_id, created_at=now)
        db.session.add(msg)
        db.session.flush()
        lm.replies = [*(lm.replies or []), {"message_id": msg.id, "agent_id": user.id,
                                            "client_id": client_id, "text": text, "at": iso(now)}]
        lm.status = status
        lm.updated_at = now
        if row.is_open:  # someone serves (or queues) this chat: they see the reply in it
            store.touch_conversation(row, now, "agent", user.id)
            targets = conversation_targets(row)
        else:
            targets = [(VISITOR_NS, visitor_room(lm.visitor_id))]
        publish({"type": "message.created", "message": message_dict(msg)}, *targets)
        _publish_update(lm)
        db.session.commit()
    return lm, msg


def _id(data: Any) -> int:
    return int(_load(IdSchema(), data)["id"])


def _load(schema: Any, data: Any) -> dict[str, Any]:
    try:
        return dict(schema.load(data if isinstance(data, dict) else {}))
    except ValidationError as exc:
        raise ValidationFailed(exc.normalized_messages()) from exc


# --- forms (console) -----------------------------------------------------------------------

def check_form_row(form: LeaveForm) -> None:
    """Validate a form row in place (fields normalised); raise leave_form_invalid saying why."""
    form.fields = check_field_specs(form.fields)
    if form.channel_id is not None and form.skill_group_id is not None:
        raise KefuError("leave_form_invalid", detail="a channel or a skill group, not both")
    if not (form.name or "").strip():
        raise KefuError("leave_form_invalid", detail="name is required")
    form.updated_at = utcnow()


def check_save_form(actor_id: int | None, form: LeaveForm, *, created: bool) -> LeaveForm:
    """Validate a form's fields and scope, then save it through the audited settings action."""
    from ..settings.actions import do_save

    check_form_row(form)
    return do_save(actor_id, form, created=created)  # type: ignore[no-any-return]
