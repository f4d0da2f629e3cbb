"""Rating events: the agent's invitation on /agent; the visitor's scheme and submission on /visitor."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user

from ..conversations.schemas import load
from ..errors import KefuError
from ..org.models import User
from ..realtime.handlers import acked
from . import actions, invitations, queries, schemes
from .schemas import SchemeAskSchema
from .serialize import rating_dict


def _agent_lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


def _visitor_lang() -> str:
    from ..realtime.visitor import _lang  # the namespace keeps each socket's language

    return _lang()


def _visitor_claims() -> Any:
    from ..realtime.visitor import _claims, _sessions

    entry = _sessions.get(request.sid)  # type: ignore[attr-defined]
    if entry is not None and not entry[2].take():  # the socket's message bucket
        raise KefuError("rate_limited", status=429)
    return _claims()


@acked(_agent_lang)
def on_rating_invite(self: Any, data: Any = None) -> dict[str, Any]:
    """Invite the visitor of one's chat to rate it."""
    conv = invitations.check_invite(_agent(), data)
    return {"conversation_id": conv.id}


@acked(_visitor_lang)
def on_rating_scheme(self: Any, data: Any = None) -> dict[str, Any]:
    """Return the scheme of one's conversation and whether it can be rated now."""
    claims = _visitor_claims()
    fields = load(SchemeAskSchema(), data)
    conv = actions.visitor_conversation(claims, fields["conversation_id"])
    scheme = schemes.resolve_scheme(conv.company_id, conv.skill_group_id)
    ratings = queries.conversation_ratings(conv.id)
    reason = None
    try:
        actions.check_rateable(conv)
        if ratings and not scheme.allow_repeat:
            raise KefuError("already_rated", status=409)
    except KefuError as exc:
        reason = exc.to_dict(_visitor_lang())["error"]
    return {"conversation_id": conv.id, "scheme": schemes.scheme_dict(scheme),
            "ratings": [rating_dict(r) for r in ratings], "can_rate": reason is None,
            "reason": reason}


@acked(_visitor_lang)
def on_rating_submit(self: Any, data: Any = None) -> dict[str, Any]:
    """Store the visitor's rating; a replay (same client id) answers with the stored one."""
    rating, scheme, created = actions.check_submit(_visitor_claims(), data)
    return {"rating": rating_dict(rating), "thanks": schemes.thanks_text(scheme),
            "duplicate": not created}


AGENT_HANDLERS = {"rating.invite": on_rating_invite}
VISITOR_HANDLERS = {"rating.scheme": on_rating_scheme, "rating.submit": on_rating_submit}


def install_agent(namespace_class: type) -> None:
    """Add the rating handlers to the /agent namespace (Socket.IO dispatches "x" to `on_x`)."""
    for event, handler in AGENT_HANDLERS.items():
        setattr(namespace_class, f"on_{event}", handler)


def install_visitor(namespace_class: type) -> None:
    """Add the rating handlers to the /visitor namespace."""
    for event, handler in VISITOR_HANDLERS.items():
        setattr(namespace_class, f"on_{event}", handler)


def sync_ratings(agent: User, conversation_ids: list[int]) -> list[dict[str, Any]]:
    """The ratings an agent's sync carries: theirs, among these chats, if the company shows them."""
    if agent.company_id is None:
        return []
    return [rating_dict(r) for r in queries.visible_ratings(agent.id, agent.company_id,
                                                            conversation_ids)]
