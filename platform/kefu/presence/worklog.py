"""Work-log figures (工作日志) from AgentStatusLog: how long an agent spent in each status and reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..org.models import AgentStatusLog

Key = tuple[str, int | None]  # (status, busy reason id)


def status_seconds(agent_id: int, start: datetime, end: datetime) -> dict[Key, float]:
    """Seconds the agent spent in each (status, busy reason) between start and end."""
    before = db.session.execute(
        select(AgentStatusLog.new_status, AgentStatusLog.busy_reason_id)
        .where(AgentStatusLog.user_id == agent_id, AgentStatusLog.changed_at <= start)
        .order_by(AgentStatusLog.changed_at.desc(), AgentStatusLog.id.desc()).limit(1)
    ).first()
    current: Key = (before[0], before[1]) if before else ("offline", None)
    changes = db.session.execute(
        select(AgentStatusLog.changed_at, AgentStatusLog.new_status, AgentStatusLog.busy_reason_id)
        .where(AgentStatusLog.user_id == agent_id, AgentStatusLog.changed_at > start,
               AgentStatusLog.changed_at < end)
        .order_by(AgentStatusLog.changed_at, AgentStatusLog.id)
    ).all()
    out: dict[Key, float] = {}
    since = start
    for at, status, reason_id in changes:
        out[current] = out.get(current, 0.0) + (at - since).total_seconds()
        current, since = (status, reason_id), at
    out[current] = out.get(current, 0.0) + (end - since).total_seconds()
    return {k: v for k, v in out.items() if v > 0}
