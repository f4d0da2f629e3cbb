"""`kefu worker`: rq workers with the scheduler, each running jobs inside the app.

The first worker process also runs the deadline ticker: a thread sweeping due session deadlines
every second (several `kefu worker` hosts may each run one; the sweep never fires a deadline
twice).
"""

from __future__ import annotations

import multiprocessing
import os

from flask import Flask
from redis import Redis
from rq import Queue, Worker

from . import QUEUE_NAME
from .runner import mark_work_horse, set_worker_app


def _forget_pool_in_child(app: Flask) -> None:
    """rq forks a work horse per job: it must not reuse the ticker's pooled connections."""

    def reset() -> None:
        from ..extensions import db

        with app.app_context():
            db.engine.dispose(close=False)

    os.register_at_fork(after_in_child=reset)


def _work(app: Flask, burst: bool, ticker: bool = False) -> None:
    set_worker_app(app)
    mark_work_horse()
    if ticker and not burst:
        from ..decisions.jobs import start_ticker

        _forget_pool_in_child(app)
        start_ticker(app)
    conn = Redis.from_url(app.config["KEFU_REDIS_URL"])
    with app.app_context():
        Worker([Queue(QUEUE_NAME, connection=conn)], connection=conn).work(
            with_scheduler=True, burst=burst
        )


def run_workers(app: Flask, *, burst: bool, count: int) -> None:
    """Run `count` rq worker processes (one runs in this process, with the deadline ticker)."""
    procs = [
        multiprocessing.Process(target=_work, args=(app, burst), daemon=False)
        for _ in range(max(count, 1) - 1)
    ]
    for p in procs:
        p.start()
    _work(app, burst, ticker=True)
    for p in procs:
        p.join()
