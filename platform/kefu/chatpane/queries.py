"""Reads of the chat pane: read marks and the recall window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from ..extensions import db
from .actions import mark_dict
from .models import ReadMark


def read_marks(conversation_ids: Sequence[int]) -> dict[str, dict[str, Any]]:
    """Return the read marks of conversations, keyed by id as a string (JSON keys)."""
    if not conversation_ids:
        return {}
    rows = db.session.scalars(select(ReadMark).where(ReadMark.conversation_id.in_(list(conversation_ids))))
    return {str(m.conversation_id): mark_dict(m) for m in rows}


def recall_seconds(company_id: int) -> int:
    """Return how long after sending a message may be recalled (0: never)."""
    from ..settings.queries import company_settings

    return int(company_settings(company_id).recall_seconds or 0)
