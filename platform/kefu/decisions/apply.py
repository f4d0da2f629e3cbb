"""Apply the reception and routing decisions to a conversation that just opened."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..channels.models import Channel
from ..conversations.models import Conversation, ConversationEvent
from ..errors import KefuError
from ..extensions import db
from ..org.queries import company_agent, company_group
from ..rules.decision import Decision
from ..timeutil import utcnow
from ..visitors.models import Visitor
from .facts import group_facts, routing_facts, visit_facts
from .runtime import decide_for
from .timeline import record_decision

PRIORITY = {"high": 10, "normal": 0, "low": -10}


def decide_reception(conv: Conversation, channel: Channel, visitor: Visitor, now: datetime) -> tuple[
        Decision, dict[str, Any]]:
    """Evaluate the reception plan for a conversation (facts returned for the timeline)."""
    facts = visit_facts(conv, channel, visitor, now)
    return decide_for(conv.company_id, "reception", facts, conv.id), facts


def overflow_applies(when: str, state: dict[str, Any]) -> bool:
    """Whether a group's state meets an overflow condition."""
    if when == "always":
        return True
    if when == "none_online":
        return int(state.get("group_online", 0)) == 0
    if when == "all_saturated":
        return int(state.get("group_available", 0)) == 0
    if when == "closed":
        return state.get("group_in_hours") is False
    return False


def _require_prechat(reception: Decision, channel: Channel, visitor: Visitor) -> None:
    """Refuse to open a widget chat while a pre-chat form the plan does not let skip is unfilled.

    The widget asks first; this stops a client that does not (or a page older than the plan).
    The caller's transaction rolls back: neither the conversation nor the message is kept.
    """
    if channel.kind != "web" or reception.get("pre_chat_form", "skippable", False):
        return
    from ..widget.prechat import missing_fields

    empty = missing_fields(visitor, list(reception.get("pre_chat_form", "fields", []) or []))
    if empty:
        raise KefuError("prechat_first", status=409, fields={f: ["required"] for f in empty})


def route_new_conversation(conv: Conversation, channel: Channel, visitor: Visitor,
                           now: datetime) -> str | None:
    """Run reception then routing for a just-opened conversation and apply both.

    Returns None when the conversation should be assigned or queued, or the leave-message
    reason when the rules decided that nobody should serve it now.
    """
    reception, visit = decide_reception(conv, channel, visitor, now)
    _require_prechat(reception, channel, visitor)
    record_decision(conv, reception, visit)
    conv.reception_mode = str(reception.get("mode", "mode", "human_only"))
    group = company_group(conv.company_id, reception.get("skill_group", "group"))
    if group is not None:
        conv.skill_group_id = group
    if conv.reception_mode in ("robot_first", "robot_only"):
        from ..robot.actions import start_robot

        # Without an enabled robot the company's humans serve the chat, as before robots existed.
        if start_robot(conv, conv.reception_mode, reception.get("robot", "robot")):
            return None
    return route_to_humans(conv, visit, now)


def route_to_humans(conv: Conversation, visit: dict[str, Any], now: datetime) -> str | None:
    """Run the routing rules for a conversation a human should serve (new, or handed over by the robot).

    Returns None when it should be assigned or queued, or the leave-message reason.
    """
    facts = routing_facts(conv, visit, now)
    routing = decide_for(conv.company_id, "routing", facts, conv.id)
    record_decision(conv, routing, facts)
    target = company_group(conv.company_id, routing.get("route", "group"))
    state = facts
    if target is not None and target != conv.skill_group_id:
        conv.skill_group_id = target
        state = group_facts(conv.company_id, target, now)
    if "leave_message" in routing.actions:
        if state.get("group_in_hours") is False:
            return "off_hours"
        return "none_online" if int(state.get("group_online", 0)) == 0 else "visitor_choice"
    overflow = routing.actions.get("overflow")
    if overflow and overflow_applies(str(overflow.get("when")), state):
        to = company_group(conv.company_id, overflow.get("group"))
        if to is not None and to != conv.skill_group_id:
            db.session.add(ConversationEvent(
                company_id=conv.company_id, conversation_id=conv.id, kind="overflow",
                data={"from": conv.skill_group_id, "to": to, "when": overflow.get("when"),
                      "rule_id": routing.rule_id, "version": routing.version},
            ))
            conv.skill_group_id = to
    conv.priority = PRIORITY.get(str(routing.get("priority", "level", "normal")), 0)
    strategy = dict(routing.actions.get("strategy") or {"strategy": "least_saturation"})
    if strategy.get("strategy") == "designated":
        strategy["agent"] = company_agent(conv.company_id, strategy.get("agent"))
        if strategy["agent"] is None:
            strategy = {"strategy": "least_saturation"}  # the designated agent is gone
    limits = routing.actions.get("queue_limits") or {}
    for name in ("max_length", "max_wait"):  # read by kefu.queueing.queries.limits_for
        if isinstance(limits.get(name), int):
            strategy[f"queue_{name}"] = limits[name]
    conv.routing = strategy
    return None


def do_widget_reception(channel: Channel, visitor: Visitor) -> dict[str, Any]:
    """Decide what the widget shows this visitor (greeting, style, pre-chat form) and commit.

    The commit keeps the RuleFailure row of an evaluation that fell back.
    """
    ctx = visitor.last_context or {}
    probe = Conversation(  # the conversation this visit would open, for its facts; never saved
        id=0, company_id=channel.company_id, channel_id=channel.id, visitor_id=visitor.id,
        skill_group_id=channel.skill_group_id, page_url=str(ctx.get("page_url", "")),
        referrer=str(ctx.get("referrer", "")), utm=ctx.get("utm") or {},
        device=str(ctx.get("device", "")), language=str(ctx.get("language", "")),
    )
    decision, _facts = decide_reception(probe, channel, visitor, utcnow())
    db.session.commit()
    widget = decision.actions.get("widget") or {}
    return {
        "mode": decision.get("mode", "mode", "human_only"),
        "greeting": decision.get("greeting", "text"),
        "title": widget.get("title"),
        "announcement": widget.get("announcement"),
        # Validated when the ruleset was published (rules/definition.py): #rrggbb, https or /static/.
        "color": widget.get("color"),
        "logo": widget.get("logo"),
        "position": widget.get("position") or "right",
        "pre_chat_form": decision.get("pre_chat_form", "fields", []),
        "pre_chat_skippable": bool(decision.get("pre_chat_form", "skippable", False)),
        "rule": decision.rule_id,
        "version": decision.version,
    }
