"""Work-log figures: time per status and busy reason, from the status log."""

from __future__ import annotations

from datetime import timedelta

from kefu.extensions import db
from kefu.org.models import AgentStatusLog
from kefu.presence.worklog import status_seconds
from kefu.timeutil import utcnow


def test_time_per_status_and_busy_reason(make):
    """Online 1 h, 小休 15 min, online 30 min, offline after: each counted inside the window only."""
    company = make.company()
    agent = make.user(company)
    t0 = utcnow().replace(microsecond=0) - timedelta(days=1)
    steps = [(0, "offline", "online", None), (60, "online", "busy", 7), (75, "busy", "online", None),
             (105, "online", "offline", None)]
    for minute, old, new, reason in steps:
        db.session.add(AgentStatusLog(company_id=company.id, user_id=agent.id, old_status=old,
                                      new_status=new, busy_reason_id=reason,
                                      changed_at=t0 + timedelta(minutes=minute)))
    db.session.commit()
    got = status_seconds(agent.id, t0 - timedelta(minutes=10), t0 + timedelta(minutes=120))
    assert got == {("offline", None): 600 + 900, ("online", None): 5400, ("busy", 7): 900}
    inside = status_seconds(agent.id, t0 + timedelta(minutes=70), t0 + timedelta(minutes=80))
    assert inside == {("busy", 7): 300, ("online", None): 300}
