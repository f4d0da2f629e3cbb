"""Record writes in the audit log (called by other actions inside their transaction)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select

from ..extensions import db
from .models import AuditLog

SECRET_FIELDS = {"password_hash", "secrets_encrypted"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return str(value)


def changes_of(obj: Any) -> dict[str, Any]:
    """Return {column: [old, new]} for the pending changes of a mapped object."""
    # Reading history may load expired attributes; a flush then would erase the changes.
    with db.session.no_autoflush:
        return _changes(obj)


def _changes(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    stored: Any = None
    if state.persistent:
        # An expired attribute set without loading has no "old" in its history: read the row
        # as the database still has it (nothing is flushed yet).
        table = state.mapper.local_table
        stored = db.session.execute(
            select(table).where(table.c.id == state.identity[0])
        ).mappings().first()
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        column = attr.columns[0].key
        old = hist.deleted[0] if hist.deleted else (stored[column] if stored else None)
        new = hist.added[0] if hist.added else None
        if old == new:
            continue
        if attr.key in SECRET_FIELDS:
            out[attr.key] = ["***", "***"]
        else:
            out[attr.key] = [_plain(old), _plain(new)]
    return out


def record(
    actor_id: int | None, action: str, obj: Any, company_id: int | None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Add an audit row for `obj` to the current transaction."""
    db.session.add(
        AuditLog(
            company_id=company_id, actor_id=actor_id, action=action,
            target_type=type(obj).__name__, target_id=getattr(obj, "id", None),
            changes=changes or {},
        )
    )
