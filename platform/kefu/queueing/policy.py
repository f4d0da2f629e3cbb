"""Pure queue policy: which limits apply, when the queue is full, and how long a wait will be.

No Flask and no database here, so the live queue and `kefu bench routing` run the same code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Without history a chat is assumed to take three minutes (a common 在线客服 handle time).
DEFAULT_HANDLE_SECONDS = 180.0
# The default counts as this many observed chats, so a few early samples move it only gently.
PRIOR_WEIGHT = 3
# How long a visitor asked "keep waiting or leave a message?" has to answer before 自动断开.
ANSWER_SECONDS = 120


def queue_key(priority: int, queued_at: Any, ident: int) -> tuple[int, Any, int]:
    """Sort key of a queued conversation: higher priority first, then arrival (as QUEUE_ORDER)."""
    return (-priority, queued_at, ident)


@dataclass(frozen=True)
class Limits:
    """The queue limits that apply to one conversation; 0 means unlimited."""

    max_length: int = 0
    max_wait: int = 0


def _pick(*values: Any) -> int:
    """The first value that is set (an int, not None), else 0."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return 0


def effective_limits(company: tuple[int, int], group: tuple[int | None, int | None],
                     rules: dict[str, Any] | None = None) -> Limits:
    """Combine the limits: the routing rules win, then the skill group's override, then the company.

    `company` and `group` are (max length, max wait seconds); a group's None means "as the company".
    """
    rules = rules or {}
    return Limits(
        max_length=_pick(rules.get("queue_max_length"), group[0], company[0]),
        max_wait=_pick(rules.get("queue_max_wait"), group[1], company[1]),
    )


def is_full(queued_ahead: int, limits: Limits) -> bool:
    """Whether a newcomer must be turned away: `queued_ahead` others already wait in its queue."""
    return limits.max_length > 0 and queued_ahead >= limits.max_length


def mean_handle(samples: Iterable[float], default: float = DEFAULT_HANDLE_SECONDS,
                prior_weight: int = PRIOR_WEIGHT) -> float:
    """Estimate a group's handle time from recent chats (seconds), shrunk towards the default."""
    total, n = 0.0, 0
    for s in samples:
        if s >= 0:
            total += s
            n += 1
    return (total + default * prior_weight) / (n + prior_weight)


def estimate_wait(position: int, capacity: int, handle_seconds: float) -> int | None:
    """Estimated seconds until the `position`-th in line is served; None when nobody can serve.

    With every one of `capacity` chat slots busy and exponential handle times of mean h, slots
    free at rate capacity/h, so the p-th in line waits p·h/capacity on average (M/M/c).
    """
    if capacity <= 0:
        return None
    if position <= 0:
        return 0
    return int(math.ceil(position * handle_seconds / capacity))
