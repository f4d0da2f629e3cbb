"""Timeout close in headless Chromium: the session rules end a silent visitor's chat, both sides read
why, and the visitor starts a new chat."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.conversations.models import Conversation
from kefu.decisions.actions import do_publish
from kefu.decisions.deadlines import sweep_due
from kefu.extensions import db

from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser
CLOSE_TEXT = "由于您长时间未回复，本次会话已结束。"


def _send(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")


def _sweep_until_closed(conv_id: int, within: float = 20) -> None:
    """Run the deadline sweep (the worker's job) until the conversation has closed."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        sweep_due()
        db.session.rollback()
        if db.session.get(Conversation, conv_id, populate_existing=True).status == "closed":
            return
        time.sleep(0.5)
    raise AssertionError("the auto-close did not fire")


def test_silent_visitor_is_timed_out_and_starts_again(live, make, new_context):
    """After 5 s of visitor silence the chat auto-closes with the rule's text: the visitor reads
    the timeout end, the agent reads "用户会话超时，本次会话已经结束", and 重建会话 starts a new chat."""
    d = make.desk()
    do_publish(d.company.id, "session", {"rules": [{
        "id": "quick_close", "name": "quick close", "when": {"all": [
            {"field": "last_speaker", "op": "eq", "value": "agent"}]},
        "then": [{"action": "auto_close", "params": {"after": 5, "text": CLOSE_TEXT}}]}]})
    bench = login_agent(new_context(), live, d.agent.email)
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key)
    _send(widget, "你好，在吗")
    expect(bench.locator("#conversations li")).to_have_count(1)
    expect(widget.locator("#end-chat")).to_be_visible()
    _send(bench, "您好，请问有什么可以帮您？")
    expect(widget.locator("#messages li.msg-agent .bubble")).to_have_text(["您好，请问有什么可以帮您？"])
    conv_id = db.session.scalars(db.select(Conversation.id)).one()

    _sweep_until_closed(conv_id)
    expect(widget.locator("#chat")).to_have_attribute("data-status", "closed")
    expect(widget.locator("#messages li.msg-system .bubble").filter(has_text=CLOSE_TEXT)).to_have_count(1)
    expect(widget.locator("#messages li.msg-system").last).to_have_text("您长时间没有回复，本次会话已经结束")
    expect(widget.locator("#end-chat")).to_be_hidden()
    expect(bench.locator("#messages li.msg-system").last).to_have_text("用户会话超时，本次会话已经结束")
    expect(bench.locator("#text")).to_be_disabled()
    shot(widget, "widget-timed-out")
    shot(bench, "workbench-timed-out")

    widget.click("#new-chat")
    expect(widget.locator("#new-chat")).to_be_hidden()
    _send(widget, "我又回来了")
    expect(widget.locator("#chat")).to_have_attribute("data-status", "active")
    expect(bench.locator("#conversations li")).to_have_count(2)
    # The new chat's pane also shows the visitor's earlier chat, under its separator, above it.
    expect(bench.locator("#messages li.msg-visitor .bubble")).to_have_text(["你好，在吗", "我又回来了"])
    expect(bench.locator("#messages li.wb-sep").filter(has_text="历史会话")).to_have_count(1)
    expect(bench.locator("#text")).to_be_enabled()
    assert db.session.get(Conversation, conv_id).end_reason == "visitor_timeout"
