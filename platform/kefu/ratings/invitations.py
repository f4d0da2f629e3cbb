"""Invitations to rate (邀评): by the agent, when the agent ends the chat, or by the session rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..conversations.access import access_conversation
from ..conversations.models import Conversation, ConversationEvent
from ..conversations.schemas import load
from ..errors import KefuError
from ..extensions import db
from ..org.models import User
from ..realtime.events import VISITOR_NS, publish, visitor_room
from ..settings.queries import company_settings
from ..timeutil import utcnow
from . import queries, schemes
from .schemas import InviteSchema

# An agent may still invite shortly after the chat ended (the visitor may still be on the page).
INVITE_AFTER_CLOSE = timedelta(minutes=10)
# Sobot's 邀评限频: one invitation per conversation in this interval.
INVITE_INTERVAL = timedelta(seconds=10)


def invite_event(conv: Conversation, by: str) -> dict[str, Any]:
    """The rating.invite event: the conversation and the scheme to render."""
    scheme = schemes.resolve_scheme(conv.company_id, conv.skill_group_id)
    return {"type": "rating.invite", "conversation_id": conv.id, "by": by,
            "scheme": schemes.scheme_dict(scheme)}


def _may_invite(conv: Conversation) -> bool:
    """A conversation an agent served, and not rated yet unless the scheme takes repeats."""
    if queries.agent_chain(conv.id)[0] is None:
        return False
    scheme = schemes.resolve_scheme(conv.company_id, conv.skill_group_id)
    return scheme.allow_repeat or not queries.is_rated(conv.id)


def check_invite(agent: User, data: Any) -> Conversation:
    """Validate an agent's invitation and send it."""
    fields = load(InviteSchema(), data)
    conv = access_conversation(agent, fields["conversation_id"])
    last_agent = queries.agent_chain(conv.id)[0]
    if conv.is_open and conv.agent_id != agent.id:
        raise KefuError("not_assigned", status=403)
    if not conv.is_open and last_agent != agent.id:
        raise KefuError("not_assigned", status=403)
    if conv.closed_at is not None and utcnow() - conv.closed_at > INVITE_AFTER_CLOSE:
        raise KefuError("rating_invite_expired", status=409,
                        minutes=int(INVITE_AFTER_CLOSE.total_seconds() // 60))
    scheme = schemes.resolve_scheme(conv.company_id, conv.skill_group_id)
    if not scheme.allow_repeat and queries.is_rated(conv.id):
        raise KefuError("already_rated", status=409)
    last = queries.last_invitation_at(conv.id)
    if last is not None and utcnow() - last < INVITE_INTERVAL:
        wait = INVITE_INTERVAL - (utcnow() - last)
        raise KefuError("rating_invite_too_soon", status=429, seconds=int(wait.total_seconds()) + 1)
    do_invite(conv, "agent", agent.id)
    db.session.commit()
    return conv


def do_invite(conv: Conversation, by: str, actor_id: int | None = None) -> None:
    """Record an invitation and send it to the visitor after commit (the caller commits)."""
    db.session.add(ConversationEvent(company_id=conv.company_id, conversation_id=conv.id,
                                     kind="rating_invited", actor_id=actor_id, data={"by": by}))
    publish(invite_event(conv, by), (VISITOR_NS, visitor_room(conv.visitor_id)))


def invite_on_close(conv: Conversation, reason: str) -> None:
    """When the agent ends a chat and the company asks for it, invite the visitor (no commit)."""
    if reason != "agent_removed":
        return
    if not company_settings(conv.company_id).rating_on_close or not _may_invite(conv):
        return
    do_invite(conv, "close", conv.agent_id)


def publish_rule_invite(conv: Conversation) -> bool:
    """Send the session rules' invitation; True when sent (the deadline sweep records it and commits)."""
    if not _may_invite(conv):
        return False
    publish(invite_event(conv, "rule"), (VISITOR_NS, visitor_room(conv.visitor_id)))
    return True
