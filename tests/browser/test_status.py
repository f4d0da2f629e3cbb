"""In headless Chromium: the workbench status switcher with busy reasons, approval and forced offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kefu.extensions import db
from kefu.org.models import User
from kefu.presence.actions import check_decide, check_force_offline
from kefu.presence.queries import pending_request

from ..presence.helpers import busy_reason, configure
from .helpers import login_agent, shot

pytestmark = pytest.mark.browser


def _agent(agent_id):
    db.session.rollback()
    return db.session.get(User, agent_id, populate_existing=True)


def _owner(company):
    return db.session.scalars(select(User).where(User.company_id == company.id, User.role == "owner")).one()


def test_agent_goes_busy_with_a_reason_and_back_online(live, make, new_context):
    """The status menu lists 忙碌 · 小休; choosing it makes the agent busy for that reason (still shown
    after a reload), and back online."""
    d = make.desk(status="offline")
    pause = busy_reason(d.company, "小休", "Break")
    busy_reason(d.company, "会议", "Meeting")
    page = login_agent(new_context(), live, d.agent.email)
    expect(page.locator(f"#status option[value='busy:{pause.id}']")).to_have_text("忙碌 · 小休")
    page.select_option("#status", f"busy:{pause.id}")
    expect(page.locator("#status")).to_have_attribute("data-reason", str(pause.id))
    expect(page.locator("#status")).to_have_attribute("data-saved", "busy")
    expect(page.locator("#status-dot")).to_have_class("status-dot busy")
    shot(page, "status-busy-reason")
    agent = _agent(d.agent.id)
    assert (agent.status, agent.busy_reason_id) == ("busy", pause.id)
    page.reload()  # a fresh workbench shows the reason too
    expect(page.locator("#status")).to_have_value(f"busy:{pause.id}")
    page.select_option("#status", "online")
    expect(page.locator("#status")).to_have_attribute("data-saved", "online")
    assert _agent(d.agent.id).busy_reason_id is None


def test_approval_request_rejection_and_forced_offline_are_shown(live, make, new_context):
    """With approval on: 离线 asks for a reason, shows 已提交，等待审核; a rejection and a forced
    offline each show their notice, and the switcher follows."""
    d = make.desk(status="offline")
    configure(d.company, status_approval=True)
    page = login_agent(new_context(), live, d.agent.email)
    page.select_option("#status", "offline")
    expect(page.locator("#status-request")).to_be_visible()
    page.fill("#status-reason", "下班")
    page.click("#status-request-send")
    expect(page.locator("#status-pending")).to_contain_text("已提交，等待审核")
    expect(page.locator("#status-request")).to_be_hidden()
    expect(page.locator("#status")).to_have_attribute("data-saved", "online")
    shot(page, "status-pending")
    req = pending_request(d.agent.id)
    assert req is not None and req.reason == "下班"
    check_decide(_owner(d.company), {"request_id": req.id}, approve=False)
    expect(page.locator("#status-notice")).to_have_text("状态切换被管理员驳回")
    expect(page.locator("#status-pending")).to_be_hidden()
    check_force_offline(_owner(d.company), d.agent.id)
    expect(page.locator("#status-notice")).to_have_text("您已被管理员强制下线")
    expect(page.locator("#status")).to_have_attribute("data-saved", "offline")
    shot(page, "status-forced-offline")
