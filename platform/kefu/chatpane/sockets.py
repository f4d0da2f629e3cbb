"""The chat pane's socket events on /agent and /visitor: typing, read, recall, chat.state."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import request
from flask_login import current_user
from sqlalchemy import select

from ..conversations.models import Conversation
from ..conversations.schemas import load
from ..conversations.serialize import message_dict
from ..errors import KefuError, NotFound
from ..extensions import db, socketio
from ..realtime.events import AGENT_NS, VISITOR_NS, visitor_room
from ..realtime.handlers import acked
from . import actions, queries
from .schemas import AgentTypingSchema, StateSchema, VisitorTypingSchema

# A client sends "typing" on keystrokes; the server passes on at most one "still typing" per
# conversation and socket in this interval (a "stopped" always passes).
TYPING_INTERVAL = 2.0
_typing: dict[tuple[str, int], tuple[float, bool]] = {}
_typing_lock = threading.Lock()


def _throttled(sid: str, conv_id: int, typing: bool) -> bool:
    """Tell whether this typing signal repeats one passed on moments ago."""
    now = time.monotonic()
    key = (sid, conv_id)
    with _typing_lock:
        last = _typing.get(key)
        if last is not None and last[1] == typing and (not typing or now - last[0] < TYPING_INTERVAL):
            return True
        if len(_typing) > 50000:  # sockets that vanished mid-typing: forget them all
            _typing.clear()
        _typing[key] = (now, typing)
    return False


def _agent_lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


# --- /agent -------------------------------------------------------------------------------

@acked(_agent_lang)
def agent_typing(self: Any, data: Any = None) -> dict[str, Any]:
    """Tell the visitor their agent is (or stopped) typing; not stored."""
    from ..transfers.queries import is_helper

    agent = _agent()
    fields = load(AgentTypingSchema(), data)
    conv_id = fields["conversation_id"]
    if _throttled(request.sid, conv_id, fields["typing"]):  # type: ignore[attr-defined]
        return {"throttled": True}
    conv = db.session.get(Conversation, conv_id)
    if (conv is None or conv.company_id != agent.company_id
            or (conv.agent_id != agent.id and not is_helper(conv, agent.id))):
        raise NotFound("not_found")
    event = {"type": "typing", "conversation_id": conv_id, "sender": "agent",
             "typing": fields["typing"]}
    socketio.emit("typing", event, to=visitor_room(conv.visitor_id), namespace=VISITOR_NS)
    return {"throttled": False}


@acked(_agent_lang)
def agent_read(self: Any, data: Any = None) -> dict[str, Any]:
    """Mark a conversation read up to a message id (the visitor sees 已读)."""
    return actions.check_agent_read(_agent(), data)


@acked(_agent_lang)
def agent_recall(self: Any, data: Any = None) -> dict[str, Any]:
    """Recall one's own message within the company's window."""
    return {"message": message_dict(actions.check_agent_recall(_agent(), data))}


@acked(_agent_lang)
def agent_state(self: Any, data: Any = None) -> dict[str, Any]:
    """Return the read marks of the given conversations the agent serves, and the recall window."""
    from ..conversations.access import can_see_conversation
    from ..conversations.queries import conversations_by_ids
    from ..transfers.queries import is_helper

    agent = _agent()
    fields = load(StateSchema(), data if data is not None else {})
    ids = [c.id for c in conversations_by_ids(agent.company_id, fields["conversation_ids"])
           if can_see_conversation(agent, c) or is_helper(c, agent.id)]
    return {"recall_seconds": queries.recall_seconds(agent.company_id), "marks": queries.read_marks(ids)}


def install_agent(namespace: type) -> None:
    """Add typing, read, message.recall and chat.state to the /agent namespace class."""
    namespace.on_typing = agent_typing  # type: ignore[attr-defined]
    namespace.on_read = agent_read  # type: ignore[attr-defined]
    setattr(namespace, "on_message.recall", agent_recall)
    setattr(namespace, "on_chat.state", agent_state)


# --- /visitor -----------------------------------------------------------------------------

def install_visitor(namespace: type, claims_of: Any, lang_of: Any) -> None:
    """Add typing, read, message.recall and chat.state to the /visitor namespace class."""

    @acked(lang_of)
    def visitor_typing(self: Any, data: Any = None) -> dict[str, Any]:
        """Tell the visitor's agent (and helpers) the visitor is (or stopped) typing; not stored."""
        from ..conversations.actions import conversation_targets
        from ..conversations.models import OPEN_STATUSES

        claims = claims_of()
        fields = load(VisitorTypingSchema(), data if data is not None else {})
        conv = db.session.scalars(
            select(Conversation).where(Conversation.visitor_id == claims.visitor_id,
                                       Conversation.channel_id == claims.channel_id,
                                       Conversation.status.in_(OPEN_STATUSES))
            .order_by(Conversation.id.desc()).limit(1)
        ).first() if not _throttled(request.sid, 0, fields["typing"]) else None  # type: ignore[attr-defined]
        if conv is None:
            return {"throttled": True}
        event = {"type": "typing", "conversation_id": conv.id, "sender": "visitor",
                 "typing": fields["typing"]}
        for ns, room in conversation_targets(conv):
            if ns == AGENT_NS:
                socketio.emit("typing", event, to=room, namespace=ns)
        return {"throttled": False}

    @acked(lang_of)
    def visitor_read(self: Any, data: Any = None) -> dict[str, Any]:
        """Mark one's chat read up to a message id (the agent sees 已读)."""
        return actions.check_visitor_read(claims_of(), data)

    @acked(lang_of)
    def visitor_recall(self: Any, data: Any = None) -> dict[str, Any]:
        """Recall one's own message within the company's window."""
        return {"message": message_dict(actions.check_visitor_recall(claims_of(), data))}

    @acked(lang_of)
    def visitor_state(self: Any, data: Any = None) -> dict[str, Any]:
        """Return the read marks of the visitor's recent chats on this channel and the recall window."""
        claims = claims_of()
        ids = list(db.session.scalars(
            select(Conversation.id).where(Conversation.visitor_id == claims.visitor_id,
                                          Conversation.channel_id == claims.channel_id)
            .order_by(Conversation.id.desc()).limit(5)
        ))
        return {"recall_seconds": queries.recall_seconds(claims.company_id),
                "marks": queries.read_marks(ids)}

    namespace.on_typing = visitor_typing  # type: ignore[attr-defined]
    namespace.on_read = visitor_read  # type: ignore[attr-defined]
    setattr(namespace, "on_message.recall", visitor_recall)
    setattr(namespace, "on_chat.state", visitor_state)



