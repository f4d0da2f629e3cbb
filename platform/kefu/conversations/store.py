"""Lean SQL for the message hot path: a handful of statements per message, no ORM reloads.

A message costs a locking read of its conversation, one INSERT … ON CONFLICT DO NOTHING
RETURNING (a repeated client id conflicts instead of costing a look-up first), one UPDATE and
the commit. Actions call these inside their transaction; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from .models import OPEN_STATUSES, Conversation, ConversationSegment, Message

_MSG = Message.__table__
_CONV = Conversation.__table__


@dataclass(frozen=True)
class ConvRow:
    """What the message path needs to know of a conversation."""

    id: int
    company_id: int
    channel_id: int
    visitor_id: int
    agent_id: int | None
    status: str
    first_response_at: datetime | None
    skill_group_id: int | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class StoredMessage:
    """A committed (or about to be) message, with the attribute names of Message."""

    id: int
    company_id: int
    conversation_id: int
    channel_id: int
    sender_kind: str
    sender_id: int | None
    content_type: str
    body: str
    client_msg_id: str | None
    created_at: datetime


_CONV_COLS = (
    _CONV.c.id, _CONV.c.company_id, _CONV.c.channel_id, _CONV.c.visitor_id, _CONV.c.agent_id,
    _CONV.c.status, _CONV.c.first_response_at, _CONV.c.skill_group_id,
)


def _conv(row: Any) -> ConvRow | None:
    if row is None:
        return None
    return ConvRow(row.id, row.company_id, row.channel_id, row.visitor_id, row.agent_id,
                   row.status, row.first_response_at, row.skill_group_id)


def lock_open_conversation(visitor_id: int, channel_id: int) -> ConvRow | None:
    """Return (and row-lock on PostgreSQL) the visitor's open conversation on a channel."""
    row = db.session.execute(
        select(*_CONV_COLS)
        .where(_CONV.c.visitor_id == visitor_id, _CONV.c.channel_id == channel_id,
               _CONV.c.status.in_(OPEN_STATUSES))
        .order_by(_CONV.c.id.desc())
        .limit(1)
        .with_for_update()
    ).first()
    return _conv(row)


def lock_conversation(conversation_id: int) -> ConvRow | None:
    """Return (and row-lock on PostgreSQL) one conversation."""
    row = db.session.execute(
        select(*_CONV_COLS).where(_CONV.c.id == conversation_id).with_for_update()
    ).first()
    return _conv(row)


def _insert() -> Any:
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_MSG)


def insert_message(
    conv: ConvRow, sender: str, sender_id: int | None, text: str, client_id: str | None,
    now: datetime,
) -> StoredMessage | None:
    """Insert a text message; None when this client id is already stored in the conversation."""
    stmt = (
        _insert()
        .values(company_id=conv.company_id, conversation_id=conv.id, channel_id=conv.channel_id,
                sender_kind=sender, sender_id=sender_id, content_type="text", body=text,
                payload={}, client_msg_id=client_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["conversation_id", "client_msg_id"])
        .returning(_MSG.c.id)
    )
    new_id = db.session.execute(stmt).scalar()
    if new_id is None:
        return None
    return StoredMessage(new_id, conv.company_id, conv.id, conv.channel_id, sender, sender_id,
                         "text", text, client_id, now)


def find_message(conversation_id: int, client_id: str) -> StoredMessage | None:
    """Return the stored message with this client id in the conversation."""
    m = db.session.scalars(
        select(Message).where(Message.conversation_id == conversation_id,
                              Message.client_msg_id == client_id)
    ).first()
    if m is None:
        return None
    return StoredMessage(m.id, m.company_id, m.conversation_id, m.channel_id, m.sender_kind,
                         m.sender_id, m.content_type, m.body, m.client_msg_id, m.created_at)


def touch_conversation(conv: ConvRow, now: datetime, *, agent_reply: bool) -> None:
    """Record the latest activity (and, for an agent's first reply, the first response)."""
    values: dict[str, Any] = {"last_message_at": now}
    if agent_reply and conv.first_response_at is None:
        values["first_response_at"] = now
    db.session.execute(update(_CONV).where(_CONV.c.id == conv.id).values(**values))
    if agent_reply:
        seg = ConversationSegment.__table__
        db.session.execute(
            update(seg)
            .where(seg.c.conversation_id == conv.id, seg.c.agent_id == conv.agent_id,
                   seg.c.ended_at.is_(None), seg.c.first_response_at.is_(None))
            .values(first_response_at=now)
        )
