"""Turn ratings into the JSON dicts sent to clients."""

from __future__ import annotations

from typing import Any

from ..timeutil import iso
from .models import Rating


def rating_dict(rating: Rating) -> dict[str, Any]:
    """Serialize one rating."""
    return {
        "id": rating.id,
        "conversation_id": rating.conversation_id,
        "agent_id": rating.agent_id,
        "agent_ids": list(rating.agent_ids or []),
        "scale": rating.scale,
        "score": rating.score,
        "solved": None if rating.solved < 0 else bool(rating.solved),
        "tags": list(rating.tags or []),
        "comment": rating.comment,
        "source": rating.source,
        "client_id": rating.client_id,
        "created_at": iso(rating.created_at),
    }
