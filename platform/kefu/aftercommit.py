"""Run callbacks only once the current transaction has committed (events, jobs)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)
_KEY = "kefu_after_commit"


def on_commit(callback: Callable[[], Any]) -> None:
    """Queue a callback for after the session's next successful commit; dropped on rollback."""
    # Begin the transaction now, so that a rollback before any SQL still discards the callback.
    db.session.connection()
    db.session.info.setdefault(_KEY, []).append(callback)


def _run(session: Session) -> None:
    callbacks = session.info.pop(_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a failed delivery must not undo or hide the committed write
            log.exception("after-commit callback failed")


def _drop(session: Session) -> None:
    session.info.pop(_KEY, None)


def init_app(app: Any) -> None:
    """Install the session hooks once per process."""
    if not event.contains(Session, "after_commit", _run):
        event.listen(Session, "after_commit", _run)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _drop(s))
