"""No-reply alert in headless Chromium: the session rules' alert marks the waiting chat in the
agent's list and tells a supervisor's workbench; the agent's reply clears the mark."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kefu.conversations.models import Conversation
from kefu.decisions.actions import do_publish
from kefu.decisions.deadlines import sweep_due
from kefu.extensions import db
from kefu.org.models import User

from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser


def test_no_reply_alert_marks_the_chat_and_tells_the_supervisor(live, make, new_context):
    """An unanswered visitor's critical alert: a red badge on the agent's chat, a notice for the manager."""
    d = make.desk()
    manager = make.user(d.company, role="manager")
    do_publish(d.company.id, "session", {"rules": [{
        "id": "slow", "name": "slow", "when": {"all": [
            {"field": "last_speaker", "op": "eq", "value": "visitor"}]},
        "then": [{"action": "agent_alert", "params": {"after": 5, "level": "critical"}}]}]})
    boss = login_agent(new_context(), live, manager.email, status="offline")
    bench = login_agent(new_context(), live, d.agent.email)  # the manager hears this change too
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key)
    widget.fill("#text", "有人吗")
    widget.click("#send")
    expect(bench.locator("#conversations li")).to_have_count(1)
    expect(bench.locator("#conversations li .conv-alert")).to_have_count(0)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not bench.locator("#conversations li .conv-alert").count():
        sweep_due()
        db.session.rollback()
        time.sleep(0.5)
    badge = bench.locator("#conversations li .conv-alert")
    expect(badge).to_have_text("⏰ 严重")
    expect(badge).to_have_class("conv-alert critical")
    expect(boss.locator("#alert-notice")).to_be_visible()
    expect(boss.locator("#alert-notice")).to_contain_text("未回复预警")
    expect(boss.locator("#conversations li")).to_have_count(0)  # not the manager's chat
    assert db.session.scalars(select(Conversation)).one().agent_id == d.agent.id
    assert db.session.get(User, manager.id).status == "offline"
    expect(boss.locator("#status")).to_have_attribute("data-saved", "offline")  # not the agent's status
    shot(bench, "workbench-alert")
    bench.fill("#text", "您好，马上为您处理")
    bench.click("#send")
    expect(bench.locator("#conversations li .conv-alert")).to_have_count(0)
