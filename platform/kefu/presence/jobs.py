"""Background work of presence: the grace-period check and the periodic sweep."""

from __future__ import annotations

from ..jobs import job


@job
def expire_presence(agent_id: int) -> bool:
    """Set a dropped agent offline once their grace period is over (idempotent)."""
    from .tracker import expire

    return expire(agent_id)


@job
def sweep_presence() -> int:
    """Fire due presence deadlines and watch agents whose process vanished (idempotent)."""
    from .tracker import sweep

    return sweep()
