"""Background jobs of conversations."""

from __future__ import annotations

from ..jobs import job
from .actions import do_compute_metrics


@job
def compute_conversation_metrics(conversation_id: int) -> dict[str, int]:
    """Compute a closed conversation's per-agent metrics."""
    return {"segments": do_compute_metrics(conversation_id)}
