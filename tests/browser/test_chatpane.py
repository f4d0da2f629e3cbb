"""In headless Chromium: quotes, recall, read receipts and typing on both the workbench and the widget."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser


def _t(page: Any, key: str) -> str:
    return str(page.evaluate("k => window.KEFU_CHATPANE[k]", key))


def _bubble(page: Any, who: str, text: str) -> Any:
    return page.locator(f"#messages li.msg-{who}").filter(has_text=text)


def test_quote_recall_read_and_typing_show_on_both_sides(live, make, new_context):
    """The agent quotes the visitor, both recall a message, and both sides see quotes, 已读 and 消息已撤回."""
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    channel = make.channel(company, group)
    bench = login_agent(new_context(), live, agent.email)
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, channel.key)

    widget.fill("#text", "订单 <b>123</b> 怎么还没到？")
    widget.click("#send")
    asked = _bubble(bench, "visitor", "订单 <b>123</b> 怎么还没到？")
    expect(asked).to_be_visible()
    # The agent has the chat open, so the visitor's message shows as read on the widget.
    read = _bubble(widget, "visitor", "订单").locator(".cp-read")
    expect(read).to_have_attribute("data-label", _t(widget, "read"))

    # Typing reaches the agent.
    widget.locator("#text").press_sequentially("还在吗")
    expect(bench.locator("#cp-typing")).to_be_visible()
    widget.fill("#text", "")

    # The agent quotes the question in the reply; both sides show the quote as text.
    asked.locator(".cp-quote-btn").click()
    expect(bench.locator("#cp-quotebar")).to_be_visible()
    bench.fill("#text", "我帮您查一下")
    bench.click("#send")
    reply = _bubble(widget, "agent", "我帮您查一下")
    expect(reply.locator(".cp-quote")).to_contain_text("订单 <b>123</b> 怎么还没到？")
    expect(_bubble(bench, "agent", "我帮您查一下").locator(".cp-quote")).to_contain_text("订单 <b>123</b>")
    assert widget.locator("#messages b").count() == 0  # the HTML stayed text
    shot(bench, "chatpane-workbench-quote")
    shot(widget, "chatpane-widget-quote")

    # The visitor recalls a message sent by mistake: both sides see 消息已撤回, the text is gone.
    widget.fill("#text", "发错了，这条不算")
    widget.click("#send")
    expect(_bubble(bench, "visitor", "发错了，这条不算")).to_be_visible()
    _bubble(widget, "visitor", "发错了，这条不算").locator(".cp-recall").click()
    recalled = _t(widget, "recalled")
    expect(widget.locator("#messages li.cp-recalled")).to_have_count(1)
    expect(bench.locator("#messages li.cp-recalled")).to_have_count(1)
    expect(bench.locator("#messages li.cp-recalled .bubble")).to_have_text(_t(bench, "recalled"))
    expect(bench.locator("#messages")).not_to_contain_text("发错了")

    # The agent recalls the reply: the widget shows it recalled, and so does the quote's text.
    _bubble(bench, "agent", "我帮您查一下").locator(".cp-recall").click()
    expect(widget.locator("#messages li.cp-recalled")).to_have_count(2)
    expect(widget.locator("#messages")).not_to_contain_text("我帮您查一下")
    assert recalled in widget.locator("#messages").inner_text()
    shot(bench, "chatpane-workbench-recall")
    shot(widget, "chatpane-widget-recall")


def test_agent_message_with_sensitive_word_is_refused_in_the_workbench(live, make, new_context):
    """The workbench shows the refusal naming the word and gives the text back to edit."""
    from kefu.chatpane.models import SensitiveWord
    from kefu.extensions import db

    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    channel = make.channel(company, group)
    db.session.add(SensitiveWord(company_id=company.id, scope="agent", word="保证退款"))
    db.session.commit()
    bench = login_agent(new_context(), live, agent.email)
    widget = open_widget(new_context(), live, channel.key)
    widget.fill("#text", "能退款吗")
    widget.click("#send")
    expect(_bubble(bench, "visitor", "能退款吗")).to_be_visible()
    bench.fill("#text", "我们保证退款")
    bench.click("#send")
    expect(bench.locator("#wb-error")).to_contain_text("保证退款")
    expect(bench.locator("#text")).to_have_value("我们保证退款")
    expect(widget.locator("#messages")).not_to_contain_text("我们保证退款")
    shot(bench, "chatpane-sensitive-word")
