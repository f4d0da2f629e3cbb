"""Reads of chat files."""

from __future__ import annotations

from sqlalchemy import select

from ..conversations.models import Message
from ..extensions import db
from .models import ChatFile


def is_shown(f: ChatFile) -> bool:
    """Whether a message of its chat carries the file: not before it is sent, not after a recall
    (a recalled message keeps its content type but loses its payload)."""
    payloads = db.session.scalars(select(Message.payload).where(
        Message.conversation_id == f.conversation_id, Message.content_type.in_(("image", "file"))))
    return any(((p or {}).get("file") or {}).get("id") == f.id for p in payloads)
