"""`kefu worker`: rq workers with the scheduler, each running jobs inside the app."""

from __future__ import annotations

import multiprocessing

from flask import Flask
from redis import Redis
from rq import Queue, Worker

from . import QUEUE_NAME
from .runner import set_worker_app


def _work(app: Flask, burst: bool) -> None:
    set_worker_app(app)
    conn = Redis.from_url(app.config["KEFU_REDIS_URL"])
    with app.app_context():
        Worker([Queue(QUEUE_NAME, connection=conn)], connection=conn).work(
            with_scheduler=True, burst=burst
        )


def run_workers(app: Flask, *, burst: bool, count: int) -> None:
    """Run `count` rq worker processes (one runs in this process)."""
    procs = [
        multiprocessing.Process(target=_work, args=(app, burst), daemon=False)
        for _ in range(max(count, 1) - 1)
    ]
    for p in procs:
        p.start()
    _work(app, burst)
    for p in procs:
        p.join()
