"""A token bucket per socket: a flooding client is told to slow down, others are unaffected."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """Allow `burst` events at once and `rate` per second on average."""

    rate: float
    burst: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)
    # A socket's events are handled on several threads (or greenlets) at once.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self) -> bool:
        """Spend one token if there is one; False means "too fast"."""
        with self.lock:
            return self._take()

    def _take(self) -> bool:
        now = time.monotonic()
        if self.tokens < 0:
            self.tokens = self.burst
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


# Buckets of the read-only events a client may fire in bursts (history pages, knowledge searches),
# per socket and kind; a socket's buckets are dropped once idle for PRUNE_AFTER seconds.
PRUNE_AFTER = 600.0
PRUNE_ABOVE = 10_000
_buckets: dict[tuple[str, str], TokenBucket] = {}
_guard = threading.Lock()


def allow(sid: str, kind: str, rate: float, burst: float) -> bool:
    """Whether socket `sid` may fire one more `kind` event now (False: too fast)."""
    key = (sid, kind)
    with _guard:
        bucket = _buckets.get(key)
        if bucket is None:
            if len(_buckets) >= PRUNE_ABOVE:
                old = time.monotonic() - PRUNE_AFTER
                for k in [k for k, b in _buckets.items() if b.stamp < old]:
                    del _buckets[k]
            bucket = _buckets[key] = TokenBucket(rate, burst)
    return bucket.take()


def check_allowed(kind: str, rate: float, burst: float) -> None:
    """Refuse the current socket event with rate_limited when its socket fires `kind` too fast."""
    from flask import request

    from ..errors import KefuError

    if not allow(request.sid, kind, rate, burst):  # type: ignore[attr-defined]
        raise KefuError("rate_limited", status=429)
