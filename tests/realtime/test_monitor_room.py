"""Supervisors' live sockets join their company's monitor room; agents' do not."""

from __future__ import annotations

import time

from sqlalchemy import select

from kefu.extensions import db
from kefu.leavemessages.actions import check_submit
from kefu.org.models import User
from kefu.presence.actions import check_change_status
from kefu.settings.actions import do_save
from kefu.settings.queries import company_settings
from kefu.visitors.token import verify

from ..conftest import login
from .helpers import Recorder


def _bench(live, user, password="agent-pass-123"):
    return Recorder(live, "/agent", session=login(live, user.email, password))


def test_supervisors_hear_status_requests_and_pool_notices_agents_do_not(live, make):
    """Admins' and managers' workbenches hear a colleague's status request and a pool notice; agents' not."""
    d = make.desk(status="online")
    row = company_settings(d.company.id)
    created = row.id is None
    row.status_approval = True
    do_save(None, row, created=created)
    manager = make.user(d.company, role="manager")
    bystander = make.user(d.company, groups=[d.group])
    owner = db.session.scalars(select(User).where(User.company_id == d.company.id,
                                                  User.role == "owner")).one()
    recs = {"owner": _bench(live, owner, "owner-pass-123"), "manager": _bench(live, manager),
            "agent": _bench(live, bystander)}
    try:
        out = check_change_status(d.agent, {"status": "offline", "reason": "下班"})
        req_id = out["pending"]["id"]
        lm = check_submit(verify(d.token), {"client_id": "m-1", "name": "王五", "phone": "13800000000",
                                            "content": "请回电"})
        assert lm.agent_id is None and lm.skill_group_id is None  # the pool
        for who in ("owner", "manager"):
            ev = recs[who].wait_for("agent.status_request", where=lambda e: e["request"]["id"] == req_id)
            assert ev["request"]["agent_id"] == d.agent.id
            recs[who].wait_for("leave_message.created", where=lambda e: e["leave_message"]["id"] == lm.id)
        time.sleep(0.5)
        heard = [name for name, _ in recs["agent"].drain()]
        assert "agent.status_request" not in heard and "leave_message.created" not in heard
    finally:
        for rec in recs.values():
            rec.close()
