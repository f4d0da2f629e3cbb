"""One way to run background jobs: rq when Redis is configured, an in-process runner otherwise.

Jobs are plain functions named by dotted path that take ids and are idempotent.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from ..aftercommit import on_commit

log = logging.getLogger(__name__)
QUEUE_NAME = "kefu"
RETRY_INTERVALS = [2, 10, 60]


def resolve(path: str) -> Callable[..., Any]:
    """Import a job function from its dotted path."""
    module, _, name = path.rpartition(".")
    func = getattr(importlib.import_module(module), name)
    if not getattr(func, "is_kefu_job", False):
        raise ValueError(f"{path} is not a registered kefu job")
    return func  # type: ignore[no-any-return]


def job(func: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a function as a job that may be enqueued by path."""
    func.is_kefu_job = True  # type: ignore[attr-defined]
    return func


def path_of(func: Callable[..., Any]) -> str:
    """Return the dotted path a job function is enqueued by."""
    return f"{func.__module__}.{func.__qualname__}"


def enqueue(func: Callable[..., Any], *args: Any, delay: float = 0) -> None:
    """Enqueue a job once the current transaction commits (never for a rolled-back write)."""
    path = path_of(func)
    resolve(path)  # fail loudly now, not in a worker later
    backend = current_app.extensions["kefu_jobs"]
    on_commit(lambda: backend.submit(path, args, delay))


def init_app(app: Flask) -> None:
    """Pick the job backend for this app."""
    if app.config["KEFU_JOBS"] == "rq":
        from .rqbackend import RQBackend

        app.extensions["kefu_jobs"] = RQBackend(app.config["KEFU_REDIS_URL"])
    else:
        from .inprocess import InProcessBackend

        app.extensions["kefu_jobs"] = InProcessBackend(app)
