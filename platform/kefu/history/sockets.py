"""The `history` event on /agent and /visitor: older messages, a page at a time."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from ..conversations.models import Conversation
from ..conversations.schemas import load
from ..conversations.serialize import message_dict
from ..errors import KefuError, NotFound
from ..extensions import db
from ..realtime.bucket import check_allowed
from ..realtime.handlers import acked
from . import queries
from .schemas import AgentHistorySchema, VisitorHistorySchema

# Scrolling fetches a page at a time; a socket asking faster than this is refused (rate_limited)
# rather than reading a visitor's whole history in a loop. The burst covers a workbench of 50
# chats filling the gaps of a long disconnect at once (it retries a refused page a second later).
PAGES_PER_SECOND = 5.0
PAGES_BURST = 60.0


def _agent_lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


def _page(conversations: Any, before_id: int | None, limit: int) -> dict[str, Any]:
    """Serialize a page with the separators' data of every conversation in it."""
    msgs, more = queries.page_before(conversations, before_id, limit)
    conv_ids = sorted({m.conversation_id for m in msgs})
    return {"messages": [message_dict(m) for m in msgs], "has_more": more,
            "conversations": queries.conversation_headers(conv_ids)}


def readable_conversation(agent: Any, conversation_id: int) -> Conversation:
    """The conversation if the agent may read it (sees it, or helps in it); NotFound otherwise."""
    from ..conversations.access import can_see_conversation
    from ..transfers.queries import is_helper

    conv = db.session.get(Conversation, conversation_id)
    if conv is None:
        raise NotFound("not_found")
    if conv.company_id != agent.company_id:
        raise NotFound("not_found")
    if not (can_see_conversation(agent, conv) or is_helper(conv, agent.id)):
        raise NotFound("not_found")
    return conv


@acked(_agent_lang)
def agent_history(self: Any, data: Any = None) -> dict[str, Any]:
    """Return the page of the chat's visitor's messages, across all their conversations in the
    company, before `before_id` (the newest page without it)."""
    check_allowed("history", PAGES_PER_SECOND, PAGES_BURST)
    fields = load(AgentHistorySchema(), data)
    conv = readable_conversation(_agent(), fields["conversation_id"])
    convs = queries.visitor_conversations(conv.company_id, conv.visitor_id)
    return {"conversation_id": conv.id, **_page(convs, fields["before_id"], fields["limit"])}


def install_agent(namespace: type) -> None:
    """Add `history` to the /agent namespace class."""
    namespace.on_history = agent_history  # type: ignore[attr-defined]


def install_visitor(namespace: type, claims_of: Any, lang_of: Any) -> None:
    """Add `history` to the /visitor namespace class."""

    @acked(lang_of)
    def visitor_history(self: Any, data: Any = None) -> dict[str, Any]:
        """Return the page of the visitor's own messages on this channel before `before_id`,
        across their earlier conversations (the token says who they are)."""
        check_allowed("history", PAGES_PER_SECOND, PAGES_BURST)
        claims = claims_of()
        fields = load(VisitorHistorySchema(), data if data is not None else {})
        convs = queries.visitor_conversations(claims.company_id, claims.visitor_id, claims.channel_id)
        return _page(convs, fields["before_id"], fields["limit"])

    namespace.on_history = visitor_history  # type: ignore[attr-defined]
