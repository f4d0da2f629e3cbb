"""Writes of the chat pane: recall, read marks, and what a new message carries (quote, flags)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from ..conversations.actions import conversation_targets
from ..conversations.models import Conversation, ConversationEvent, Message
from ..conversations.schemas import load
from ..conversations.serialize import message_dict
from ..dblock import locked, serialized
from ..errors import KefuError, NotFound
from ..extensions import db
from ..org.models import User
from ..realtime.events import publish
from ..timeutil import iso, utcnow
from ..visitors.token import VisitorClaims
from .models import ReadMark
from .schemas import ReadSchema, RecallSchema
from .words import matcher

QUOTE_CHARS = 200


def _company(agent: User) -> int:
    if agent.company_id is None:  # operators have no company and no chats
        raise KefuError("forbidden", status=403)
    return agent.company_id


# --- what a new message carries --------------------------------------------------------

def agent_payload(agent: User, conversation_id: int, text: str, reply_to: int | None) -> dict[str, Any]:
    """Refuse an agent text containing a sensitive word; return the payload (quote) to store."""
    company_id = _company(agent)
    word = matcher(company_id, "agent").first(text)
    if word is not None:
        raise KefuError("sensitive_word", status=422, fields={"text": [word]}, word=word)
    if reply_to is None:
        return {}
    visitor_id = db.session.scalar(select(Conversation.visitor_id).where(
        Conversation.id == conversation_id, Conversation.company_id == company_id))
    if visitor_id is None:
        raise NotFound("not_found")
    return quote_payload(company_id, visitor_id, reply_to)


def visitor_payload(claims: VisitorClaims, text: str, reply_to: int | None) -> dict[str, Any]:
    """Flag a visitor text's sensitive words (stored, not blocked) and add its quote."""
    payload: dict[str, Any] = {}
    found = matcher(claims.company_id, "visitor").find(text)
    if found:
        payload["sensitive"] = found
    if reply_to is not None:
        payload.update(quote_payload(claims.company_id, claims.visitor_id, reply_to))
    return payload


def quote_payload(company_id: int, visitor_id: int, message_id: int) -> dict[str, Any]:
    """The quote of a message of the same visitor's chats; refuse others and recalled ones."""
    row = db.session.execute(
        select(Message.id, Message.sender_kind, Message.body, Message.payload, Conversation.visitor_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.id == message_id, Message.company_id == company_id)
    ).first()
    if row is None or row[4] != visitor_id or (row[3] or {}).get("recalled"):
        raise KefuError("quote_unavailable", status=404, fields={"reply_to": ["unavailable"]})
    return {"quote": {"id": row[0], "sender": row[1], "text": row[2][:QUOTE_CHARS]}}


# --- recall (撤回) ---------------------------------------------------------------------

def check_agent_recall(agent: User, data: Any) -> Message:
    """Validate an agent's recall of their own message and perform it."""
    fields = load(RecallSchema(), data)
    return do_recall(fields["message_id"], _company(agent), "agent", agent_id=agent.id)


def check_visitor_recall(claims: VisitorClaims, data: Any) -> Message:
    """Validate a visitor's recall of their own message and perform it."""
    fields = load(RecallSchema(), data)
    return do_recall(fields["message_id"], claims.company_id, "visitor", visitor_id=claims.visitor_id)


