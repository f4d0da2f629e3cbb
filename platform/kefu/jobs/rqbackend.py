"""rq backend: jobs go to Redis and run in `kefu worker` processes (with the scheduler)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from redis import Redis
from rq import Queue, Retry

from . import QUEUE_NAME, RETRY_INTERVALS


class RQBackend:
    """Submit jobs to an rq queue; delays need a worker started with the scheduler."""

    name = "rq"

    def __init__(self, redis_url: str) -> None:
        self.redis = Redis.from_url(redis_url)
        self.queue = Queue(QUEUE_NAME, connection=self.redis)

    def submit(self, path: str, args: tuple[Any, ...], delay: float) -> None:
        """Put one job on the queue, now or after `delay` seconds."""
        retry = Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)
        kwargs: dict[str, Any] = {"retry": retry, "job_timeout": 300, "result_ttl": 600}
        if delay > 0:
            self.queue.enqueue_in(
                timedelta(seconds=delay), "kefu.jobs.runner.run", path, list(args), **kwargs
            )
        else:
            self.queue.enqueue("kefu.jobs.runner.run", path, list(args), **kwargs)

    def status(self) -> dict[str, Any]:
        """Report queue depth and failures for /healthz."""
        return {
            "backend": "rq",
            "queued": self.queue.count,
            "failed": self.queue.failed_job_registry.count,
        }
