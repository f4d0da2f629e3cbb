"""Presence: a dropped agent keeps their status for a grace period, then goes offline.

Live sockets are counted in presence.live (memory or Redis, nothing per message). When an
agent's last socket goes, a durable deadline (AgentPresence.offline_due_at) is written and a job
is enqueued for when it falls due; a reconnect clears it. The job, and the periodic sweep that
backs it up (a lost job, a crashed process whose sockets never said goodbye), decide from the
live count at that moment, so whichever runs first or twice does the right thing once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..dblock import serialized
from ..extensions import db
from ..jobs import enqueue
from ..org.models import User
from ..settings.queries import company_settings
from ..timeutil import utcnow
from .live import connections
from .models import AgentPresence

log = logging.getLogger(__name__)


def agent_connected(agent_id: int, company_id: int, sid: str) -> None:
    """Count a new socket of the agent and cancel any pending offline deadline."""
    connections().add(agent_id, sid)
    now = utcnow()
    values = {"offline_due_at": None, "connected_at": now}
    done = db.session.execute(
        update(AgentPresence).where(AgentPresence.user_id == agent_id).values(**values)
    ).rowcount  # type: ignore[attr-defined]
    if not done:
        db.session.add(AgentPresence(user_id=agent_id, company_id=company_id, **values))
    try:
        db.session.commit()
    except IntegrityError:  # another process created the row at the same moment
        db.session.rollback()
        db.session.execute(update(AgentPresence).where(AgentPresence.user_id == agent_id).values(**values))
        db.session.commit()


def agent_disconnected(agent_id: int, sid: str) -> None:
    """Forget a socket; when it was the agent's last, start the grace period."""
    if connections().remove(agent_id, sid):
        return
    agent = db.session.get(User, agent_id)
    if agent is None or agent.company_id is None:
        return
    now = utcnow()
    grace = max(company_settings(agent.company_id).presence_grace_seconds, 0)
    due = now + timedelta(seconds=grace) if agent.status != "offline" else None
    done = db.session.execute(
        update(AgentPresence).where(AgentPresence.user_id == agent_id)
        .values(offline_due_at=due, disconnected_at=now)
    ).rowcount  # type: ignore[attr-defined]
    if not done:  # the connect was not recorded (a hiccup then): the deadline must still hold
        db.session.add(AgentPresence(user_id=agent_id, company_id=agent.company_id, offline_due_at=due,
                                     disconnected_at=now))
    if due is not None:
        from .jobs import expire_presence

        enqueue(expire_presence, agent_id, delay=grace + 0.1)
    db.session.commit()


def expire(agent_id: int, now: datetime | None = None) -> bool:
    """Set the agent offline if their deadline is due and they have not come back; True if so."""
    now = now or utcnow()
    with serialized():
        row = db.session.scalars(
            select(AgentPresence).where(AgentPresence.user_id == agent_id).with_for_update()
        ).first()
        if row is None or row.offline_due_at is None:
            db.session.rollback()
            return False
        if row.offline_due_at > now:
            # rq schedules in whole seconds, so the job may come up to a second early: look again.
            from .jobs import expire_presence

            enqueue(expire_presence, agent_id, delay=(row.offline_due_at - now).total_seconds() + 0.1)
            db.session.commit()
            return False
        row.offline_due_at = None
        live = connections().counts([agent_id])[agent_id]
        agent = db.session.get(User, agent_id)
        if live or agent is None or agent.status == "offline":
            db.session.commit()
            return False
        from .actions import do_change_status

        db.session.flush()
        # Presence loss is logged with its own source for the work-log statistics.
        do_change_status(agent, "offline", None, "connection lost", source="presence", actor_id=None)
    return True


def sweep(now: datetime | None = None) -> int:
    """Fire due offline deadlines and start one for agents whose sockets all vanished."""
    now = now or utcnow()
    due = list(db.session.scalars(
        select(AgentPresence.user_id).where(AgentPresence.offline_due_at <= now)
    ))
    # Agents shown as available with no deadline: their process may have died with the sockets.
    unwatched = db.session.execute(
        select(AgentPresence.user_id, AgentPresence.company_id)
        .join(User, User.id == AgentPresence.user_id)
        .where(AgentPresence.offline_due_at.is_(None), User.status != "offline")
    ).all()
    db.session.rollback()
    fired = 0
    for agent_id in due:
        try:
            fired += expire(agent_id, now)
        except Exception:  # noqa: BLE001 - one agent must not stop the others
            db.session.rollback()
            log.exception("presence deadline of agent %s failed", agent_id)
    if unwatched:
        counts = connections().counts([a for a, _ in unwatched])
        graces: dict[int, int] = {}
        for agent_id, company_id in unwatched:
            if counts[agent_id]:
                continue
            if company_id not in graces:
                graces[company_id] = company_settings(company_id).presence_grace_seconds
            db.session.execute(
                update(AgentPresence)
                .where(AgentPresence.user_id == agent_id, AgentPresence.offline_due_at.is_(None))
                .values(offline_due_at=now + timedelta(seconds=graces[company_id]))
            )
        db.session.commit()
    return fired
