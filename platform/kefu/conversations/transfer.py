"""Transfer a conversation to a skill group (the session rules' auto-transfer): end the agent's
segment, queue it in the group behind those already waiting there, and drain that queue.

The current agent's segment ends as "transferred", so per-agent metrics count the chat once
for each agent who held it (转出 for one, 转入 for the next). The checks of a manual transfer
(transfers.actions) hold here too: a non-transferable chat stays, a designated chat may go to
anyone, and the agent it was taken from is not handed it straight back.
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
    """Move a locked, active conversation to the back of `group_id`'s queue (no commit).

    Returns False when the conversation is not active or the group is not the company's
    (nothing changes), or when the chat is marked non-transferable (the skip goes on the
    timeline). The caller commits, then calls `after_requeue`.
    """
    from ..decisions.session import clear_deadlines
    from ..queueing.actions import reenter_queue

    if conv.status != "active":
        return False
    if group_id is not None and company_group(conv.company_id, group_id) is None:
        return False
    routing = dict(conv.routing or {})
    if routing.get("transferable") is False:
        db.session.add(ConversationEvent(
            company_id=conv.company_id, conversation_id=conv.id, kind="transfer_skipped",
            actor_id=actor_id,
            data={"reason": "not_transferable", "to_group_id": group_id, "by": by, **data},
        ))
        return False
    now = utcnow()
    from_agent = conv.agent_id
    from_group = conv.skill_group_id
    segment = queries.current_segment(conv.id)
    if segment is not None:
        segment.ended_at = now
        segment.end_kind = "transferred"
    if routing.get("strategy") == "designated":
        # Handed on deliberately (as transfers.actions._hand_over): anyone may serve it now.
        routing["strategy"] = "least_saturation"
    routing["exclude_agent"] = from_agent  # not straight back to them; dropped on assignment
    conv.routing = routing
    conv.status = "queued"
    conv.agent_id = None
    conv.skill_group_id = group_id
    # It joins the target queue now, behind the visitors already waiting there (the first
    # segment's queue time is measured from the opening: conversations.metrics).
    conv.queued_at = now
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

    publish({"type": "conversation.transferred", "conversation": header, "to_group_id": group_id},
            (VISITOR_NS, visitor_room(conv.visitor_id)))
    publish_queued(conv)
    reenter_queue(conv)  # helpers leave, the max-wait clock starts, the others hear their places
    return True


def after_requeue(conversation_id: int) -> int | None:
    """Serve the requeued conversation's queue from its head (it waits its turn); return the
    agent it went to, if any. Looks at the queue again shortly while it still waits."""
    from ..jobs import enqueue
    from ..routing.assign import drain_queue
    from ..routing.jobs import drain_group

    conv = db.session.get(Conversation, conversation_id)
    if conv is None:
        return None
    company_id, group_id = conv.company_id, conv.skill_group_id
    db.session.rollback()
    drain_queue(company_id, [group_id])
    db.session.rollback()
    conv = db.session.get(Conversation, conversation_id, populate_existing=True)
    if conv is not None and conv.status == "queued":
        enqueue(drain_group, company_id, group_id, delay=1.0)
        db.session.commit()
        return None
    return conv.agent_id if conv is not None else None
