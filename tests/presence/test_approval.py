"""Approval of status changes (客服状态切换审核): pending request, approve, reject, who may decide."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kefu.audit.models import AuditLog
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.org.models import AgentStatusLog, Department, User
from kefu.presence.actions import check_cancel_request, check_change_status, check_decide
from kefu.presence.models import StatusRequest
from kefu.presence.queries import pending_request

from .helpers import busy_reason, configure


def _owner(company):
    return db.session.scalars(select(User).where(User.company_id == company.id, User.role == "owner")).one()


def test_leaving_online_becomes_a_pending_request_and_approval_applies_it(make):
    """With approval on, 忙碌 waits ("已提交，等待审核"); the admin approves and the status changes."""
    d = make.desk(status="online")
    configure(d.company, status_approval=True)
    pause = busy_reason(d.company)
    out = check_change_status(d.agent, {"status": "busy", "busy_reason_id": pause.id, "reason": "吃饭"})
    assert out["status"] == "online" and out["pending"]["state"] == "pending"
    assert out["pending"]["reason"] == "吃饭"
    assert d.agent.status == "online"
    owner = _owner(d.company)
    req = check_decide(owner, {"request_id": out["pending"]["id"]}, approve=True)
    assert req.state == "approved" and req.decided_by_id == owner.id
    db.session.refresh(d.agent)
    assert (d.agent.status, d.agent.busy_reason_id) == ("busy", pause.id)
    last = db.session.scalars(select(AgentStatusLog).order_by(AgentStatusLog.id.desc())).first()
    assert (last.source, last.actor_id, last.reason, last.busy_reason_id) == (
        "approval", owner.id, "吃饭", pause.id)
    audit = select(AuditLog.action).where(AuditLog.target_type == "StatusRequest")
    assert db.session.scalar(audit) == "approve"


def test_rejection_keeps_the_status_and_a_decided_request_cannot_be_decided_again(make):
    """Rejected: still online, the request says rejected; deciding it again is refused."""
    d = make.desk(status="online")
    configure(d.company, status_approval=True)
    out = check_change_status(d.agent, {"status": "offline", "reason": "下班"})
    owner = _owner(d.company)
    check_decide(owner, {"request_id": out["pending"]["id"]}, approve=False)
    db.session.refresh(d.agent)
    assert d.agent.status == "online"
    assert db.session.get(StatusRequest, out["pending"]["id"]).state == "rejected"
    with pytest.raises(KefuError) as err:
        check_decide(owner, {"request_id": out["pending"]["id"]}, approve=True)
    assert err.value.code == "request_decided"


def test_going_online_needs_no_approval_and_withdraws_the_request(make):
    """Back to 在线 is immediate and cancels a pending request; a new request replaces the old."""
    d = make.desk(status="busy")
    configure(d.company, status_approval=True)
    first = check_change_status(d.agent, {"status": "offline", "reason": "a"})["pending"]
    second = check_change_status(d.agent, {"status": "offline", "reason": "b"})["pending"]
    assert db.session.get(StatusRequest, first["id"]).state == "cancelled"
    assert check_change_status(d.agent, {"status": "online"})["status"] == "online"
    assert db.session.get(StatusRequest, second["id"]).state == "cancelled"
    assert pending_request(d.agent.id) is None


def test_agent_can_withdraw_a_request(make):
    """The agent's 撤回 cancels the pending request."""
    d = make.desk(status="online")
    configure(d.company, status_approval=True)
    req = check_change_status(d.agent, {"status": "offline", "reason": "下班"})["pending"]
    check_cancel_request(d.agent)
    assert db.session.get(StatusRequest, req["id"]).state == "cancelled"


def test_request_needs_a_reason_of_at_most_50_chars(make):
    """No reason (and no busy reason to stand for one) or a 51-char one is refused with its reason."""
    d = make.desk(status="online")
    configure(d.company, status_approval=True)
    with pytest.raises(KefuError) as err:
        check_change_status(d.agent, {"status": "offline", "reason": "  "})
    assert err.value.code == "status_reason_required"
    with pytest.raises(KefuError) as err:
        check_change_status(d.agent, {"status": "offline", "reason": "x" * 51})
    assert err.value.code == "status_reason_too_long"
    assert check_change_status(d.agent, {"status": "offline", "reason": "x" * 50})["pending"]


def test_who_may_decide(make):
    """Another company's admin: not found; a fellow agent: forbidden; the agent's department manager: yes."""
    company = make.company()
    dep = Department(company_id=company.id, name="售后")
    db.session.add(dep)
    db.session.commit()
    group = make.group(company)
    agent = make.user(company, groups=[group], status="online", department_id=dep.id)
    configure(company, status_approval=True)
    peer = make.user(company, groups=[group])
    manager = make.user(company, role="manager", department_id=dep.id)
    outsider = _owner(make.company())
    rid = check_change_status(agent, {"status": "offline", "reason": "r"})["pending"]["id"]
    for actor, code in [(outsider, "not_found"), (peer, "forbidden")]:
        with pytest.raises(KefuError) as err:
            check_decide(actor, {"request_id": rid}, approve=True)
        assert err.value.code == code
    with pytest.raises(KefuError) as err:
        check_decide(manager, {"request_id": "1"}, approve=True)
    assert err.value.code == "invalid_input"
    check_decide(manager, {"request_id": rid}, approve=True)
    db.session.refresh(agent)
    assert agent.status == "offline"


def test_unchanged_status_still_withdraws_the_request_for_good(make):
    """Picking the status one already has withdraws the pending request, as every other session sees it."""
    d = make.desk(status="online")
    configure(d.company, status_approval=True)
    req = check_change_status(d.agent, {"status": "offline", "reason": "下班"})["pending"]
    assert check_change_status(d.agent, {"status": "online"})["pending"] is None
    db.session.rollback()  # what a socket handler's teardown does with anything left uncommitted
    with db.engine.connect() as other:
        state = other.scalar(select(StatusRequest.state).where(StatusRequest.id == req["id"]))
    assert state == "cancelled"
    with pytest.raises(KefuError) as err:  # a late approval no longer switches the agent
        check_decide(_owner(d.company), {"request_id": req["id"]}, approve=True)
    assert err.value.code == "request_decided"
    db.session.refresh(d.agent)
    assert d.agent.status == "online"


def test_another_busy_reason_waits_for_approval_too(make):
    """With approval on, 忙碌·小休 → 忙碌·会议 is filed for approval, not switched at once."""
    d = make.desk(status="online")
    pause, meeting = busy_reason(d.company), busy_reason(d.company, "会议", "Meeting")
    check_change_status(d.agent, {"status": "busy", "busy_reason_id": pause.id})
    configure(d.company, status_approval=True)
    out = check_change_status(d.agent, {"status": "busy", "busy_reason_id": meeting.id})
    assert out["pending"]["busy_reason_id"] == meeting.id and out["pending"]["reason"] == "会议"
    db.session.refresh(d.agent)
    assert (d.agent.status, d.agent.busy_reason_id) == ("busy", pause.id)
    check_decide(_owner(d.company), {"request_id": out["pending"]["id"]}, approve=True)
    db.session.refresh(d.agent)
    assert (d.agent.status, d.agent.busy_reason_id) == ("busy", meeting.id)
    assert check_change_status(d.agent, {"status": "busy", "busy_reason_id": meeting.id})["pending"] is None
