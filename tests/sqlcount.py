"""Count the SQL statements a block of code runs (for tests that guard against N+1 queries)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from kefu.extensions import db


@contextmanager
def counted() -> Iterator[list[str]]:
    """Collect the SQL statements run on the app's engine inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
