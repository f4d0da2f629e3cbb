"""End of chat from the visitor's side: the end button, the page closed, a new chat elsewhere.

Closing the page is "every widget socket of the visitor on that channel gone for
KEFU_VISITOR_GONE_SECONDS" (default 90 s): navigating between the pages of a site reconnects
well within that, so only a visitor who really left ends the chat. The live-socket count is kept
in the database (visitor_presence), so it works across web processes; the check is a delayed job
that receives the moment the count dropped to zero and acts only if nothing changed since.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import bindparam, select, text

from ..conversations.models import OPEN_STATUSES, Conversation
from ..conversations.schemas import load
from ..dblock import serialized
from ..errors import NotFound
from ..extensions import db
from ..jobs import enqueue
from ..timeutil import UTCDateTime, iso, utcnow
from ..visitors.token import VisitorClaims
from .models import VisitorPresence

DEFAULT_GONE_SECONDS = 90.0


class EndSchema(Schema):
    """The visitor ends their chat (optionally naming it, as the widget shows it)."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=1))


# End reason -> the queue's abandonment cause, for a chat that was still waiting.
ABANDON_CAUSES = {"visitor_closed": "visitor_left", "visitor_page_closed": "page_closed",
                  "visitor_new_page": "page_closed"}


def end_as_visitor(conv: Conversation, reason: str) -> None:
    """End a conversation for a visitor-side reason; a queued one is a queue abandonment.

    reason "visitor_page_closed" is recorded as "visitor_closed" (Sobot has one reason for both).
    """
    from ..conversations.actions import do_close
    from ..queueing.actions import do_abandon

    if conv.status == "queued" and do_abandon(conv.id, ABANDON_CAUSES.get(reason, "visitor_left")):
        return
    do_close(conv, "visitor_closed" if reason == "visitor_page_closed" else reason)


def check_visitor_end(claims: VisitorClaims, data: Any) -> Conversation:
    """Validate the visitor's "end chat" and end their open chat on this channel.

    Ending a chat that already ended (a replay, or a second tab) changes nothing and answers with it.
    """
    fields = load(EndSchema(), data if data is not None else {})
    query = select(Conversation).where(Conversation.visitor_id == claims.visitor_id,
                                       Conversation.channel_id == claims.channel_id)
    if fields["conversation_id"] is not None:
        query = query.where(Conversation.id == fields["conversation_id"])
    conv = db.session.scalars(query.order_by(Conversation.id.desc()).limit(1)).first()
    if conv is None:
        raise NotFound("not_found")
    if conv.is_open:
        end_as_visitor(conv, "visitor_closed")
        db.session.refresh(conv)
    return conv


def end_chats_elsewhere(conversation_id: int) -> int:
    """End the visitor's other open chats (other channels) once a new one opened; return how many.

    Sobot keeps one live chat per customer: the old one ends as "opened a new chat page".
    """
    conv = db.session.get(Conversation, conversation_id)
    if conv is None:
        return 0
    others = db.session.scalars(
        select(Conversation).where(Conversation.company_id == conv.company_id,
                                   Conversation.visitor_id == conv.visitor_id,
                                   Conversation.id != conv.id,
                                   Conversation.status.in_(OPEN_STATUSES))
    ).all()
    for other in others:
        end_as_visitor(other, "visitor_new_page")
    return len(others)


# --- the chat page: live sockets per visitor and channel --------------------------------------

# SQLite (>= 3.35) and PostgreSQL share UPDATE … RETURNING; SET sees the old row on both.
_DEPART = text(
    "UPDATE visitor_presence SET"
    " gone_at = CASE WHEN sockets <= 1 THEN :now ELSE gone_at END,"
    " sockets = CASE WHEN sockets > 0 THEN sockets - 1 ELSE 0 END"
    " WHERE visitor_id = :v AND channel_id = :c RETURNING sockets"
).bindparams(bindparam("now", type_=UTCDateTime()))


def socket_opened(visitor_id: int, channel_id: int) -> None:
    """Count one more live widget socket of the visitor on the channel."""
    with serialized():
        db.session.execute(text(
            "INSERT INTO visitor_presence (visitor_id, channel_id, sockets) VALUES (:v, :c, 1)"
            " ON CONFLICT (visitor_id, channel_id) DO UPDATE SET sockets = visitor_presence.sockets + 1"
        ), {"v": visitor_id, "c": channel_id})
        db.session.commit()


def socket_closed(visitor_id: int, channel_id: int) -> None:
    """Count one socket less; when none is left, check after the grace period whether they came back."""
    now = utcnow()
    with serialized():
        left = db.session.execute(_DEPART, {"v": visitor_id, "c": channel_id, "now": now}).scalar()
        if left == 0:
            enqueue(page_closed_job(), visitor_id, channel_id, iso(now), delay=gone_seconds())
        db.session.commit()


def gone_seconds() -> float:
    """How long every socket must stay gone before the chat counts as closed by the visitor."""
    return float(current_app.config.get("KEFU_VISITOR_GONE_SECONDS", DEFAULT_GONE_SECONDS))


def page_closed_job() -> Any:
    from .jobs import visitor_left

    return visitor_left


def do_visitor_left(visitor_id: int, channel_id: int, gone_at: str) -> bool:
    """End the visitor's open chat on the channel if they did not come back since `gone_at`."""
    presence = db.session.scalars(
        select(VisitorPresence).where(VisitorPresence.visitor_id == visitor_id,
                                      VisitorPresence.channel_id == channel_id)
    ).first()
    if presence is None or presence.sockets > 0 or presence.gone_at is None:
        return False
    if abs((presence.gone_at - datetime.fromisoformat(gone_at)).total_seconds()) > 0.001:
        return False  # they came back and left again later: that departure has its own check
    conv = db.session.scalars(
        select(Conversation).where(Conversation.visitor_id == visitor_id,
                                   Conversation.channel_id == channel_id,
                                   Conversation.status.in_(OPEN_STATUSES))
        .order_by(Conversation.id.desc()).limit(1)
    ).first()
    db.session.rollback()
    if conv is None:
        return False
    end_as_visitor(conv, "visitor_page_closed")
    return True
