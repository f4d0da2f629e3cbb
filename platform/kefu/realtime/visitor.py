"""The /visitor namespace: a widget's live connection, authenticated by its signed token."""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import Namespace, join_room
from socketio.exceptions import ConnectionRefusedError
from sqlalchemy import select

from ..conversations import queries
from ..conversations.actions import check_visitor_message
from ..conversations.models import Conversation
from ..conversations.schemas import SyncSchema, load
from ..conversations.serialize import message_dict
from ..ending.texts import end_text
from ..errors import KefuError
from ..extensions import db
from ..visitors import token as tokens
from .bucket import TokenBucket
from .events import visitor_room
from .handlers import acked

log = logging.getLogger(__name__)
# sid -> (claims, language, bucket); a socket lives in one process, so a process dict is enough.
_sessions: dict[str, tuple[tokens.VisitorClaims, str, TokenBucket]] = {}
# People type a few messages a second at most; a script sending more gets "too many" acks.
MESSAGE_RATE = 5.0
MESSAGE_BURST = 20.0


def _lang() -> str:
    entry = _sessions.get(request.sid)  # type: ignore[attr-defined]
    return entry[1] if entry else "zh"


def _claims() -> tokens.VisitorClaims:
    entry = _sessions.get(request.sid)  # type: ignore[attr-defined]
    if entry is None:
        raise KefuError("invalid_token", status=401)
    return entry[0]


def _presence(what: str, claims: tokens.VisitorClaims) -> None:
    """Count the visitor's live sockets (ending.actions); never fail the socket over it."""
    from ..ending import actions as ending

    try:
        getattr(ending, what)(claims.visitor_id, claims.channel_id)
    except Exception:  # noqa: BLE001 - a lost count only delays the page-closed end
        db.session.rollback()
        log.exception("visitor presence %s failed", what)


