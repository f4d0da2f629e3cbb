"""Background work of the decision points: the deadline sweep and the ticker that runs it."""

from __future__ import annotations

import logging
import threading
from typing import Any

from ..jobs import job

log = logging.getLogger(__name__)
DEFAULT_TICK = 1.0
PRESENCE_EVERY = 5  # ticks between presence sweeps (kefu.presence.tracker.sweep)
CHATFILES_EVERY = 3600  # ticks between sweeps of chat files nobody will see (kefu.chatfiles.jobs)


@job
def sweep_deadlines(limit: int = 200) -> int:
    """Fire the session deadlines that are due (idempotent: each fires once, then is gone)."""
    from .deadlines import sweep_due

    return sweep_due(limit=limit)


def tick_seconds(app: Any) -> float:
    """How often the sweep runs: KEFU_DEADLINE_TICK seconds (0 turns it off; off in tests)."""
    default = 0.0 if app.config.get("KEFU_TESTING") else DEFAULT_TICK
    try:
        return float(app.config.get("KEFU_DEADLINE_TICK", default))
    except (TypeError, ValueError):
        return DEFAULT_TICK


class Ticker:
    """A daemon thread that sweeps due deadlines every `interval` seconds inside `app`."""

    def __init__(self, app: Any, interval: float) -> None:
        self.app = app
        self.interval = interval
        self.stopped = threading.Event()
        self.sweeps = 0
        self.thread = threading.Thread(target=self._loop, name="kefu-deadlines", daemon=True)

    def start(self) -> Ticker:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()

    def _loop(self) -> None:
        from ..jobs import path_of
        from ..jobs.runner import run

        path = path_of(sweep_deadlines)
        while not self.stopped.wait(self.interval):
            try:
                with self.app.app_context():
                    # A full batch means more are due: sweep again at once, not in a second.
                    while run(path, []) >= 200 and not self.stopped.is_set():
                        pass
                    if self.sweeps % PRESENCE_EVERY == 0:  # dropped agents' grace periods
                        run("kefu.presence.jobs.sweep_presence", [])
                    if self.sweeps % CHATFILES_EVERY == CHATFILES_EVERY - 1:  # not at start-up
                        run("kefu.chatfiles.jobs.sweep_unshown", [])
                self.sweeps += 1
            except Exception:  # noqa: BLE001 - the next tick retries; deadlines stay stored
                log.exception("deadline sweep failed")


def start_ticker(app: Any) -> Ticker | None:
    """Start the sweep ticker for `app` unless its interval is 0."""
    interval = tick_seconds(app)
    if interval <= 0:
        return None
    return Ticker(app, interval).start()
