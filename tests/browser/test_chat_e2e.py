"""End to end in headless Chromium: the visitor widget and the agent workbench talk live."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from .helpers import NetworkSwitch, i18n, login_agent, open_widget, shot

pytestmark = pytest.mark.browser


def _setup(make: Any) -> tuple[Any, Any]:
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    channel = make.channel(company, group)
    return agent, channel


def _count(model: Any, **where: Any) -> int:
    """Count committed rows (a fresh transaction, so other threads' commits are visible)."""
    from kefu.extensions import db

    db.session.rollback()
    query = sa.select(sa.func.count()).select_from(model).filter_by(**where)
    return int(db.session.scalar(query) or 0)


def _send(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")


def _bubbles(page: Any, who: str, text: str) -> Any:
    """The message bubbles of `who` ("visitor" / "agent") whose whole text is `text`."""
    return page.locator(f"#messages li.msg-{who} .bubble").filter(has_text=text)


def test_visitor_and_agent_chat_both_ways(live, make, new_context):
    """A visitor and a logged-in agent exchange messages live, and the visitor sees the end."""
    agent, channel = _setup(make)
    bench = login_agent(new_context(), live, agent.email)
    expect(bench.locator("#empty")).to_be_visible()
    shot(bench, "workbench-empty")
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, channel.key)
    shot(widget, "widget-empty")

    _send(widget, "你好，我想咨询一下订单")
    expect(bench.locator("#conversations li")).to_have_count(1)
    expect(_bubbles(bench, "visitor", "你好，我想咨询一下订单")).to_have_count(1)
    expect(widget.locator("#chat-state")).to_have_text(
        i18n(widget, "serving", name=agent.shown_name))
    expect(widget.locator("#messages li.pending")).to_have_count(0)

    _send(bench, "您好！请问订单号是多少？")
    expect(_bubbles(widget, "agent", "您好！请问订单号是多少？")).to_have_count(1)
    _send(widget, "订单号 20240601")
    expect(_bubbles(bench, "visitor", "订单号 20240601")).to_have_count(1)
    shot(widget, "widget-chatting")
    shot(bench, "workbench-chatting")

    bench.click("#close-conv")
    bench.click("#end-confirm-yes")  # 确定结束此会话吗
    expect(widget.locator("#chat")).to_have_attribute("data-status", "closed")
    expect(widget.locator("#chat-state")).to_have_text(i18n(widget, "closed"))
    # The reception plan's greeting opened the chat; the closing note (why it ended) ends it.
    expect(widget.locator("#messages li.msg-system")).to_have_text(
        ["您好，欢迎咨询！请问有什么可以帮您？", "客服结束了本次会话"]
    )
    expect(bench.locator("#text")).to_be_disabled()
    expect(bench.locator("#close-conv")).to_be_disabled()
    shot(widget, "widget-ended")
    shot(bench, "workbench-ended")


def test_queued_visitors_see_their_place_then_get_served(live, make, new_context):
    """With no agent online visitors see their queue position, and are served once one comes online."""
    agent, channel = _setup(make)
    first = open_widget(new_context(viewport={"width": 400, "height": 640}), live, channel.key)
    second = open_widget(new_context(viewport={"width": 400, "height": 640}), live, channel.key)
    _send(first, "有人吗？")
    expect(first.locator("#chat")).to_have_attribute("data-status", "queued")
    expect(first.locator("#chat-state")).to_have_text(i18n(first, "queued", n=1))
    _send(second, "我也在等")
    expect(second.locator("#chat-state")).to_have_text(i18n(second, "queued", n=2))
    shot(second, "widget-queued")

    bench = login_agent(new_context(), live, agent.email)
    serving = i18n(first, "serving", name=agent.shown_name)
    expect(first.locator("#chat-state")).to_have_text(serving)
    expect(second.locator("#chat-state")).to_have_text(serving)
    expect(bench.locator("#conversations li")).to_have_count(2)


def test_reconnect_delivers_missed_messages_exactly_once(live, make, new_context):
    """After a network drop each missed reply shows once and the offline message arrives once."""
    from kefu.conversations.models import Message

    agent, channel = _setup(make)
    bench = login_agent(new_context(), live, agent.email)
    visitor_ctx = new_context(viewport={"width": 400, "height": 640})
    net = NetworkSwitch(visitor_ctx)
    widget = open_widget(visitor_ctx, live, channel.key)
    _send(widget, "在吗？")
    expect(_bubbles(bench, "visitor", "在吗？")).to_have_count(1)
    expect(bench.locator("#text")).to_be_enabled()
    # The widget learns its own message is stored from the ack, which may trail the agent's copy.
    expect(widget.locator("#messages li.pending")).to_have_count(0)

    net.go_offline()
    expect(widget.locator("#chat")).to_have_attribute("data-conn", "offline")
    expect(widget.locator("#chat-state")).to_have_text(i18n(widget, "offline"))
    _send(bench, "第一条：您好")
    _send(bench, "第二条：请稍等")
    expect(_bubbles(bench, "agent", "第二条：请稍等")).to_have_count(1)
    _send(widget, "我刚才断网了")
    expect(widget.locator("#messages li.pending")).to_have_count(1)
    shot(widget, "widget-offline")
    assert _count(Message, body="我刚才断网了") == 0

    net.go_online()
    expect(widget.locator("#chat")).to_have_attribute("data-conn", "online", timeout=20_000)
    expect(_bubbles(bench, "visitor", "我刚才断网了")).to_have_count(1)
    expect(widget.locator("#messages li.pending")).to_have_count(0)
    # A message sent after the reconnect is a barrier: anything duplicated would be in by then.
    _send(bench, "第三条：收到")
    expect(_bubbles(widget, "agent", "第三条：收到")).to_have_count(1)
    for text in ("第一条：您好", "第二条：请稍等"):
        expect(_bubbles(widget, "agent", text)).to_have_count(1)
    expect(_bubbles(widget, "visitor", "我刚才断网了")).to_have_count(1)
    expect(_bubbles(bench, "visitor", "我刚才断网了")).to_have_count(1)
    texts = widget.locator("#messages li:not(.msg-system) .bubble").all_inner_texts()
    assert texts == ["在吗？", "第一条：您好", "第二条：请稍等", "我刚才断网了", "第三条：收到"]
    assert _count(Message, body="我刚才断网了") == 1
    shot(widget, "widget-reconnected")


def test_embed_snippet_opens_chat_frame(live, make, new_context, host_site):
    """The embed snippet on another site shows a launcher whose chat frame reaches the agent."""
    agent, channel = _setup(make)
    bench = login_agent(new_context(), live, agent.email)
    page_url = host_site(
        "<!doctype html><html><head><meta charset='utf-8'><title>Shop</title></head>"
        "<body><h1>Product 42</h1><p>A shop page on another origin.</p>"
        f"<script src=\"{live}/widget/{channel.key}.js\"></script></body></html>")
    host = new_context().new_page()
    host.goto(page_url)

    launcher = host.locator("#kefu-launcher")
    expect(launcher).to_be_visible()
    expect(host.locator("#kefu-frame")).to_have_count(0)
    launcher.click()
    expect(host.locator("#kefu-frame")).to_be_visible()
    frame = host.frame_locator("#kefu-frame")
    expect(frame.locator("#chat")).to_have_attribute("data-conn", "online")
    frame.locator("#text").fill("从嵌入窗口发来的消息")
    frame.locator("#send").click()
    expect(_bubbles(bench, "visitor", "从嵌入窗口发来的消息")).to_have_count(1)
    expect(bench.locator("#chat-title")).to_contain_text(page_url)
    shot(host, "embed-open")

    # The next page of the site continues the same conversation, frame storage or not.
    host.reload()
    host.locator("#kefu-launcher").click()
    frame = host.frame_locator("#kefu-frame")
    expect(frame.locator("#messages li.msg-visitor")).to_have_text(["从嵌入窗口发来的消息"])
    expect(frame.locator("#chat")).to_have_attribute("data-status", "active")


def test_unknown_channel_shows_bilingual_404(live, make, new_context):
    """An unknown channel key answers 404 with the message in Chinese and in English."""
    page = new_context().new_page()
    response = page.goto(f"{live}/chat/no-such-channel")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("找不到该接入渠道")
    expect(page.get_by_text("This channel does not exist")).to_be_visible()
    shot(page, "widget-404")


def test_overlong_message_is_rejected_and_not_stored(live, make, new_context):
    """A 5,001-character message gets a clear error in the page and stores nothing."""
    from kefu.conversations.models import Conversation, Message

    _agent, channel = _setup(make)
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, channel.key)
    # The textarea caps input at 5,000 characters, so bypass it the way a script would.
    widget.eval_on_selector("#text", "(el, n) => { el.value = '长'.repeat(n); }", 5001)
    widget.click("#send")
    error = widget.locator("#chat-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("5000")
    expect(widget.locator("#messages li.failed")).to_have_count(1)
    expect(widget.locator("#messages li.pending")).to_have_count(0)
    shot(widget, "widget-too-long")
    assert _count(Message) == 0
    assert _count(Conversation) == 0

