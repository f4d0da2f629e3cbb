"""Lean SQL for the message hot path: a handful of statements per message, no ORM reloads.

A message costs a locking read of its conversation, one INSERT … ON CONFLICT DO NOTHING
RETURNING (a repeated client id conflicts instead of costing a look-up first), one UPDATE and
the commit. Actions call these inside their transaction; nothing here commits.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Executable, bindparam, select, text

from ..extensions import db
from ..timeutil import UTCDateTime
from .models import OPEN_STATUSES, Message


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
    last_sender: str
    # Helpers and watchers who also get the conversation's events (transfers/).
    participant_ids: list[int] = field(default_factory=list)

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
    # Quote, sensitive-word flags … (chatpane); empty for most messages.
    payload: dict[str, Any] = field(default_factory=dict)


_COLS = (
    "id, company_id, channel_id, visitor_id, agent_id, status, first_response_at, skill_group_id,"
    " last_sender, participant_ids"
)
_OPEN = ", ".join(f"'{st}'" for st in OPEN_STATUSES)


@functools.cache
def _sql(dialect: str) -> dict[str, Executable]:
    """The hot-path statements, written once per dialect (no per-call statement building)."""
    lock = " FOR UPDATE" if dialect == "postgresql" else ""
    when = UTCDateTime()
    return {
        "open": text(
            f"SELECT {_COLS} FROM conversation WHERE visitor_id = :visitor AND "
            f"channel_id = :channel AND status IN ({_OPEN}) ORDER BY id DESC LIMIT 1{lock}"
        ).columns(first_response_at=when, participant_ids=JSON()),
        "one": text(f"SELECT {_COLS} FROM conversation WHERE id = :id{lock}")
        .columns(first_response_at=when, participant_ids=JSON()),
        # SQLite (>= 3.35) and PostgreSQL share the upsert syntax.
        "insert": text(
            "INSERT INTO message (company_id, conversation_id, channel_id, sender_kind, sender_id,"
            " content_type, body, payload, client_msg_id, created_at) VALUES (:company,"
            " :conversation, :channel, :sender, :sender_id, :ctype, :body, :payload, :client, :at)"
            " ON CONFLICT (conversation_id, client_msg_id) DO NOTHING RETURNING id"
        ).bindparams(bindparam("at", type_=when), bindparam("payload", type_=JSON())),
        "touch": text(
            "UPDATE conversation SET last_message_at = :at, last_sender = :sender WHERE id = :id"
        ).bindparams(bindparam("at", type_=when)),
        "first": text(
            "UPDATE conversation SET last_message_at = :at, last_sender = :sender,"
            " first_response_at = :at WHERE id = :id"
        ).bindparams(bindparam("at", type_=when)),
        "segment": text(
            "UPDATE conversation_segment SET first_response_at = :at WHERE conversation_id = :id"
            " AND agent_id = :agent AND ended_at IS NULL AND first_response_at IS NULL"
        ).bindparams(bindparam("at", type_=when)),
    }


def _stmt(name: str) -> Executable:
    return _sql(db.session.get_bind().dialect.name)[name]


def _conv(row: Any) -> ConvRow | None:
    if row is None:
        return None
    return ConvRow(*row)


def lock_open_conversation(visitor_id: int, channel_id: int) -> ConvRow | None:
    """Return (and row-lock on PostgreSQL) the visitor's open conversation on a channel."""
    return _conv(db.session.execute(
        _stmt("open"), {"visitor": visitor_id, "channel": channel_id}).first())


def lock_conversation(conversation_id: int) -> ConvRow | None:
    """Return (and row-lock on PostgreSQL) one conversation."""
    return _conv(db.session.execute(_stmt("one"), {"id": conversation_id}).first())


def insert_message(
    conv: ConvRow, sender: str, sender_id: int | None, text_: str, client_id: str | None,
    now: datetime, payload: dict[str, Any] | None = None, content_type: str = "text",
) -> StoredMessage | None:
    """Insert a message (text, or an image/file one); None when this client id is already stored."""
    new_id = db.session.execute(_stmt("insert"), {
        "company": conv.company_id, "conversation": conv.id, "channel": conv.channel_id,
        "sender": sender, "sender_id": sender_id, "body": text_, "client": client_id, "at": now,
        "payload": payload or {}, "ctype": content_type,
    }).scalar()
    if new_id is None:
        return None
    return StoredMessage(new_id, conv.company_id, conv.id, conv.channel_id, sender, sender_id,
                         content_type, text_, client_id, now, payload or {})


def find_message(conversation_id: int, client_id: str) -> StoredMessage | None:
    """Return the stored message with this client id in the conversation."""
    m = db.session.scalars(
        select(Message).where(Message.conversation_id == conversation_id,
                              Message.client_msg_id == client_id)
    ).first()
    if m is None:
        return None
    return StoredMessage(m.id, m.company_id, m.conversation_id, m.channel_id, m.sender_kind,
                         m.sender_id, m.content_type, m.body, m.client_msg_id, m.created_at,
                         m.payload or {})


def touch_conversation(
    conv: ConvRow, now: datetime, sender: str, sender_id: int | None = None
) -> None:
    """Record the latest activity and speaker (and, for an agent's first reply, the first response).

    The segment's first response is the replying agent's own: a helper's reply (sender_id not
    the owner) matches no open segment of theirs.
    """
    agent_reply = sender == "agent"
    first = agent_reply and conv.first_response_at is None
    db.session.execute(_stmt("first" if first else "touch"), {"at": now, "id": conv.id, "sender": sender})
    if agent_reply:
        agent = sender_id if sender_id is not None else conv.agent_id
        db.session.execute(_stmt("segment"), {"at": now, "id": conv.id, "agent": agent})
