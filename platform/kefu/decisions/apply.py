"""Apply the reception and routing decisions to a conversation that just opened."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..channels.models import Channel
from ..conversations.models import Conversation, ConversationEvent
from ..extensions import db
from ..org.models import SkillGroup, User
from ..rules.decision import Decision
from ..visitors.models import Visitor
from .facts import group_facts, routing_facts, visit_facts
from .runtime import decide_for
from .timeline import record_decision

log = logging.getLogger(__name__)
PRIORITY = {"high": 10, "normal": 0, "low": -10}
# Until the company has a robot (knowledge base and robot land later), robot modes are served
# by humans; the decided mode is still recorded.
HUMAN_MODES = ("human_only", "human_first", "robot_first", "robot_only")


def _own_group(company_id: int, group_id: Any) -> int | None:
    """The group id if it is this company's (a rule may name one deleted since it was published)."""
    if not isinstance(group_id, int):
        return None
    found = db.session.scalar(
        select(SkillGroup.id).where(SkillGroup.id == group_id, SkillGroup.company_id == company_id)
    )
    return int(found) if found is not None else None


def _own_agent(company_id: int, agent_id: Any) -> int | None:
    if not isinstance(agent_id, int):
        return None
    found = db.session.scalar(select(User.id).where(User.id == agent_id, User.company_id == company_id))
    return int(found) if found is not None else None


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


def route_new_conversation(conv: Conversation, channel: Channel, visitor: Visitor,
                           now: datetime) -> str | None:
    """Run reception then routing for a just-opened conversation and apply both.

    Returns None when the conversation should be assigned or queued, or the leave-message
    reason when the rules decided that nobody should serve it now.
    """
    reception, visit = decide_reception(conv, channel, visitor, now)
    record_decision(conv, reception, visit)
    conv.reception_mode = str(reception.get("mode", "mode", "human_only"))
    group = _own_group(conv.company_id, reception.get("skill_group", "group"))
    if group is not None:
        conv.skill_group_id = group

    facts = routing_facts(conv, visit, now)
    routing = decide_for(conv.company_id, "routing", facts, conv.id)
    record_decision(conv, routing, facts)
    target = _own_group(conv.company_id, routing.get("route", "group"))
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
        to = _own_group(conv.company_id, overflow.get("group"))
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
        strategy["agent"] = _own_agent(conv.company_id, strategy.get("agent"))
        if strategy["agent"] is None:
            strategy = {"strategy": "least_saturation"}  # the designated agent is gone
    conv.routing = strategy
    return None
