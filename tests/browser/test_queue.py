"""The queue in the widget, in headless Chromium: place and estimated wait, the max-wait prompt,
leaving the queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import i18n, login_agent, open_widget, shot

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 400, "height": 640}}


def _q(page: Any, key: str, **vals: Any) -> str:
    text = str(page.evaluate("k => window.KEFU_QUEUE_I18N[k]", key))
    for k, v in vals.items():
        text = text.replace("{" + k + "}", str(v))
    return text


def _send(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")


def test_queued_visitor_sees_place_and_wait_then_is_served(live, make, new_context):
    """A visitor behind a busy agent sees place 1 and about 3 minutes, then is served when the
    agent ends the chat in hand."""
    from sqlalchemy import select

    from kefu.conversations.actions import check_close
    from kefu.conversations.models import Conversation
    from kefu.extensions import db
    from kefu.org.models import User

    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group], max_concurrent=1)
    channel = make.channel(company, group)
    bench = login_agent(new_context(), live, agent.email)
    first = open_widget(new_context(**PHONE), live, channel.key)
    _send(first, "我先来的")
    expect(bench.locator("#conversations li")).to_have_count(1)

    second = open_widget(new_context(**PHONE), live, channel.key)
    _send(second, "我在排队")
    expect(second.locator("#chat")).to_have_attribute("data-status", "queued")
    expect(second.locator("#chat-state")).to_have_text(i18n(second, "queued", n=1))
    # No history yet: the default handle time of 3 minutes for one free slot ahead.
    expect(second.locator("#queue-eta")).to_have_text(_q(second, "eta_minutes", n=3))
    expect(second.locator("#queue-panel")).to_have_attribute("data-eta", "180")
    expect(second.locator("#queue-leave")).to_be_visible()
    expect(second.locator("#queue-prompt")).to_be_hidden()
    shot(second, "widget-queue-eta")

    # The agent ends the chat in hand (the action behind the workbench's 结束会话).
    db.session.rollback()
    served = db.session.scalars(select(Conversation).where(Conversation.agent_id == agent.id)).one()
    check_close(db.session.get(User, agent.id), {"conversation_id": served.id})
    expect(second.locator("#chat-state")).to_have_text(i18n(second, "serving", name=agent.shown_name))
    expect(second.locator("#queue-panel")).to_be_hidden()
    expect(bench.locator("#conversations li")).to_have_count(2)  # the waiting chat reached the agent


def test_max_wait_prompt_keep_waiting_then_leave_the_queue(live, make, new_context):
    """After the max wait the visitor is asked; keep waiting hides the prompt, leave ends the chat."""
    from sqlalchemy import select

    from kefu.conversations.models import Conversation, ConversationEvent
    from kefu.decisions.deadlines import sweep_due
    from kefu.extensions import db
    from kefu.settings.actions import check_save_company_settings
    from kefu.timeutil import utcnow

    company = make.company()
    group = make.group(company)
    make.user(company, groups=[group])  # offline: nobody serves
    channel = make.channel(company, group)
    check_save_company_settings(None, company.id, {
        "queue_max_length": 0, "queue_max_wait_seconds": 60, "queue_timeout_text": "等太久了吧？",
        "presence_grace_seconds": 180, "offline_chats": "stay"})
    widget = open_widget(new_context(**PHONE), live, channel.key)
    _send(widget, "有人吗")
    expect(widget.locator("#chat")).to_have_attribute("data-status", "queued")
    expect(widget.locator("#queue-eta")).to_be_hidden()  # nobody online: no estimate to give

    sweep_due(utcnow() + timedelta(seconds=61))
    expect(widget.locator("#queue-prompt")).to_be_visible()
    expect(widget.locator("#queue-prompt-text")).to_have_text("等太久了吧？")
    expect(widget.locator("#messages li.msg-system").filter(has_text="等太久了吧？")).to_have_count(1)
    shot(widget, "widget-queue-prompt")
    widget.click("#queue-keep")
    expect(widget.locator("#queue-prompt")).to_be_hidden()
    expect(widget.locator("#chat")).to_have_attribute("data-status", "queued")

    widget.click("#queue-leave")
    expect(widget.locator("#chat")).to_have_attribute("data-status", "closed")
    expect(widget.locator("#messages li.msg-system").filter(has_text=_q(widget, "left"))).to_have_count(1)
    db.session.rollback()
    conv = db.session.scalars(select(Conversation).where(Conversation.channel_id == channel.id)).one()
    assert conv.end_reason == "queue_abandoned" and conv.queue_wait_seconds is not None
    kinds = [e.kind for e in db.session.scalars(
        select(ConversationEvent).where(ConversationEvent.conversation_id == conv.id)
        .order_by(ConversationEvent.id))]
    assert kinds.count("queue_keep_waiting") == 1 and kinds.count("abandoned") == 1