def do_recall(
    message_id: int, company_id: int, side: str, *, agent_id: int | None = None,
    visitor_id: int | None = None,
) -> Message:
    """Recall a message within the company's window: its text is erased and both sides told.

    A replay of a done recall returns the recalled message and changes nothing.
    """
    from ..settings.queries import company_settings

    with serialized():
        msg = db.session.scalars(
            select(Message).where(Message.id == message_id, Message.company_id == company_id)
            .with_for_update()
        ).first()
        conv = db.session.get(Conversation, msg.conversation_id) if msg is not None else None
        if msg is None or conv is None or (side == "visitor" and conv.visitor_id != visitor_id):
            db.session.rollback()
            raise NotFound("not_found")
        own = msg.sender_kind == side and (side == "visitor" or msg.sender_id == agent_id)
        if not own:
            db.session.rollback()
            raise KefuError("recall_not_own", status=403)
        if (msg.payload or {}).get("recalled"):
            db.session.rollback()
            return msg
        window = company_settings(company_id).recall_seconds
        now = utcnow()
        if window <= 0:
            db.session.rollback()
            raise KefuError("recall_disabled", status=403)
        if now - msg.created_at > timedelta(seconds=window):
            db.session.rollback()
            raise KefuError("recall_expired", status=409, seconds=window)
        msg.body = ""  # the text is no longer stored, so never served again
        msg.payload = {"recalled": True, "recalled_at": iso(now), "recalled_by": side}
        _scrub_quotes(conv.visitor_id, msg.id)
        db.session.add(ConversationEvent(company_id=company_id, conversation_id=conv.id,
                                         kind="message_recalled", actor_id=agent_id,
                                         data={"message_id": msg.id, "by": side}))
        publish({"type": "message.recalled", "message": message_dict(msg)}, *conversation_targets(conv),
                skip_origin=True)
        db.session.commit()
    return msg


def _scrub_quotes(visitor_id: int, message_id: int) -> None:
    """Erase the recalled text from later messages quoting it (only minutes of messages to scan)."""
    conv_ids = select(Conversation.id).where(Conversation.visitor_id == visitor_id)
    for later in db.session.scalars(
        select(Message).where(Message.conversation_id.in_(conv_ids), Message.id > message_id)
    ):
        quote = (later.payload or {}).get("quote")
        if quote and quote.get("id") == message_id:
            later.payload = {**later.payload, "quote": {**quote, "text": "", "recalled": True}}


# --- read receipts -------------------------------------------------------------------------

def check_agent_read(agent: User, data: Any) -> dict[str, Any]:
    """Validate an agent's read mark on their (or their helped) chat and record it."""
    from ..transfers.queries import is_helper

    fields = load(ReadSchema(), data)
    conv = db.session.get(Conversation, fields["conversation_id"])
    if (conv is None or conv.company_id != agent.company_id
            or (conv.agent_id != agent.id and not is_helper(conv, agent.id))):
        raise NotFound("not_found")
    return do_read(conv, "agent", fields["up_to_id"])


def check_visitor_read(claims: VisitorClaims, data: Any) -> dict[str, Any]:
    """Validate a visitor's read mark on one of their chats and record it."""
    fields = load(ReadSchema(), data)
    conv = db.session.get(Conversation, fields["conversation_id"])
    if conv is None or conv.visitor_id != claims.visitor_id or conv.company_id != claims.company_id:
        raise NotFound("not_found")
    return do_read(conv, "visitor", fields["up_to_id"])


def do_read(conv: Conversation, side: str, up_to_id: int) -> dict[str, Any]:
    """Raise one side's high-water mark (never lower it); tell both sides when it moved."""
    last = db.session.scalar(
        select(func.max(Message.id)).where(Message.conversation_id == conv.id)) or 0
    up_to_id = min(up_to_id, last)  # nobody reads a message that does not exist yet
    conv_id, company_id = conv.id, conv.company_id
    with serialized(), locked(Conversation, [conv_id]):
        mark = db.session.scalars(
            select(ReadMark).where(ReadMark.conversation_id == conv_id).execution_options(
                populate_existing=True)
        ).first()
        if mark is None:
            mark = ReadMark(conversation_id=conv_id, company_id=company_id, agent_read_id=0,
                            visitor_read_id=0)
            db.session.add(mark)
        column = f"{side}_read_id"
        if up_to_id <= getattr(mark, column):
            result = mark_dict(mark)
            db.session.rollback()
            return {**result, "changed": False}
        setattr(mark, column, up_to_id)
        result = mark_dict(mark)
        publish({"type": "message.read", "reader": side, **result}, *conversation_targets(conv),
                skip_origin=True)
        db.session.commit()
    return {**result, "changed": True}


def mark_dict(mark: ReadMark) -> dict[str, Any]:
    """Serialize a read mark."""
    return {"conversation_id": mark.conversation_id, "agent_read_id": mark.agent_read_id or 0,
            "visitor_read_id": mark.visitor_read_id or 0}
