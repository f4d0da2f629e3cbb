"""One drain at a time per queue, across processes: the others leave a note and return.

Every close, agent coming online and queue recheck drains its group's queue. Under load many
of them run at once, and all of them lined up on the same head row (each holding a database
connection while it waited) until the pools ran dry: the load test (tests/load) saw a visitor
burst end in pool timeouts. With a gate, a caller that finds the queue being drained sets a
note and leaves; the drainer takes one more pass for every note set before it let go (or,
out of time, hands the rest to a job), so the room a caller was called for is never left unused.

Distributed: a Redis key with an owner token and a short expiry renewed at every step (a
drainer that died stops blocking within seconds). Embedded: one process, so a lock per queue
that later callers wait for (their pass then follows, as before the gate).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any, Protocol

from flask import current_app

TTL_MS = 20_000
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class Gate(Protocol):
    """Who drains a queue now."""

    def run(self, key: str, drain: Callable[[Callable[[], Any]], bool]) -> bool: ...


class MemoryGate:
    """One process: callers of the same queue take turns."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def run(self, key: str, drain: Callable[[Callable[[], Any]], bool]) -> bool:
        """Run `drain` (given a no-op renew) once the queue is free; return what it returned."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            return drain(lambda: None)


class RedisGate:
    """Several processes: one drains, the others leave a note for it."""

    def __init__(self, url: str) -> None:
        from redis import Redis

        self.redis = Redis.from_url(url)
        self._release = self.redis.register_script(_RELEASE)

    def run(self, key: str, drain: Callable[[Callable[[], Any]], bool]) -> bool:
        """Drain, and again for every note left meanwhile; True when done or when another
        drainer has it, False when `drain` ran out of time (the caller hands the rest on)."""
        lock, note = f"kefu:drain:{key}", f"kefu:drain:{key}:again"
        token = secrets.token_hex(8)
        while True:
            # The note first: a drainer letting go after this reads it and takes another pass.
            self.redis.set(note, 1, px=TTL_MS * 6)
            if not self.redis.set(lock, token, nx=True, px=TTL_MS):
                return True
            # Everything committed before this is visible to the pass that starts now.
            self.redis.delete(note)
            try:
                finished = drain(lambda: self.redis.pexpire(lock, TTL_MS))
            finally:
                self._release(keys=[lock], args=[token])
            if not finished:
                return False
            if not self.redis.exists(note):
                return True


def gate() -> Gate:
    """This app's gate (made on first use)."""
    ext: dict[str, Any] = current_app.extensions
    found = ext.get("kefu_drain_gate")
    if found is None:
        url = current_app.config.get("KEFU_REDIS_URL") or ""
        found = ext.setdefault("kefu_drain_gate", RedisGate(url) if url else MemoryGate())
    return found  # type: ignore[no-any-return]
