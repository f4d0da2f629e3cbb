"""The /agent namespace: the workbench's live connection, authenticated by the login session."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_socketio import Namespace, join_room
from socketio.exceptions import ConnectionRefusedError

from ..conversations import queries
from ..conversations.access import can_see_conversation
from ..conversations.actions import check_agent_message, check_close
from ..conversations.schemas import load
from ..conversations.serialize import conversation_dict, message_dict
from ..errors import KefuError
from ..org.access import follows_company_live
from ..presence.sockets import PresenceHandlers, presence_connected
from .events import agent_room, monitor_room
from .handlers import acked


def _lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


class AgentNamespace(PresenceHandlers, Namespace):
    """Handlers of the /agent namespace."""

    def on_connect(self, auth: Any = None) -> None:
        """Accept only logged-in company users; each joins their own agent room, supervisors
        also their company's monitor room (status requests, pool notices, no-reply alerts)."""
        if not current_user.is_authenticated or current_user.company_id is None:
            error = KefuError("unauthorized").to_dict()["error"]
            raise ConnectionRefusedError(error["message"], error)
        join_room(agent_room(current_user.id))
        if follows_company_live(current_user):
            join_room(monitor_room(current_user.company_id))
        presence_connected()

    # on_status (and status_state, status_cancel, disconnect) come from PresenceHandlers.

    @acked(_lang)
    def on_message(self, data: Any = None) -> dict[str, Any]:
        """Send a reply in an assigned conversation."""
        msg, created = check_agent_message(_agent(), data)
        return {"message": message_dict(msg), "duplicate": not created}

    @acked(_lang)
    def on_close(self, data: Any = None) -> dict[str, Any]:
        """End an assigned conversation."""
        conv = check_close(_agent(), data)
        return {"conversation": conversation_dict(conv)}

    @acked(_lang)
    def on_sync(self, data: Any = None) -> dict[str, Any]:
        """Return the agent's open conversations with the newest messages of each (after
        `after[id]`, else `after_id`) and its window (`has_more`, `gap`: history pages bring
        the rest), and the current state of the other `conversation_ids` the workbench shows."""
        from ..history.queries import sync_windows
        from ..history.schemas import AgentSyncSchema
        from ..transfers.queries import assisted_conversations

        fields = load(AgentSyncSchema(), data if data is not None else {})
        agent = _agent()
        convs = queries.agent_open_conversations(agent.id) + assisted_conversations(agent.id)
        open_ids = {c.id for c in convs}
        after = {cid: fields["after"].get(str(cid), fields["after_id"]) for cid in open_ids}
        msgs, windows = sync_windows(sorted(open_ids), after)
        # Chats the screen still shows may have ended while it was away (e.g. by a timeout).
        known = [
            c for c in queries.conversations_by_ids(agent.company_id, fields["conversation_ids"])
            if c.id not in open_ids and can_see_conversation(agent, c)
        ]
        from ..ratings.sockets import sync_ratings

        return {
            "status": agent.status,
            "conversations": [conversation_dict(c) for c in convs + known],
            "messages": [message_dict(m) for m in msgs],
            "windows": windows,
            "ratings": sync_ratings(agent, [c.id for c in convs + known]),
        }


# Ratings (ratings/sockets.py) add rating.invite.
from ..ratings.sockets import install_agent  # noqa: E402 - its own block, apart from the shared imports

install_agent(AgentNamespace)

# The blacklist (blacklist/sockets.py) adds blacklist.
from ..blacklist.sockets import install as _install_blacklist  # noqa: E402 - its own block

_install_blacklist(AgentNamespace)

# Transfers, invitations and monitoring (transfers/sockets.py) add their own events.
from ..transfers.sockets import install as _install_transfers  # noqa: E402 - its own block

_install_transfers(AgentNamespace)

# Service summaries, stars and orders (summaries/sockets.py) add their own events.
from ..summaries.sockets import install as _install_summaries  # noqa: E402 - its own block

_install_summaries(AgentNamespace)

# The visitor panel (visitors/sockets.py) adds visitor.panel and visitor.update.
from ..visitors.sockets import install_agent as _install_visitor_panel  # noqa: E402 - its own block

_install_visitor_panel(AgentNamespace)

# The chat pane (chatpane/sockets.py) adds typing, read, message.recall and chat.state.
from ..chatpane.sockets import install_agent as _install_chatpane  # noqa: E402 - its own block

_install_chatpane(AgentNamespace)

# The workbench list (wblist/sockets.py) adds its tabs, meta, status counts and pick from the queue.
from ..wblist.sockets import install as _install_wblist  # noqa: E402 - its own block

_install_wblist(AgentNamespace)

# Chat history (history/sockets.py) adds history.
from ..history.sockets import install_agent as _install_history  # noqa: E402 - its own block

_install_history(AgentNamespace)

# The knowledge panel (kbpanel/sockets.py) adds kb.search, kb.tree, kb.item, kb.favourite(s).
from ..kbpanel.sockets import install as _install_kbpanel  # noqa: E402 - its own block

_install_kbpanel(AgentNamespace)
