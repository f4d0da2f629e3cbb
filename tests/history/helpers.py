"""Visitors with several past conversations, set up through kefu's own actions."""

from __future__ import annotations

from typing import Any

from kefu.conversations.actions import do_agent_message, do_close, do_visitor_message
from kefu.conversations.models import Conversation
from kefu.extensions import db
from kefu.visitors.token import verify


def talk(d: Any, token: str, lines: int, tag: str) -> int:
    """The visitor and the agent exchange `lines` messages (visitor first); return the chat id."""
    claims = verify(token)
    conv_id = 0
    for n in range(lines):
        if n % 2 == 0:
            msg, _ = do_visitor_message(claims, f"{tag} v{n}", f"{tag}-v{n}")
        else:
            msg, _ = do_agent_message(d.agent, conv_id, f"{tag} a{n}", f"{tag}-a{n}")
        conv_id = msg.conversation_id
    return conv_id


def close(conv_id: int, agent_id: int) -> None:
    """The agent ends the chat (客服结束了会话)."""
    conv = db.session.get(Conversation, conv_id)
    assert conv is not None
    do_close(conv, "agent_removed", actor_id=agent_id)


def past_and_current(d: Any, sizes: tuple[int, ...]) -> list[int]:
    """Chats of `d.visitor` with these message counts, all ended but the last; their ids."""
    ids = []
    for i, size in enumerate(sizes):
        conv_id = talk(d, d.token, size, f"c{i}")
        ids.append(conv_id)
        if i < len(sizes) - 1:
            close(conv_id, d.agent.id)
    return ids
