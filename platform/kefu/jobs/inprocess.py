"""In-process job runner for the embedded mode: a thread with delays and retries.

It also owns the deadline ticker (a second thread sweeping due session deadlines every second),
started with the first job or the first request, whichever comes first.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from typing import Any

from flask import Flask

from . import RETRY_INTERVALS
from .runner import run

log = logging.getLogger(__name__)


class InProcessBackend:
    """Run jobs on a daemon thread of this process; same functions, delays and retries as rq."""

    name = "inprocess"

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._heap: list[tuple[float, int, str, tuple[Any, ...], int]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.done = 0
        self.failed = 0
        self._running = 0
        self._ticker: Any = None
        self._ticker_lock = threading.Lock()
        app.before_request(self.ensure_ticker)

    def ensure_ticker(self) -> None:
        """Start the deadline sweep ticker once (not at all when its interval is 0)."""
        if self._ticker is not None:
            return
        with self._ticker_lock:
            if self._ticker is None:
                from ..decisions.jobs import start_ticker

                self._ticker = start_ticker(self.app) or False

    def submit(self, path: str, args: tuple[Any, ...], delay: float) -> None:
        """Schedule a job to run after `delay` seconds."""
        self._push(time.monotonic() + max(delay, 0), path, args, 0)
        self.ensure_ticker()

    def _push(self, due: float, path: str, args: tuple[Any, ...], attempt: int) -> None:
        with self._cond:
            heapq.heappush(self._heap, (due, next(self._seq), path, args, attempt))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="kefu-jobs", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                _due, _seq, path, args, attempt = heapq.heappop(self._heap)
                self._running += 1
            try:
                with self.app.app_context():
                    run(path, list(args))
                self.done += 1
            except Exception:
                log.exception("job %s failed (attempt %d)", path, attempt + 1)
                if attempt < len(RETRY_INTERVALS):
                    self._push(time.monotonic() + RETRY_INTERVALS[attempt], path, args, attempt + 1)
                else:
                    self.failed += 1
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()

    def discard_pending(self) -> None:
        """Forget jobs not yet started (test isolation between data sets)."""
        with self._cond:
            self._heap.clear()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no job is due or running (tests and shutdown use this)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._running or (self._heap and self._heap[0][0] <= time.monotonic()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def status(self) -> dict[str, Any]:
        """Report pending and failed jobs for /healthz."""
        with self._cond:
            pending = len(self._heap)
        return {"backend": "inprocess", "pending": pending, "done": self.done, "failed": self.failed}
