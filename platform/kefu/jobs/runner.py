"""The entry point every job goes through, in rq workers and in the in-process runner."""

from __future__ import annotations

from typing import Any

from flask import has_app_context

_worker_app: Any = None
_work_horse = False


def set_worker_app(app: Any) -> None:
    """Remember the app an rq worker process runs jobs for."""
    global _worker_app
    _worker_app = app


def mark_work_horse() -> None:
    """Note that this process is a `kefu worker`, whose jobs run in short-lived forks."""
    global _work_horse
    _work_horse = True


def in_work_horse() -> bool:
    """Whether this process is a `kefu worker` (nothing may be left to run after a job)."""
    return _work_horse


def run(path: str, args: list[Any]) -> Any:
    """Run a job by path inside an app context and return its result."""
    from . import resolve

    func = resolve(path)
    if has_app_context():
        return _call(func, args)
    if _worker_app is None:
        raise RuntimeError("no app: start workers with `kefu worker`")
    with _worker_app.app_context():
        return _call(func, args)


def _call(func: Any, args: list[Any]) -> Any:
    from ..extensions import db

    try:
        return func(*args)
    finally:
        db.session.remove()
