"""Reads of chat history: a visitor's messages across their conversations, page by page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select, true, union_all
from sqlalchemy.orm import aliased, joinedload

from ..conversations.models import Conversation, Message
from ..ending.texts import end_text
from ..extensions import db
from ..timeutil import iso

# What a sync brings per open chat: the newest messages; older ones come page by page.
SYNC_PER_CHAT = 50
# SQLite refuses compound selects of more than 500 parts: the per-chat pages go in chunks.
_CHUNK = 100


def visitor_conversations(company_id: int, visitor_id: int, channel_id: int | None = None) -> Any:
    """The id column of a visitor's conversations in a company (on one channel, if given)."""
    # The visitor's index finds the rows; the company (always the visitor's own) is only checked:
    # "+ 0" stops SQLite from walking the company's whole index instead.
    query = select(Conversation.id).where(Conversation.visitor_id == visitor_id,
                                          Conversation.company_id + 0 == company_id)
    if channel_id is not None:
        query = query.where(Conversation.channel_id == channel_id)
    return query


def page_query(conversations: Select[Any], before_id: int | None, limit: int) -> Select[Any]:
    """The statement of `page_before`: `limit` + 1 messages, newest first."""
    below = [Message.id < before_id] if before_id is not None else []
    if db.session.get_bind().dialect.name == "postgresql":
        # Each conversation walks its own (conversation_id, id) index backwards and stops after
        # limit + 1 rows: the cost follows the visitor's chats, never the message table (a plain
        # "conversation_id IN (…) ORDER BY id DESC LIMIT" may walk the primary key instead).
        convs = conversations.subquery("c")
        inner = (select(Message).where(Message.conversation_id == convs.c.id, *below)
                 .order_by(Message.id.desc()).limit(limit + 1).lateral("m"))
        msg = aliased(Message, inner)
        query = select(msg).select_from(convs).join(inner, true()).order_by(msg.id.desc())
    else:
        # SQLite: the IN list probes ix_message_conversation_id; "+ 0" keeps the planner off a
        # backwards walk of the whole table in id order.
        query = (select(Message).where(Message.conversation_id.in_(conversations), *below)
                 .order_by((Message.id + 0).desc()))
    return query.limit(limit + 1)


def page_before(conversations: Select[Any], before_id: int | None, limit: int
                ) -> tuple[list[Message], bool]:
    """Return the `limit` newest messages of `conversations` below `before_id`, oldest first,
    and whether older ones exist."""
    rows = list(db.session.scalars(page_query(conversations, before_id, limit)))
    more = len(rows) > limit
    return list(reversed(rows[:limit])), more


def conversation_headers(ids: Sequence[int]) -> list[dict[str, Any]]:
    """What a separator shows for each conversation: when, who served, where, how it ended."""
    if not ids:
        return []
    convs = db.session.scalars(
        select(Conversation).options(joinedload(Conversation.agent), joinedload(Conversation.channel))
        .where(Conversation.id.in_(list(ids))).order_by(Conversation.id)
    )
    return [{
        "id": c.id,
        "status": c.status,
        "created_at": iso(c.created_at),
        "closed_at": iso(c.closed_at),
        "agent_name": c.agent.shown_name if c.agent else None,
        "channel": c.channel.name if c.channel else None,
        "end_reason": c.end_reason,
        "end_text": end_text(c.end_reason),
    } for c in convs]


def sync_windows(conversation_ids: Sequence[int], after: dict[int, int], limit: int = SYNC_PER_CHAT
                 ) -> tuple[list[Message], dict[str, dict[str, Any]]]:
    """Return, per conversation, its newest `limit` messages after `after[id]` (0: all), oldest
    first, and its window: oldest id sent, `has_more` older messages, `gap` (more than `limit`
    came after `after[id]`: the client must page back to what it holds)."""
    ids = sorted(set(conversation_ids))
    page_ids: list[int] = []
    for start in range(0, len(ids), _CHUNK):
        parts = [
            select(Message.id).where(Message.conversation_id == cid, Message.id > after.get(cid, 0))
            .order_by(Message.id.desc()).limit(limit + 1).subquery()
            for cid in ids[start:start + _CHUNK]
        ]
        union = union_all(*[select(p.c.id) for p in parts])
        page_ids += list(db.session.scalars(union))
    msgs = list(db.session.scalars(select(Message).where(Message.id.in_(page_ids))
                                   .order_by(Message.id))) if page_ids else []
    first: dict[int, int | None] = dict(db.session.execute(
        select(Conversation.id,
               select(func.min(Message.id)).where(Message.conversation_id == Conversation.id)
               .scalar_subquery())
        .where(Conversation.id.in_(ids))
    ).tuples().all()) if ids else {}
    per: dict[int, list[Message]] = {cid: [] for cid in ids}
    for m in msgs:
        per[m.conversation_id].append(m)
    out: list[Message] = []
    windows: dict[str, dict[str, Any]] = {}
    for cid in ids:
        rows = per[cid]
        gap = len(rows) > limit and after.get(cid, 0) > 0
        rows = rows[-limit:]
        oldest = rows[0].id if rows else None
        first_id = first.get(cid)
        has_more = first_id is not None and (oldest is None or first_id < oldest)
        windows[str(cid)] = {"oldest_id": oldest, "has_more": has_more, "gap": gap}
        out += rows
    out.sort(key=lambda m: m.id)
    return out, windows
