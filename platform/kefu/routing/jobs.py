"""Background jobs of routing."""

from __future__ import annotations

from ..jobs import job
from .assign import drain_queue


@job
def drain_group(company_id: int, skill_group_id: int | None) -> int:
    """Assign what waits in one group's queue while agents have room (idempotent)."""
    return drain_queue(company_id, [skill_group_id])
