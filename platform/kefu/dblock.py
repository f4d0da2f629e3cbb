"""Serialize writes that must not race (assignment, first message of a visitor)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from .extensions import db

# SQLite has one writer anyway; the embedded mode is one process, so a process lock suffices.
_sqlite_lock = threading.RLock()


def is_sqlite() -> bool:
    """Tell whether the bound database is SQLite."""
    return db.session.get_bind().dialect.name == "sqlite"


@contextmanager
def locked(model: Any, ids: Sequence[int]) -> Iterator[None]:
    """Hold row locks on `ids` of `model` (or the SQLite process lock) until the block ends.

    Commit inside the block: on PostgreSQL the row locks are released by that commit.
    """
    if is_sqlite():
        with _sqlite_lock:
            yield
        return
    if ids:
        # Sorted ids give every transaction the same lock order, so no deadlocks.
        db.session.execute(
            select(model.id).where(model.id.in_(sorted(set(ids)))).order_by(model.id)
            .with_for_update()
        ).all()
    yield


@contextmanager
def serialized() -> Iterator[None]:
    """On SQLite hold the process write lock for the block; on PostgreSQL row locks suffice."""
    if is_sqlite():
        with _sqlite_lock:
            yield
    else:
        yield
