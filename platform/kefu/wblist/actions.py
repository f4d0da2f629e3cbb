"""Writes of the workbench list: an agent takes (接入) a chat from the queue by hand."""

from __future__ import annotations

import time
from typing import Any

from ..conversations import store
from ..conversations.access import can_see_conversation
from ..conversations.models import Conversation
from ..conversations.schemas import load
from ..dblock import serialized
from ..errors import KefuError, NotFound
from ..extensions import db
from ..org.models import User
from .schemas import ConversationRefSchema

# An agent row another assignment holds is retried this long before the pick is refused as busy.
CLAIM_WAIT = 0.5
CLAIM_PAUSE = 0.01


def check_pick(agent: User, data: Any) -> Conversation:
    """Validate a pick from the queue and perform it."""
    fields = load(ConversationRefSchema(), data)
    return do_pick(agent, fields["conversation_id"])


def _claim_seat(agent_id: int) -> bool:
    """Lock the agent's row and tell whether they are online with room (routing's claim, retried
    while another assignment to the same agent holds the row)."""
    from ..routing.assign import _claim

    give_up = time.monotonic() + CLAIM_WAIT
    while True:
        claimed = _claim(agent_id)
        if claimed is not None:
            return claimed
        if time.monotonic() > give_up:
            raise KefuError("pick_busy", status=409)
        time.sleep(CLAIM_PAUSE)


def do_pick(agent: User, conversation_id: int) -> Conversation:
    """Assign a queued chat the agent may see to them, under the same locks as routing.

    Refused when the chat is no longer queued (another agent or routing was first), waits for
    its designated agent, or the agent is not online or has no free seat. Visitors behind it
    hear their new places after the commit.
    """
    from ..conversations.actions import do_assign, publish_queue_positions
    from ..routing.assign import waits_for_designated

    with serialized():
        try:
            row = store.lock_conversation(conversation_id)  # the row lock that routing takes too
            conv = db.session.get(Conversation, conversation_id, populate_existing=True)
            if row is None or conv is None or not can_see_conversation(agent, conv):
                raise NotFound("not_found")
            if conv.status != "queued":
                raise KefuError("not_queued", status=409)
            routing = conv.routing or {}
            if waits_for_designated(routing) and routing.get("agent") != agent.id:
                raise KefuError("pick_designated", status=409)
            if routing.get("exclude_agent") == agent.id:
                raise KefuError("pick_designated", status=409)
            if not _claim_seat(agent.id):
                status = db.session.get(User, agent.id, populate_existing=True)
                online = status is not None and status.status == "online"
                raise KefuError("pick_saturated" if online else "pick_offline", status=409)
        except KefuError:
            db.session.rollback()
            raise
        do_assign(conv, agent.id)
        company_id, group = conv.company_id, conv.skill_group_id
        db.session.commit()
    publish_queue_positions(company_id, group)
    db.session.commit()  # delivers the position events
    return conv
