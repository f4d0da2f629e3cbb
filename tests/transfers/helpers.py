"""Chats set up through kefu's own actions for the transfer tests."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from kefu.conversations.actions import do_visitor_message
from kefu.conversations.models import Conversation, ConversationEvent, ConversationSegment
from kefu.extensions import db
from kefu.visitors.token import verify


def open_chat(make: Any, max_concurrent: int = 5) -> SimpleNamespace:
    """A desk (company, group, online agent A, channel) plus online colleague B, and a chat A serves."""
    d = make.desk(max_concurrent=max_concurrent)
    d.colleague = make.user(d.company, groups=[d.group], status="online")
    msg, _ = do_visitor_message(verify(d.token), "你好", "v-1")
    d.conv_id = msg.conversation_id
    conv = db.session.get(Conversation, d.conv_id)
    assert conv is not None and conv.agent_id in (d.agent.id, d.colleague.id)
    if conv.agent_id != d.agent.id:  # least saturation picked B at random: swap names
        d.agent, d.colleague = d.colleague, d.agent
    return d


def conv(conv_id: int) -> Conversation:
    """The conversation as stored now."""
    db.session.expire_all()
    found = db.session.get(Conversation, conv_id)
    assert found is not None
    return found


def segments(conv_id: int) -> list[tuple[int | None, str | None]]:
    """(agent, end kind) of each segment, in order."""
    db.session.expire_all()
    return [(s.agent_id, s.end_kind) for s in db.session.scalars(
        select(ConversationSegment).where(ConversationSegment.conversation_id == conv_id)
        .order_by(ConversationSegment.id))]


def events(conv_id: int, kind: str) -> list[ConversationEvent]:
    """The conversation's timeline events of one kind."""
    return list(db.session.scalars(
        select(ConversationEvent).where(ConversationEvent.conversation_id == conv_id,
                                        ConversationEvent.kind == kind)
        .order_by(ConversationEvent.id)))
