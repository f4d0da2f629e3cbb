"""Turn conversation rows into the JSON dicts sent to clients and carried by events."""

from __future__ import annotations

from typing import Any

from ..ending.texts import end_text
from ..timeutil import iso
from .models import Conversation, Message
from .store import StoredMessage


def message_dict(msg: Message | StoredMessage) -> dict[str, Any]:
    """Serialize one message."""
    payload = getattr(msg, "payload", None)  # StoredMessage (the hot path's insert) has none
    return {
        "id": msg.id,
        "conversation_id": msg.conversation_id,
        "sender": msg.sender_kind,
        "sender_id": msg.sender_id,
        "content_type": msg.content_type,
        "text": msg.body,
        "client_id": msg.client_msg_id,
        "created_at": iso(msg.created_at),
        # e.g. an offline reply to a leave message: {offline, leave_message_id, quote, agent_name}
        **({"payload": payload} if payload else {}),
    }


def conversation_dict(conv: Conversation) -> dict[str, Any]:
    """Serialize a conversation header (no messages)."""
    visitor = conv.visitor
    return {
        "id": conv.id,
        "status": conv.status,
        "channel_id": conv.channel_id,
        "channel": conv.channel.name if conv.channel else None,
        "skill_group_id": conv.skill_group_id,
        "agent_id": conv.agent_id,
        "agent_name": conv.agent.shown_name if conv.agent else None,
        "visitor": {"id": visitor.id, "name": visitor.name or f"访客{visitor.id}"},
        "created_at": iso(conv.created_at),
        "queued_at": iso(conv.queued_at),
        "assigned_at": iso(conv.assigned_at),
        "closed_at": iso(conv.closed_at),
        "last_message_at": iso(conv.last_message_at),
        "end_reason": conv.end_reason,
        "end_text": end_text(conv.end_reason),  # what each side is told, zh and en
        "page_url": conv.page_url,
    }
