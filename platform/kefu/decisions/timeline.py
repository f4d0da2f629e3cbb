"""Put a decision on the conversation's timeline: point, rule, version, actions and the facts."""

from __future__ import annotations

from typing import Any

from ..conversations.models import Conversation, ConversationEvent
from ..extensions import db
from ..rules.decision import Decision


def record_decision(conv: Conversation, decision: Decision, facts: dict[str, Any]) -> None:
    """Add a `decision` event (the stored facts let a dry run replay it against a draft)."""
    db.session.add(ConversationEvent(
        company_id=conv.company_id, conversation_id=conv.id, kind="decision",
        data={**decision.to_dict(), "facts": _plain(facts)},
    ))


def _plain(facts: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in facts.items() if isinstance(v, str | int | float | bool | list) or v is None}
