"""End of chat and blacklist in headless Chromium: confirms on both sides, Sobot's texts, 重建会话."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.blacklist.models import BlacklistEntry
from kefu.extensions import db

from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser


def _send(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")


def test_visitor_ends_then_agent_ends_after_confirming(live, make, new_context):
    """The visitor's 结束会话 asks first and tells the agent "用户关闭了聊天页面"; after 重建会话 the
    agent's end asks 确定结束此会话吗 and tells the visitor "客服结束了本次会话"."""
    d = make.desk()
    bench = login_agent(new_context(), live, d.agent.email)
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key)
    _send(widget, "你好")
    expect(bench.locator("#conversations li")).to_have_count(1)
    widget.click("#end-chat")
    widget.click("#end-no")  # changed their mind: nothing ends
    expect(widget.locator("#chat")).to_have_attribute("data-status", "active")
    widget.click("#end-chat")
    widget.click("#end-yes")
    expect(widget.locator("#chat")).to_have_attribute("data-status", "closed")
    expect(widget.locator("#messages li.msg-system").last).to_have_text("您已结束本次会话")
    expect(bench.locator("#messages li.msg-system").last).to_have_text("用户关闭了聊天页面，本次会话结束")

    widget.click("#new-chat")
    _send(widget, "还有一个问题")
    expect(bench.locator("#conversations li")).to_have_count(2)
    expect(bench.locator("#text")).to_be_enabled()
    bench.click("#close-conv")
    expect(bench.locator("#end-confirm")).to_be_visible()
    bench.click("#end-confirm-no")
    expect(bench.locator("#text")).to_be_enabled()
    bench.click("#close-conv")
    bench.click("#end-confirm-yes")
    expect(bench.locator("#text")).to_be_disabled()
    expect(widget.locator("#messages li.msg-system").last).to_have_text("客服结束了本次会话")
    expect(bench.locator("#messages li.msg-system").last).to_have_text("移除了用户，本次会话结束")


def test_agent_blacklists_and_the_visitor_is_kept_away(live, make, new_context):
    """拉黑 asks for a reason (refused without one), ends the chat for both sides, and the visitor's
    next message is answered by a notice instead of reaching an agent."""
    d = make.desk()
    bench = login_agent(new_context(), live, d.agent.email)
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key)
    _send(widget, "你好")
    expect(bench.locator("#conversations li")).to_have_count(1)
    bench.click("#blacklist-open")
    expect(bench.locator("#blacklist-dialog")).to_be_visible()
    bench.click("#blacklist-submit")
    expect(bench.locator("#blacklist-error")).to_have_text("请填写拉黑原因（1–200 个字）")
    bench.fill("#blacklist-reason", "辱骂客服")
    bench.select_option("#blacklist-duration", "1d")
    shot(bench, "workbench-blacklist-dialog")
    bench.click("#blacklist-submit")
    expect(bench.locator("#blacklist-dialog")).to_be_hidden()
    expect(bench.locator("#messages li.msg-system").last).to_have_text("把用户拉入黑名单，本次会话结束")
    expect(widget.locator("#messages li.msg-system").last).to_have_text(
        "本次会话已结束，暂时无法为您转接人工客服")
    db.session.rollback()
    entry = db.session.scalars(db.select(BlacklistEntry)).one()
    assert entry.reason == "辱骂客服" and entry.duration == "1d"

    widget.click("#new-chat")
    _send(widget, "为什么不回我")
    notice = widget.locator("#messages li.msg-system .bubble").filter(has_text="无法联系人工客服")
    expect(notice).to_have_count(1)
    expect(widget.locator("#messages li.pending")).to_have_count(0)
    expect(bench.locator("#conversations li")).to_have_count(1)  # nobody received it
    shot(widget, "widget-blacklisted")
