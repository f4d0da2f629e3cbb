"""Background jobs of the end of chat."""

from __future__ import annotations

from ..jobs import job
from .actions import do_visitor_left


@job
def visitor_left(visitor_id: int, channel_id: int, gone_at: str) -> bool:
    """End the chat of a visitor whose chat page stayed closed for the grace period."""
    return do_visitor_left(visitor_id, channel_id, gone_at)
