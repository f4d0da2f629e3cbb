"""Transfer a conversation to a skill group: end the agent's segment, requeue, try to assign.

The current agent's segment ends as "transferred", so per-agent metrics count the chat once
for each agent who held it (转出 for one, 转入 for the next).
"""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..org.queries import company_group
from ..realtime.events import AGENT_NS, VISITOR_NS, agent_room, publish, visitor_room
from ..timeutil import utcnow
from . import queries
from .models import Conversation, ConversationEvent
from .serialize import conversation_dict


def requeue_to_group(
    conv: Conversation, group_id: int | None, *, actor_id: int | None = None, by: str = "rule",
    **data: Any,
) -> bool:
    """Move a locked, active conversation back to the queue of `group_id` (no commit).

    Returns False (and changes nothing) when the conversation is not active or the group is not
    the company's. The caller commits, then calls `routing.assign.try_assign`.
    """
    from ..decisions.session import clear_deadlines

    if conv.status != "active":
        return False
    if group_id is not None and company_group(conv.company_id, group_id) is None:
        return False
    now = utcnow()
    from_agent = conv.agent_id
    from_group = conv.skill_group_id
    segment = queries.current_segment(conv.id)
    if segment is not None:
        segment.ended_at = now
        segment.end_kind = "transferred"
    conv.status = "queued"
    conv.agent_id = None
    conv.skill_group_id = group_id
    conv.queued_at = conv.queued_at or now  # keeps its place: it waited once already
    db.session.add(ConversationEvent(
        company_id=conv.company_id, conversation_id=conv.id, kind="transferred",
        actor_id=actor_id,
        data={"from_agent_id": from_agent, "from_group_id": from_group, "to_group_id": group_id,
              "by": by, **data},
    ))
    clear_deadlines(conv.id)  # the next agent's deadlines are set when it is assigned
    db.session.flush()
    header = conversation_dict(conv)
    if from_agent is not None:
        publish({"type": "conversation.transferred", "conversation": header,
                 "to_group_id": group_id}, (AGENT_NS, agent_room(from_agent)))
    from .actions import publish_queued

    publish_queued(conv)
    publish({"type": "conversation.transferred", "conversation": header, "to_group_id": group_id},
            (VISITOR_NS, visitor_room(conv.visitor_id)))
    return True


def after_requeue(conversation_id: int) -> int | None:
    """Try to assign a requeued conversation now, else look at its queue again shortly."""
    from ..jobs import enqueue
    from ..routing.assign import try_assign
    from ..routing.jobs import drain_group

    agent_id = try_assign(conversation_id)
    if agent_id is None:
        conv = db.session.get(Conversation, conversation_id)
        if conv is not None and conv.status == "queued":
            enqueue(drain_group, conv.company_id, conv.skill_group_id, delay=1.0)
            db.session.commit()
    return agent_id
