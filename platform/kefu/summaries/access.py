"""Who may write a conversation's summary, star or orders: one helper, one condition a line."""

from __future__ import annotations

from sqlalchemy import select

from ..conversations.access import can_see_conversation
from ..conversations.models import Conversation, ConversationSegment
from ..errors import NotFound
from ..extensions import db
from ..org.models import User

MANAGER_ROLES = ("owner", "admin", "manager")


def held_by(user: User, conv: Conversation) -> bool:
    """Tell whether `user` serves or once served `conv` (a transferred chat had several)."""
    if conv.agent_id == user.id:
        return True
    found = db.session.scalar(
        select(ConversationSegment.id).where(ConversationSegment.conversation_id == conv.id,
                                             ConversationSegment.agent_id == user.id).limit(1)
    )
    return found is not None


def can_summarize(user: User, conv: Conversation) -> bool:
    """Decide whether `user` may write the summary and orders of `conv`."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_operator:
        return False
    if conv.company_id != user.company_id:
        return False
    if held_by(user, conv):
        return True
    if user.role not in MANAGER_ROLES:
        return False
    return can_see_conversation(user, conv)  # managers: only their skill groups' chats


def access_summary(user: User, conversation_id: int) -> Conversation:
    """Return the conversation if `user` may summarize it; NotFound (never Forbidden) otherwise."""
    conv = db.session.get(Conversation, conversation_id)
    if conv is None:
        raise NotFound("not_found")
    if not can_summarize(user, conv):
        raise NotFound("not_found")
    return conv
