"""Where an agent's live sockets are counted: process memory (embedded) or Redis (distributed).

Counting is O(agents) and costs nothing per message or heartbeat: a socket is added on
connect and removed on disconnect. In Redis each socket is a member of the agent's sorted set
scored by an expiry time that its own process renews every ttl/3 seconds, so the sockets of a
process that crashed (and never said goodbye) stop counting after at most `ttl` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any, Protocol

from flask import Flask, current_app

log = logging.getLogger(__name__)
DEFAULT_TTL = 60.0
KEY = "kefu:presence:{}"


class Connections(Protocol):
    """The live sockets of each agent."""

    def add(self, agent_id: int, sid: str) -> None: ...

    def remove(self, agent_id: int, sid: str) -> int: ...

    def counts(self, agent_ids: Iterable[int]) -> dict[int, int]: ...


class MemoryConnections:
    """One process holds every socket (the embedded mode): a dict is the whole truth."""

    name = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sids: dict[int, set[str]] = {}

    def add(self, agent_id: int, sid: str) -> None:
        """Count a new socket of the agent."""
        with self._lock:
            self._sids.setdefault(agent_id, set()).add(sid)

    def remove(self, agent_id: int, sid: str) -> int:
        """Forget a socket; return how many the agent still has."""
        with self._lock:
            sids = self._sids.get(agent_id, set())
            sids.discard(sid)
            if not sids:
                self._sids.pop(agent_id, None)
            return len(sids)

    def counts(self, agent_ids: Iterable[int]) -> dict[int, int]:
        """Return the live socket count of each agent."""
        with self._lock:
            return {a: len(self._sids.get(a, ())) for a in agent_ids}


class RedisConnections:
    """Sockets of every web process in Redis, each expiring unless its process renews it."""

    name = "redis"

    def __init__(self, url: str, ttl: float) -> None:
        from redis import Redis

        self.redis = Redis.from_url(url)
        self.ttl = ttl
        self._lock = threading.Lock()
        self._mine: dict[str, int] = {}  # sid -> agent id, the sockets this process renews
        self._renewer_started = False

    def add(self, agent_id: int, sid: str) -> None:
        """Count a new socket of the agent (held by this process)."""
        key = KEY.format(agent_id)
        pipe = self.redis.pipeline()
        pipe.zadd(key, {sid: time.time() + self.ttl})
        pipe.expire(key, int(self.ttl * 2) + 1)
        pipe.execute()
        with self._lock:
            self._mine[sid] = agent_id
        self._start_renewer()

    def remove(self, agent_id: int, sid: str) -> int:
        """Forget a socket; return how many live ones the agent still has on any process."""
        with self._lock:
            self._mine.pop(sid, None)
        key = KEY.format(agent_id)
        pipe = self.redis.pipeline()
        pipe.zrem(key, sid)
        pipe.zremrangebyscore(key, "-inf", time.time())
        pipe.zcard(key)
        return int(pipe.execute()[-1])

    def counts(self, agent_ids: Iterable[int]) -> dict[int, int]:
        """Return the live socket count of each agent (expired ones do not count)."""
        ids = list(agent_ids)
        now = time.time()
        pipe = self.redis.pipeline()
        for a in ids:
            pipe.zcount(KEY.format(a), now, "+inf")
        return {a: int(n) for a, n in zip(ids, pipe.execute(), strict=True)}

    def renew(self) -> None:
        """Push back the expiry of this process's sockets."""
        with self._lock:
            mine = dict(self._mine)
        if not mine:
            return
        expiry = time.time() + self.ttl
        pipe = self.redis.pipeline()
        for sid, agent_id in mine.items():
            key = KEY.format(agent_id)
            pipe.zadd(key, {sid: expiry}, xx=True)  # xx: never revive one another process removed
            pipe.expire(key, int(self.ttl * 2) + 1)
        pipe.execute()

    def _start_renewer(self) -> None:
        with self._lock:
            if self._renewer_started:
                return
            self._renewer_started = True
        from ..extensions import socketio

        # A Socket.IO background task: a thread in threading mode, a greenlet under gevent.
        socketio.start_background_task(self._renew_loop)

    def _renew_loop(self) -> None:
        from ..extensions import socketio

        while True:
            socketio.sleep(self.ttl / 3)
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - Redis may blip; the next round retries
                log.exception("renewing agent presence failed")


def connections(app: Flask | None = None) -> Any:
    """This process's connection store, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    store = app.extensions.get("kefu_presence")
    if store is None:
        url = app.config.get("KEFU_REDIS_URL") or ""
        ttl = float(app.config.get("KEFU_PRESENCE_TTL", DEFAULT_TTL))
        store = RedisConnections(url, ttl) if url else MemoryConnections()
        store = app.extensions.setdefault("kefu_presence", store)
    return store
