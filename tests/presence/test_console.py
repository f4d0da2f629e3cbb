"""Console: busy reasons CRUD, approving/rejecting status requests, 强制下线 from the agents list."""

from __future__ import annotations

import json

from kefu.audit.models import AuditLog
from kefu.extensions import db
from kefu.org.models import User
from kefu.presence.actions import check_change_status
from kefu.presence.models import BusyReason, StatusRequest

from ..admin.helpers import client_for, csrf_from, owner_client, page, problems, rows, submit
from .helpers import busy_reason, configure


def test_owner_manages_busy_reasons(ctx, make):
    """小休 is created with its English name, listed, and deleting it leaves its agents busy without one."""
    d = make.desk(status="online")
    client = owner_client(ctx, d.company)
    r = submit(client, "/admin/busy_reasons/new/", {"name": "小休", "name_en": "Break", "sort_order": "1",
                                                    "enabled": "y"})
    assert r.status_code == 302, problems(r)
    (reason,) = rows(BusyReason)
    assert (reason.company_id, reason.name_en, reason.enabled) == (d.company.id, "Break", True)
    assert "小休" in page(client, "/admin/busy_reasons/")
    too_long = submit(client, "/admin/busy_reasons/new/", {"name": "长" * 51, "sort_order": "0"})
    assert too_long.status_code == 200 and len(rows(BusyReason)) == 1
    check_change_status(db.session.get(User, d.agent.id), {"status": "busy", "busy_reason_id": reason.id})
    body = page(client, "/admin/busy_reasons/")
    r = client.post("/admin/busy_reasons/delete/", data={"id": str(reason.id), "csrf_token": csrf_from(body)})
    assert r.status_code == 302
    assert rows(BusyReason) == []
    agent = rows(User, User.id == d.agent.id)[0]
    assert (agent.status, agent.busy_reason_id) == ("busy", None)


def test_other_company_does_not_see_busy_reasons(ctx, make):
    """Another company's owner does not see 会议 in their list."""
    d = make.desk()
    busy_reason(d.company, "会议", "Meeting")
    other = make.company()
    assert "会议" not in page(owner_client(ctx, other), "/admin/busy_reasons/")


def test_owner_approves_and_rejects_requests_in_the_console(ctx, make):
    """The list shows the pending request and its reason; approve changes the status, reject does not."""
    d = make.desk(status="online")
    configure(d.company, status_approval=True)
    second = make.user(d.company, status="online")
    one = check_change_status(d.agent, {"status": "offline", "reason": "下班了"})["pending"]["id"]
    two = check_change_status(second, {"status": "offline", "reason": "开会"})["pending"]["id"]
    client = owner_client(ctx, d.company)
    body = page(client, "/admin/status_requests/")
    assert "下班了" in body and "开会" in body
    client.post("/admin/status_requests/action/", data={
        "csrf_token": csrf_from(body), "action": "approve", "rowid": [str(one)]})
    client.post("/admin/status_requests/action/", data={
        "csrf_token": csrf_from(body), "action": "reject", "rowid": [str(two)]})
    states = {r.id: r.state for r in rows(StatusRequest)}
    assert states == {one: "approved", two: "rejected"}
    assert rows(User, User.id == d.agent.id)[0].status == "offline"
    assert rows(User, User.id == second.id)[0].status == "online"
    other = owner_client(ctx, make.company())
    assert "下班了" not in page(other, "/admin/status_requests/")


def test_owner_forces_an_agent_offline_from_the_agents_list(ctx, make):
    """强制下线 on the agents list sets the agent offline, audit-logged; a manager has no such action."""
    d = make.desk(status="online")
    client = owner_client(ctx, d.company)
    body = page(client, "/admin/agents/")
    assert "force_offline" in body
    r = client.post("/admin/agents/action/", data={
        "csrf_token": csrf_from(body), "action": "force_offline", "rowid": [str(d.agent.id)]})
    assert r.status_code == 302
    assert rows(User, User.id == d.agent.id)[0].status == "offline"
    assert rows(AuditLog, AuditLog.action == "force_offline")
    group = make.group(d.company)
    make.user(d.company, role="manager", groups=[group], password="manager-pass-1")
    manager = client_for(ctx, rows(User, User.role == "manager")[0].email, "manager-pass-1")
    assert "force_offline" not in page(manager, "/admin/agents/")


def test_workbench_carries_the_status_switcher_in_the_agents_language(ctx, make):
    """The workbench includes the switcher; its texts are Chinese for a zh agent, English for an en one."""
    d = make.desk(status="online")
    zh = page(client_for(ctx, d.agent.email, "agent-pass-123"), "/workbench")
    assert "js/status.js" in zh
    assert json.dumps("已提交，等待审核") in zh and json.dumps("您已被管理员强制下线") in zh
    agent = db.session.get(User, d.agent.id)
    agent.locale = "en"
    db.session.commit()
    en = page(client_for(ctx, d.agent.email, "agent-pass-123"), "/workbench")
    assert "Submitted; waiting for approval" in en and "An administrator has set you offline" in en


def test_department_manager_approves_in_the_console(ctx, make):
    """A manager sees and approves their department's requests, and not another department's."""
    from kefu.org.models import Department

    company = make.company()
    mine = Department(company_id=company.id, name="售前")
    other = Department(company_id=company.id, name="售后")
    db.session.add_all([mine, other])
    db.session.commit()
    configure(company, status_approval=True)
    agent = make.user(company, status="online", department_id=mine.id)
    stranger = make.user(company, status="online", department_id=other.id)
    make.user(company, role="manager", department_id=mine.id, password="manager-pass-1")
    rid = check_change_status(agent, {"status": "busy", "reason": "培训课"})["pending"]["id"]
    check_change_status(stranger, {"status": "busy", "reason": "别的部门"})
    manager = client_for(ctx, rows(User, User.role == "manager")[0].email, "manager-pass-1")
    body = page(manager, "/admin/status_requests/")
    assert "培训课" in body and "别的部门" not in body
    manager.post("/admin/status_requests/action/", data={
        "csrf_token": csrf_from(body), "action": "approve", "rowid": [str(rid)]})
    assert rows(User, User.id == agent.id)[0].status == "busy"
