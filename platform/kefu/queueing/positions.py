"""Telling waiting visitors their place: at once after a quiet spell, at most once a second per queue.

Every assignment, arrival ahead and departure moves everyone behind it, so telling all N waiting
visitors after each of M changes is N×M emits, each one a Redis message that every web process
reads. In the load test's burst (tests/load: 500 visitors, queue up to ~290) that was ~40,000
emits, and the web processes ran out of CPU and then of database connections. Here a queue's
places go out at once when the last telling was more than WINDOW ago, otherwise once, WINDOW
after it, with the places read then; the widget shows the same numbers a second later at most.

Per process: two web processes may each tell a queue once per WINDOW. A job in an rq work horse
tells at once (the horse exits after the job, and a delayed telling would die with it).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask, current_app

from ..aftercommit import on_commit
from ..extensions import db, socketio
from ..realtime.events import VISITOR_NS, publish, visitor_room

WINDOW = 1.0
log = logging.getLogger(__name__)

Key = tuple[int, int | None]


class Teller:
    """One process's schedule of queue-place tellings."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._last: dict[Key, float] = {}
        self._pending: set[Key] = set()

    def request(self, key: Key) -> None:
        """Tell the queue's places now, or once at the end of the current window."""
        with self._lock:
            if key in self._pending:
                return  # the telling already scheduled reads the places when it runs
            self._pending.add(key)
            wait = max(0.0, self._last.get(key, float("-inf")) + WINDOW - time.monotonic())
        socketio.start_background_task(self._tell_after, key, wait)

    def _tell_after(self, key: Key, wait: float) -> None:
        if wait:
            socketio.sleep(wait)
        with self._lock:
            # Before reading: a change committed from here on schedules a telling of its own.
            self._pending.discard(key)
            self._last[key] = time.monotonic()
        with self.app.app_context():
            try:
                tell_positions(*key)
            except Exception:  # a lost telling is corrected by the next; the widget also syncs
                log.exception("telling queue places of %s failed", key)
            finally:
                db.session.remove()


def _places(company_id: int, skill_group_id: int | None) -> list[tuple[int, dict[str, Any]]]:
    """(visitor id, conversation.queued event) for everyone waiting in a group, in queue order."""
    from ..conversations.queries import queued_in_group
    from .queries import Estimator

    waiting = queued_in_group(company_id, skill_group_id)
    estimate = Estimator(company_id, skill_group_id) if waiting else None
    return [(visitor_id, {
        "type": "conversation.queued", "conversation": {"id": conv_id, "status": "queued"},
        "queue_position": position, "eta_seconds": estimate.eta(position) if estimate else None})
        for position, (conv_id, visitor_id) in enumerate(waiting, start=1)]


def tell_positions(company_id: int, skill_group_id: int | None) -> None:
    """Send every visitor waiting in a group their place and wait, as committed now."""
    places = _places(company_id, skill_group_id)
    db.session.rollback()  # read-only: give the connection back before the emits
    for visitor_id, event in places:
        socketio.emit(event["type"], event, to=visitor_room(visitor_id), namespace=VISITOR_NS)


def _teller() -> Teller:
    ext: dict[str, Any] = current_app.extensions
    found = ext.get("kefu_queue_teller")
    if found is None:
        found = ext.setdefault("kefu_queue_teller", Teller(current_app._get_current_object()))  # type: ignore[attr-defined]
    return found  # type: ignore[no-any-return]


def announce_positions(company_id: int, skill_group_id: int | None) -> None:
    """Have the group's waiting visitors told their new places once the caller's write commits."""
    from ..jobs.runner import in_work_horse

    if in_work_horse():  # read in the caller's transaction, sent when it commits
        for visitor_id, event in _places(company_id, skill_group_id):
            publish(event, (VISITOR_NS, visitor_room(visitor_id)))
        return
    teller = _teller()
    on_commit(lambda: teller.request((company_id, skill_group_id)))