class VisitorNamespace(Namespace):
    """Handlers of the /visitor namespace."""

    def on_connect(self, auth: Any = None) -> None:
        """Accept a socket only with a valid visitor token; refuse with a reason otherwise."""
        auth = auth if isinstance(auth, dict) else {}
        lang = str(auth.get("lang") or "zh")[:8]
        try:
            claims = tokens.verify(auth.get("token"))
        except KefuError as exc:
            # The client's connect_error gets {message, data: {code, message_zh, message_en}}.
            error = exc.to_dict(lang)["error"]
            raise ConnectionRefusedError(error["message"], error) from exc
        bucket = TokenBucket(MESSAGE_RATE, MESSAGE_BURST)
        _sessions[request.sid] = (claims, lang, bucket)  # type: ignore[attr-defined]
        join_room(visitor_room(claims.visitor_id))
        _presence("socket_opened", claims)

    def on_disconnect(self, *_args: Any) -> None:
        """Forget the socket; the visitor's last one gone starts the "closed the page" clock."""
        entry = _sessions.pop(request.sid, None)  # type: ignore[attr-defined]
        if entry is not None:
            _presence("socket_closed", entry[0])

    @acked(_lang)
    def on_end(self, data: Any = None) -> dict[str, Any]:
        """End the visitor's chat (the widget's confirmed "end chat"); a replay changes nothing."""
        from ..ending.actions import check_visitor_end

        conv = check_visitor_end(_claims(), data)
        return {"conversation": {"id": conv.id, "status": conv.status, "end_reason": conv.end_reason,
                                 "end_text": end_text(conv.end_reason)}}

    @acked(_lang)
    def on_message(self, data: Any = None) -> dict[str, Any]:
        """Store a visitor's message; the ack carries the stored message (sent once per client_id)."""
        entry = _sessions.get(request.sid)  # type: ignore[attr-defined]
        if entry is not None and not entry[2].take():
            raise KefuError("rate_limited", status=429)
        msg, created = check_visitor_message(_claims(), data)
        return {"message": message_dict(msg), "duplicate": not created}

    @acked(_lang)
    def on_sync(self, data: Any = None) -> dict[str, Any]:
        """Return the messages after `after_id` of the visitor's recent conversations on this channel."""
        fields = load(SyncSchema(), data if data is not None else {})
        claims = _claims()
        conv_ids = list(
            db.session.scalars(
                select(Conversation.id)
                .where(
                    Conversation.visitor_id == claims.visitor_id,
                    Conversation.channel_id == claims.channel_id,
                )
                .order_by(Conversation.id.desc())
                .limit(5)
            )
        )
        msgs = queries.messages_after(conv_ids, fields["after_id"])
        conv = queries.latest_conversation(claims.visitor_id, claims.channel_id)
        state = None
        if conv is not None:
            from ..queueing.queries import visitor_state

            position = queries.queue_position(conv)
            state = {
                "id": conv.id, "status": conv.status, "queue_position": position,
                "agent_name": conv.agent.shown_name if conv.agent else None,
                "end_reason": conv.end_reason, "end_text": end_text(conv.end_reason),
                **visitor_state(conv, position),
            }
        return {"messages": [message_dict(m) for m in msgs], "conversation": state}

    @acked(_lang)
    def on_leave_message_submit(self, data: Any = None) -> dict[str, Any]:
        """Store a leave-message form; acked with its id only after it is committed."""
        from ..leavemessages.actions import check_submit

        entry = _sessions.get(request.sid)  # type: ignore[attr-defined]
        if entry is not None and not entry[2].take():
            raise KefuError("rate_limited", status=429)
        lm = check_submit(_claims(), data)
        return {"id": lm.id}

    @acked(_lang)
    def on_queue_leave(self, data: Any = None) -> dict[str, Any]:
        """Leave the queue (排队放弃, recorded with the wait); a replay changes nothing."""
        from ..queueing.actions import check_leave

        return check_leave(_claims(), data)

    @acked(_lang)
    def on_queue_keep_waiting(self, data: Any = None) -> dict[str, Any]:
        """Keep waiting after the max-wait prompt (the wait restarts); a replay changes nothing."""
        from ..queueing.actions import check_keep_waiting

        return check_keep_waiting(_claims(), data)

    @acked(_lang)
    def on_queue_leave_message(self, data: Any = None) -> dict[str, Any]:
        """Leave the queue for the leave-message form; a replay changes nothing."""
        from ..queueing.actions import check_leave_message

        return check_leave_message(_claims(), data)


# Socket.IO dispatches "x" to `on_x`; event names with a dot need the attribute set by name.
setattr(VisitorNamespace, "on_leave_message.submit", VisitorNamespace.on_leave_message_submit)
# Ratings (ratings/sockets.py) add rating.scheme and rating.submit.
from ..ratings.sockets import install_visitor  # noqa: E402 - its own block, apart from the shared imports

install_visitor(VisitorNamespace)
for _name in ("leave", "keep_waiting", "leave_message"):
    setattr(VisitorNamespace, f"on_queue.{_name}", getattr(VisitorNamespace, f"on_queue_{_name}"))
# The chat pane (chatpane/sockets.py) adds typing, read, message.recall and chat.state.
from ..chatpane.sockets import install_visitor as _install_chatpane  # noqa: E402 - its own block

_install_chatpane(VisitorNamespace, _claims, _lang)

# The browsing trail (visitors/sockets.py) adds page_view.
from ..visitors.sockets import install_visitor as _install_trail  # noqa: E402 - its own block

_install_trail(VisitorNamespace)

# Chat history (history/sockets.py) adds history: older pages of the visitor's own messages.
from ..history.sockets import install_visitor as _install_history  # noqa: E402 - its own block

_install_history(VisitorNamespace, _claims, _lang)

# The robot (robot/sockets.py) adds robot.info, robot.transfer and robot.feedback.
from ..robot.sockets import install_visitor as _install_robot  # noqa: E402 - its own block

_install_robot(VisitorNamespace, _claims, _lang)
