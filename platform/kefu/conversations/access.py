"""Who may see and act on a conversation: one helper, one condition a line."""

from __future__ import annotations

from ..errors import NotFound
from ..extensions import db
from ..org.access import visible_group_ids
from ..org.models import User
from .models import Conversation


def can_see_conversation(user: User, conv: Conversation) -> bool:
    """Decide whether `user` may read `conv`."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_operator:
        return False  # operators run the installation; they do not read companies' chats
    if conv.company_id != user.company_id:
        return False
    if conv.agent_id == user.id:
        return True
    groups = visible_group_ids(user)
    if groups is None:
        return True
    if user.role == "agent":
        # Agents see their own chats and their groups' queue, not colleagues' live chats.
        return conv.status == "queued" and conv.skill_group_id in groups
    return conv.skill_group_id in groups


def access_conversation(user: User, conversation_id: int) -> Conversation:
    """Return the conversation if `user` may see it; NotFound (never Forbidden) otherwise."""
    conv = db.session.get(Conversation, conversation_id)
    if conv is None:
        raise NotFound("not_found")
    if not can_see_conversation(user, conv):
        raise NotFound("not_found")
    return conv


def access_conversation_reply(user: User, conversation_id: int) -> Conversation:
    """Return the conversation if `user` is its assigned agent and it is open."""
    from ..errors import KefuError

    conv = access_conversation(user, conversation_id)
    if conv.agent_id != user.id:
        raise KefuError("not_assigned", status=403)
    if not conv.is_open:
        raise KefuError("conversation_closed", status=409)
    return conv
