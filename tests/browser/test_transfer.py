"""In headless Chromium: an agent transfers a chat through the dialog; a manager watches and takes over."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import i18n, login_agent, open_widget, shot

pytestmark = pytest.mark.browser


def _send(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")


def _bubbles(page: Any, who: str, text: str, where: str = "#messages") -> Any:
    return page.locator(f"{where} li.msg-{who} .bubble").filter(has_text=text)


def test_agent_transfers_chat_to_colleague_via_dialog(live, make, new_context):
    """The dialog lists the free colleague; after confirming with a reason the chat leaves A's
    workbench, reaches B with its history and the reason, and the visitor is told and sees B."""
    company = make.company()
    group = make.group(company)
    a_user = make.user(company, groups=[group])
    b_user = make.user(company, groups=[group])
    channel = make.channel(company, group)
    a = login_agent(new_context(), live, a_user.email)
    b = login_agent(new_context(), live, b_user.email, status="busy")  # the first chat goes to A
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, channel.key)
    _send(widget, "我要退货")
    expect(_bubbles(a, "visitor", "我要退货")).to_have_count(1)
    b.select_option("#status", "online")
    expect(b.locator("#status")).to_have_attribute("data-saved", "online")

    a.click("#transfer-open")
    choice = a.locator(f"#transfer-agents input[value='agent:{b_user.id}']")
    expect(choice).to_be_enabled()
    expect(a.locator(f"#transfer-groups input[value='group:{group.id}']")).to_be_enabled()
    shot(a, "transfer-dialog")
    choice.check()
    a.fill("#transfer-reason", "售后问题请同事处理")
    a.click("#transfer-submit")
    expect(a.locator("#transfer-dialog")).not_to_be_visible()
    expect(a.locator("#conversations li")).to_have_count(0)

    expect(b.locator("#conversations li")).to_have_count(1)
    expect(_bubbles(b, "visitor", "我要退货")).to_have_count(1)
    expect(b.locator("#transfer-note")).to_contain_text("售后问题请同事处理")
    note = widget.evaluate("window.KEFU_TRANSFER_I18N.transferred")
    expect(widget.locator("#messages")).to_contain_text(note)
    expect(widget.locator("#chat-state")).to_have_text(i18n(widget, "serving", name=b_user.shown_name))
    _send(b, "您好，我来帮您办理退货")
    expect(_bubbles(widget, "agent", "您好，我来帮您办理退货")).to_have_count(1)
    shot(b, "transfer-received")


def test_full_target_is_refused_in_the_dialog(live, make, new_context):
    """An offline colleague cannot be picked, and a stale pick is refused with the reason shown."""
    company = make.company()
    group = make.group(company)
    a_user = make.user(company, groups=[group])
    b_user = make.user(company, groups=[group])
    channel = make.channel(company, group)
    a = login_agent(new_context(), live, a_user.email)
    b = login_agent(new_context(), live, b_user.email, status="busy")
    widget = open_widget(new_context(), live, channel.key)
    _send(widget, "在吗")
    expect(_bubbles(a, "visitor", "在吗")).to_have_count(1)
    b.select_option("#status", "online")
    expect(b.locator("#status")).to_have_attribute("data-saved", "online")
    a.click("#transfer-open")
    choice = a.locator(f"#transfer-agents input[value='agent:{b_user.id}']")
    choice.check()
    b.select_option("#status", "offline")  # B leaves while A's dialog is open
    expect(b.locator("#status")).to_have_attribute("data-saved", "offline")
    a.click("#transfer-submit")
    expect(a.locator("#transfer-error")).to_contain_text("不在线")
    expect(a.locator("#conversations li")).to_have_count(1)


def test_manager_watches_then_takes_over(live, make, new_context):
    """A manager opens the monitor, watches a live chat (new messages appear), takes it over:
    the agent is told 已经被管理员抢接 and loses it, the visitor sees the manager reply."""
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    boss = make.user(company, role="manager", groups=[group], max_concurrent=0)
    channel = make.channel(company, group)
    a = login_agent(new_context(), live, agent.email)
    m = login_agent(new_context(), live, boss.email, status="offline")
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, channel.key)
    _send(widget, "订单一直没发货")
    expect(_bubbles(a, "visitor", "订单一直没发货")).to_have_count(1)

    m.click("#monitor-open")
    expect(m.locator("#monitor-list tr")).to_have_count(1)
    m.click("#monitor-list .monitor-watch")
    expect(_bubbles(m, "visitor", "订单一直没发货", "#monitor-messages")).to_have_count(1)
    _send(widget, "请尽快处理")
    expect(_bubbles(m, "visitor", "请尽快处理", "#monitor-messages")).to_have_count(1)
    _send(a, "正在查询")
    expect(_bubbles(m, "agent", "正在查询", "#monitor-messages")).to_have_count(1)
    shot(m, "monitor-watching")

    m.click("#monitor-takeover")
    expect(a.locator("#wb-error")).to_have_text("您与该客户的会话已经被管理员抢接")
    expect(a.locator("#conversations li")).to_have_count(0)
    expect(m.locator("#conversations li")).to_have_count(1)
    expect(_bubbles(m, "visitor", "请尽快处理")).to_have_count(1)
    expect(widget.locator("#chat-state")).to_have_text(i18n(widget, "serving", name=boss.shown_name))
    _send(m, "我是主管，马上为您加急")
    expect(_bubbles(widget, "agent", "我是主管，马上为您加急")).to_have_count(1)
    shot(m, "monitor-taken-over")


def test_manager_transfers_a_watched_chat(live, make, new_context):
    """From the monitor a manager transfers the watched chat to a free colleague through the
    same dialog (the current agent cannot be picked); the colleague gets it."""
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    colleague = make.user(company, groups=[group])
    boss = make.user(company, role="manager", groups=[group], max_concurrent=0)
    channel = make.channel(company, group)
    a = login_agent(new_context(), live, agent.email)
    b = login_agent(new_context(), live, colleague.email, status="busy")
    m = login_agent(new_context(), live, boss.email, status="offline")
    widget = open_widget(new_context(), live, channel.key)
    _send(widget, "转给别人吧")
    expect(_bubbles(a, "visitor", "转给别人吧")).to_have_count(1)
    b.select_option("#status", "online")
    expect(b.locator("#status")).to_have_attribute("data-saved", "online")
    m.click("#monitor-open")
    m.click("#monitor-list .monitor-watch")
    expect(_bubbles(m, "visitor", "转给别人吧", "#monitor-messages")).to_have_count(1)
    m.click("#monitor-transfer")
    expect(m.locator(f"#transfer-agents input[value='agent:{agent.id}']")).to_be_disabled()
    m.locator(f"#transfer-agents input[value='agent:{colleague.id}']").check()
    m.fill("#transfer-reason", "主管调配")
    m.click("#transfer-submit")
    expect(a.locator("#conversations li")).to_have_count(0)
    expect(_bubbles(b, "visitor", "转给别人吧")).to_have_count(1)
    expect(b.locator("#transfer-note")).to_contain_text("主管调配")
    expect(m.locator("#monitor-list tr")).to_contain_text(colleague.shown_name)
