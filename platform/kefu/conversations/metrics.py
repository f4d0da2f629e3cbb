"""Per-agent segment metrics (first response, response, duration, validity) from the rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .models import Conversation, ConversationSegment, Message


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def fill_segment_metrics(
    conv: Conversation, segments: Sequence[ConversationSegment], messages: Sequence[Message]
) -> None:
    """Set every segment's figures from the conversation's messages (no I/O; caller commits)."""
    for index, seg in enumerate(segments):
        end = seg.ended_at or conv.closed_at
        # The first segment owns what the visitor wrote while queued: the opening question.
        start = conv.created_at if index == 0 else seg.assigned_at
        mine = [m for m in messages if start <= m.created_at <= (end or m.created_at)]
        visitor_msgs = [m for m in mine if m.sender_kind == "visitor"]
        agent_msgs = [m for m in mine if m.sender_kind == "agent" and m.sender_id == seg.agent_id]
        first_reply = agent_msgs[0].created_at if agent_msgs else None
        seg.first_response_at = seg.first_response_at or first_reply
        seg.first_response_seconds = _seconds(seg.assigned_at, seg.first_response_at)
        # A rule's transfer re-stamps queued_at (conversations.transfer): the first wait began
        # at the opening then.
        queued_at = conv.queued_at
        if queued_at is not None and queued_at > seg.assigned_at:
            queued_at = conv.created_at
        seg.queue_seconds = _seconds(queued_at, seg.assigned_at) if index == 0 else 0.0
        seg.duration_seconds = _seconds(seg.assigned_at, end)
        seg.visitor_messages = len(visitor_msgs)
        seg.agent_messages = len(agent_msgs)
        seg.is_valid = bool(visitor_msgs) and bool(agent_msgs)
        # Response time: from the first visitor message of a run to the agent's next reply.
        waits: list[float] = []
        waiting_since: datetime | None = None
        for m in mine:
            if m.sender_kind == "visitor" and waiting_since is None:
                # The agent cannot answer before the chat reached them.
                waiting_since = max(m.created_at, seg.assigned_at)
            elif m.sender_kind == "agent" and m.sender_id == seg.agent_id and waiting_since:
                waits.append((m.created_at - waiting_since).total_seconds())
                waiting_since = None
        seg.avg_response_seconds = sum(waits) / len(waits) if waits else None
