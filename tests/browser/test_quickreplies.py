"""Quick replies in headless Chromium: the "/" picker fills variables in; the drawer edits one's own."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.conversations.actions import check_visitor_message
from kefu.extensions import db
from kefu.quickreplies.models import QuickReply, QuickReplyGroup
from kefu.settings.actions import do_save
from kefu.visitors.token import verify

from .helpers import login_agent, shot

pytestmark = pytest.mark.browser


REFUND = "{visitor_name}您好，退款将在 3 个工作日内原路退回。——{agent_name}@{company}"
HELLO = "<b>您好</b>，请问有什么可以帮您？"


def _library(d: Any) -> None:
    after_sales = do_save(None, QuickReplyGroup(company_id=d.company.id, name="售后"), created=True)
    do_save(None, QuickReply(company_id=d.company.id, group_id=after_sales.id, title="退款说明",
                             text=REFUND), created=True)
    do_save(None, QuickReply(company_id=d.company.id, title="问候", text=HELLO),
            created=True)


def _chat_with_named_visitor(d: Any, bench: Any, name: str) -> None:
    d.visitor.name = name
    db.session.commit()
    check_visitor_message(verify(d.token), {"text": "我要退款"})
    expect(bench.locator("#conversations li")).to_have_count(1)
    bench.locator("#conversations li").first.click()
    expect(bench.locator("#text")).to_be_enabled()
    expect(bench.locator("#qr-bar")).to_have_attribute("data-loaded", "2")


def test_slash_picker_inserts_the_reply_with_the_visitor_name(live, make, new_context):
    """Typing "/退" opens the picker with only 退款说明; Enter puts its text, with the visitor's and
    agent's names and the company filled in, into the reply box without sending it; arrows move,
    Esc closes, and HTML in a reply shows as text."""
    d = make.desk()
    _library(d)
    bench = login_agent(new_context(), live, d.agent.email)
    _chat_with_named_visitor(d, bench, "王小明")
    box = bench.locator("#text")

    box.click()
    bench.keyboard.type("/")
    options = bench.locator("#qr-options li")
    expect(options).to_have_count(2)
    expect(bench.locator("#qr-options li .qr-preview").nth(1)).to_have_text(HELLO)
    expect(bench.locator("#qr-options b")).to_have_count(0)
    bench.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_class("qr-opt active")
    bench.keyboard.press("Escape")
    expect(bench.locator("#qr-picker")).to_be_hidden()
    expect(box).to_have_value("/")

    box.fill("")
    bench.keyboard.type("/退")
    expect(options).to_have_count(1)
    expect(options.first.locator(".qr-opt-title")).to_have_text("退款说明")
    shot(bench, "workbench-quick-reply-picker")
    bench.keyboard.press("Enter")
    expected = f"王小明您好，退款将在 3 个工作日内原路退回。——{d.agent.name}@{d.company.name}"
    expect(box).to_have_value(expected)
    expect(bench.locator("#qr-picker")).to_be_hidden()
    expect(bench.locator("#messages li.msg-agent")).to_have_count(0)  # inserted, not sent
    shot(bench, "workbench-quick-reply-inserted")

    bench.keyboard.type(" 有问题随时联系我。")  # edit before sending
    bench.keyboard.press("Enter")
    expect(bench.locator("#messages li.msg-agent").last).to_contain_text(expected + " 有问题随时联系我。")


def test_agent_manages_personal_replies_in_the_drawer(live, make, new_context):
    """In the drawer an agent adds a group and a personal reply in it, finds it by search, uses
    it, edits it and deletes it; company replies there have no edit button."""
    d = make.desk()
    _library(d)
    bench = login_agent(new_context(), live, d.agent.email)
    _chat_with_named_visitor(d, bench, "李雷")
    bench.click("#qr-toggle")
    expect(bench.locator("#qr-panel")).to_be_visible()
    expect(bench.locator("#qr-list .qr-item")).to_have_count(2)
    expect(bench.locator("#qr-list .qr-edit")).to_have_count(0)

    bench.fill("#qr-group-name", "我的常用")
    bench.click("#qr-group-save")
    expect(bench.locator("#qr-groups li")).to_have_count(1)
    bench.click("#qr-save")  # empty: refused with a clear reason
    expect(bench.locator("#qr-error")).to_have_text("请填写标题（1–120 个字）")
    bench.fill("#qr-title", "发票")
    bench.fill("#qr-text", "{visitor_name}，发票已开具，请查收邮箱。")
    bench.select_option("#qr-group", label="我的常用")
    bench.click("#qr-save")
    expect(bench.locator("#qr-list .qr-item")).to_have_count(3)
    expect(bench.locator("#qr-list h3").filter(has_text="我的常用")).to_have_count(1)

    bench.fill("#qr-search", "发票")
    expect(bench.locator("#qr-list .qr-item")).to_have_count(1)
    shot(bench, "workbench-quick-reply-drawer")
    bench.click("#qr-list .qr-use")
    expect(bench.locator("#text")).to_have_value("李雷，发票已开具，请查收邮箱。")

    bench.click("#qr-list .qr-edit")
    bench.fill("#qr-text", "发票已重新开具")
    bench.click("#qr-save")
    expect(bench.locator("#qr-list .qr-item .qr-preview")).to_have_text("发票已重新开具")
    bench.click("#qr-list .qr-delete")
    bench.click("#qr-list .qr-delete")  # the second click confirms
    expect(bench.locator("#qr-list .qr-item")).to_have_count(0)
    db.session.rollback()
    assert db.session.scalars(db.select(QuickReply).where(QuickReply.owner_id == d.agent.id)).all() == []
