"""Turn ratings into the JSON dicts sent to clients."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..timeutil import iso
from .models import Rating, RatingScheme
from .schemes import default_scheme, label_of


def rating_dict(rating: Rating) -> dict[str, Any]:
    """Serialize one rating, with its score's label from the scheme it was given under."""
    scheme = db.session.get(RatingScheme, rating.scheme_id) if rating.scheme_id else None
    if scheme is None or scheme.scale != rating.scale:
        scheme = default_scheme(rating.company_id)
        scheme.scale = rating.scale
    return {
        "id": rating.id,
        "conversation_id": rating.conversation_id,
        "agent_id": rating.agent_id,
        "agent_ids": list(rating.agent_ids or []),
        "scale": rating.scale,
        "score": rating.score,
        "label": label_of(scheme, rating.score),
        "solved": None if rating.solved < 0 else bool(rating.solved),
        "tags": list(rating.tags or []),
        "comment": rating.comment,
        "source": rating.source,
        "client_id": rating.client_id,
        "created_at": iso(rating.created_at),
    }
