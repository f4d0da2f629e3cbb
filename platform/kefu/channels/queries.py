"""Reads about channels."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from .models import Channel

# Every visitor message checks its channel; a few seconds of staleness on "disabled" is fine
# and saves a query per message.
_TTL = 5.0
_cache: dict[tuple[int, int], tuple[float, ChannelState | None]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class ChannelState:
    """What the message path needs of a channel."""

    id: int
    company_id: int
    enabled: bool
    skill_group_id: int | None


def channel_state(channel_id: int) -> ChannelState | None:
    """Return a channel's state, cached per process for a few seconds."""
    key = (id(db.engine), channel_id)  # per app (tests run several); cheap on the hot path
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = db.session.execute(
        select(Channel.id, Channel.company_id, Channel.enabled, Channel.skill_group_id)
        .where(Channel.id == channel_id)
    ).first()
    state = ChannelState(row[0], row[1], bool(row[2]), row[3]) if row else None
    with _lock:
        _cache[key] = (now + _TTL, state)
    return state


def forget_channel(channel_id: int) -> None:
    """Drop a channel from this process's cache (after it was edited here)."""
    with _lock:
        for key in [k for k in _cache if k[1] == channel_id]:
            _cache.pop(key, None)


def clear_channel_cache() -> None:
    """Drop every cached channel state."""
    with _lock:
        _cache.clear()
