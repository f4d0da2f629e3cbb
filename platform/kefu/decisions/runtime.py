"""The per-process rules cache: the published ruleset of each company and point, compiled once.

A publish commits a new pointer and then announces it: this process drops its cached entry at
once, other processes hear it on Redis pub/sub (distributed mode) and drop theirs. As a safety
net an entry is re-checked against the database after `RECHECK_SECONDS` even if no
announcement arrives. Evaluation errors fall back to the point's default decision, and are
logged, counted and stored for the console.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from ..extensions import db
from ..rules import Engine, get_point
from ..rules.compiler import Compiled, compile_ruleset
from ..rules.decision import Decision, decide, default_decision
from .models import RuleFailure, Ruleset, RulesetVersion

log = logging.getLogger(__name__)
RECHECK_SECONDS = 30.0
_MISS = object()
_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """Return this process's one engine (durable-rules keeps its state per process)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine


@dataclass
class Active:
    """A published version as this process holds it."""

    version_id: int
    version: int
    definition: dict[str, Any]
    compiled: Compiled
    checked_at: float


class RulesRuntime:
    """Cache, announcements and counters for one app in one process."""

    def __init__(self, app: Flask):
        self.app = app
        self.channel = f"kefu:rules:{app.config.get('KEFU_SOCKETIO_CHANNEL', 'kefu')}"
        self.redis_url: str = app.config.get("KEFU_REDIS_URL") or ""
        self._cache: dict[tuple[int, str], Active | None] = {}
        self._checked: dict[tuple[int, str], float] = {}
        # bumped by every forget: a reload that started before it must not cache what it read
        self._generation: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()
        self._redis: Any = None
        self.decisions = 0
        self.failures = 0
        self.reloads = 0
        self._listener: threading.Thread | None = None
        self.subscribed = threading.Event()  # set while the listener hears announcements

    # --- cache ---------------------------------------------------------------------------

    def active(self, company_id: int, point: str) -> Active | None:
        """Return the published version for a company and point (None: none published)."""
        key = (company_id, point)
        if self._listener is None and self.redis_url:
            self.start_listener()
        now = time.monotonic()
        # the hot path reads without the lock (single dict reads; `forget` pops the entry first)
        checked = self._checked.get(key)
        if checked is not None and now - checked < RECHECK_SECONDS:
            hit = self._cache.get(key, _MISS)
            if hit is not _MISS:
                return hit  # type: ignore[return-value]
        with self._lock:
            cached = self._cache.get(key)
            generation = self._generation.get(key, 0)
        # SQLite: read on a connection of its own, since the caller's transaction may hold a
        # snapshot older than the publish (WAL). PostgreSQL reads committed data statement by
        # statement, so the caller's session is current, and a second connection per caller
        # could exhaust the pool under a burst of new conversations.
        own = db.engine.dialect.name == "sqlite"
        with db.engine.connect() if own else nullcontext(db.session) as conn:
            row = conn.execute(
                select(Ruleset.published_version_id).where(
                    Ruleset.company_id == company_id, Ruleset.point == point
                )
            ).first()
            version_id = row[0] if row else None
            if cached is not None and cached.version_id == version_id:
                entry: Active | None = cached
            elif version_id is None:
                entry = None
            else:
                version = conn.execute(
                    select(RulesetVersion.version, RulesetVersion.definition).where(
                        RulesetVersion.id == version_id
                    )
                ).one()
                compiled = compile_ruleset(get_point(point), version.definition)
                entry = Active(version_id, version.version, version.definition, compiled, now)
                self.reloads += 1
        with self._lock:
            if self._generation.get(key, 0) == generation:
                self._cache[key] = entry
                self._checked[key] = now
        return entry

    def forget(self, company_id: int, point: str) -> None:
        """Drop a cached entry so the next decision reads the published pointer again."""
        key = (company_id, point)
        with self._lock:
            self._cache.pop(key, None)
            self._checked.pop(key, None)
            self._generation[key] = self._generation.get(key, 0) + 1

    def clear(self) -> None:
        """Drop every cached entry (after missed announcements, or between tests)."""
        with self._lock:
            for key in list(self._cache):
                self._generation[key] = self._generation.get(key, 0) + 1
            self._cache.clear()
            self._checked.clear()

    def announce(self, company_id: int, point: str) -> None:
        """Tell this process and every other one that a ruleset changed (call after commit)."""
        self.forget(company_id, point)
        if self.redis_url:
            try:
                if self._redis is None:
                    from redis import Redis

                    self._redis = Redis.from_url(self.redis_url)
                self._redis.publish(self.channel, json.dumps({"company_id": company_id, "point": point}))
            except Exception:  # noqa: BLE001 - the recheck interval still catches up
                log.exception("could not announce a ruleset change")

    def start_listener(self) -> None:
        """Listen for other processes' announcements (distributed mode only)."""
        with self._lock:
            if not self.redis_url or self._listener is not None:
                return
            self._listener = threading.Thread(target=self._listen, name="kefu-rules-listener", daemon=True)
        self._listener.start()

    def _listen(self) -> None:
        from redis import Redis

        while True:
            try:
                pubsub = Redis.from_url(self.redis_url).pubsub()
                pubsub.subscribe(self.channel)
                deadline = time.monotonic() + 10
                while (pubsub.get_message(timeout=1.0) or {}).get("type") != "subscribe":
                    if time.monotonic() > deadline:
                        raise TimeoutError("no subscribe confirmation from Redis")
                # announcements made while we were not subscribed are lost: start from scratch
                self.clear()
                self.subscribed.set()
                for item in pubsub.listen():
                    if item.get("type") != "message":
                        continue
                    data = json.loads(item["data"])
                    self.forget(int(data["company_id"]), str(data["point"]))
            except Exception:  # noqa: BLE001 - reconnect; the recheck interval covers the gap
                self.subscribed.clear()
                log.exception("rules listener lost Redis; reconnecting")
                time.sleep(1.0)

    # --- deciding ------------------------------------------------------------------------

    def decide(
        self, company_id: int, point: str, facts: dict[str, Any], conversation_id: int | None = None
    ) -> Decision:
        """Decide for a company, falling back to the default decision on any failure."""
        spec = get_point(point)
        self.decisions += 1
        active: Active | None = None
        try:
            active = self.active(company_id, point)
            if active is None:
                return default_decision(spec)
            return decide(engine(), spec, active.compiled, facts, active.version)
        except Exception as exc:  # noqa: BLE001 - never lose a conversation to a rule failure
            self.failures += 1
            version = active.version if active else None
            log.exception("rules %s v%s failed for company %s", point, version, company_id)
            db.session.add(
                RuleFailure(
                    company_id=company_id,
                    point=point,
                    version=version,
                    error=str(exc)[:2000],
                    conversation_id=conversation_id,
                )
            )
            return default_decision(spec, version, error=str(exc)[:500])


def runtime() -> RulesRuntime:
    """Return the current app's rules runtime."""
    return current_app.extensions["kefu_rules"]  # type: ignore[no-any-return]


def decide_for(
    company_id: int, point: str, facts: dict[str, Any], conversation_id: int | None = None
) -> Decision:
    """Ask a decision point for a company (the one call the product makes)."""
    return runtime().decide(company_id, point, facts, conversation_id)


def init_app(app: Flask) -> None:
    """Attach the rules runtime (its Redis listener starts with the first decision)."""
    app.extensions["kefu_rules"] = RulesRuntime(app)
