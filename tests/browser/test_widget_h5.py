"""The H5 chat page: the reception plan's look and pre-chat form, language, offline replies, unread title."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.decisions.actions import do_publish
from kefu.extensions import db
from kefu.visitors.models import Visitor

from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}


def _setup(make: Any) -> tuple[Any, Any]:
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    channel = make.channel(company, group)
    return agent, channel


def _send(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")


def _bubbles(page: Any, who: str, text: str) -> Any:
    return page.locator(f"#messages li.msg-{who} .bubble").filter(has_text=text)


def test_plan_look_and_pre_chat_form_on_a_phone(live, make, new_context):
    """The plan's title, colour and logo show; its form comes first, refuses bad input, then is gone."""
    agent, channel = _setup(make)
    do_publish(channel.company_id, "reception", {"rules": [{"id": "look", "name": "Look", "then": [
        {"action": "widget", "params": {"title": "售后服务中心", "color": "#fa541c",
                                        "logo": "/static/img/kefu-logo.svg"}},
        {"action": "pre_chat_form", "params": {"fields": ["name", "phone"]}}]}]})
    bench = login_agent(new_context(), live, agent.email)
    context = new_context(**PHONE)
    page = open_widget(context, live, channel.key)
    expect(page.get_by_role("heading", name="售后服务中心")).to_be_visible()
    head = page.locator(".chat-head")
    assert head.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(250, 84, 28)"
    expect(page.locator("#chat-logo")).to_be_visible()
    assert page.locator("#chat-logo").evaluate("i => i.naturalWidth") > 0
    form = page.get_by_role("form", name="开始之前")
    expect(form).to_be_visible()
    expect(page.get_by_role("button", name="跳过")).to_be_hidden()  # the plan does not allow skipping
    expect(page.locator("#text")).to_be_disabled()
    expect(page.get_by_label("姓名")).to_be_focused()
    shot(page, "widget-prechat-phone")

    page.get_by_role("button", name="开始咨询").click()
    expect(page.locator("#prechat-name-error")).to_have_text("必填")
    expect(page.get_by_label("姓名")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("电话").fill("1234")
    page.get_by_role("button", name="开始咨询").click()
    expect(page.locator("#prechat-error")).to_have_text("手机号应为 5-20 位数字")
    expect(page.get_by_label("电话")).to_have_attribute("aria-invalid", "true")
    shot(page, "widget-prechat-error")
    page.get_by_label("电话").fill("138 0000 0000")
    page.get_by_role("button", name="开始咨询").click()
    expect(form).to_have_count(0)
    expect(page.locator("#text")).to_be_enabled()
    expect(page.locator("#text")).to_be_focused()
    db.session.rollback()
    visitor = db.session.scalars(db.select(Visitor).where(Visitor.phone == "13800000000")).one()
    assert visitor.name == "王小明"

    _send(page, "表单填好了")
    expect(_bubbles(bench, "visitor", "表单填好了")).to_have_count(1)
    composer = page.locator("#composer").bounding_box()
    assert composer is not None and composer["y"] + composer["height"] <= 667
    shot(page, "widget-phone-chatting")
    page.reload()
    expect(page.locator("#chat")).to_have_attribute("data-conn", "online")
    expect(_bubbles(page, "visitor", "表单填好了")).to_have_count(1)
    expect(page.locator("#prechat")).to_have_count(0)


def test_skippable_form_is_skipped_once(live, make, new_context):
    """A skippable form offers 跳过; once skipped, the next visit goes straight to the chat."""
    _agent, channel = _setup(make)
    do_publish(channel.company_id, "reception", {"rules": [{"id": "f", "name": "Form", "then": [
        {"action": "pre_chat_form", "params": {"fields": ["email"], "skippable": True}}]}]})
    context = new_context()
    page = open_widget(context, live, channel.key)
    page.get_by_role("button", name="跳过").click()
    expect(page.locator("#prechat")).to_have_count(0)
    expect(page.locator("#text")).to_be_enabled()
    page.reload()
    expect(page.locator("#chat")).to_have_attribute("data-conn", "online")
    expect(page.locator("#prechat")).to_have_count(0)


def test_a_page_older_than_the_plan_asks_for_the_form_when_its_first_message_is_refused(
        live, make, new_context):
    """The plan gains a required form after the page loaded: the first message is refused by the
    server, the form appears with the text kept in the box, and once filled the text goes through."""
    agent, channel = _setup(make)
    bench = login_agent(new_context(), live, agent.email)
    page = open_widget(new_context(), live, channel.key)
    expect(page.locator("#chat")).to_have_attribute("data-conn", "online")
    expect(page.locator("#prechat")).to_have_count(0)
    do_publish(channel.company_id, "reception", {"rules": [{"id": "f", "name": "Form", "then": [
        {"action": "pre_chat_form", "params": {"fields": ["name"]}}]}]})
    _send(page, "你好，在吗")
    form = page.get_by_role("form", name="开始之前")
    expect(form).to_be_visible()
    expect(page.locator("#text")).to_have_value("你好，在吗")
    expect(page.get_by_role("button", name="跳过")).to_be_hidden()
    shot(page, "widget-prechat-after-refusal")
    page.get_by_label("姓名").fill("李雷")
    page.get_by_role("button", name="开始咨询").click()
    expect(form).to_have_count(0)
    page.click("#send")
    expect(_bubbles(bench, "visitor", "你好，在吗")).to_have_count(1)
    sent = page.locator("#messages li.msg-visitor:not(.failed):not(.pending) .bubble")
    expect(sent.filter(has_text="你好，在吗")).to_have_count(1)


@pytest.mark.parametrize(("locale", "send", "lang"), [("en-US", "Send", "en"), ("zh-CN", "发送", "zh-CN")])
def test_language_follows_the_browser(live, make, new_context, locale, send, lang):
    """Without ?lang=, the H5 page speaks the browser's language."""
    _agent, channel = _setup(make)
    page = open_widget(new_context(locale=locale), live, channel.key)
    expect(page.locator("#send")).to_have_text(send)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    shot(page, f"widget-lang-{locale}")


def test_reply_sent_after_the_visitor_left_shows_on_the_next_visit(live, make, new_context):
    """An agent's reply sent after the visitor closed the page is there when they come back."""
    agent, channel = _setup(make)
    bench = login_agent(new_context(), live, agent.email)
    context = new_context()
    page = open_widget(context, live, channel.key)
    _send(page, "我先走了，稍后再来看")
    expect(_bubbles(bench, "visitor", "我先走了，稍后再来看")).to_have_count(1)
    page.close()
    _send(bench, "好的，已为您查到：订单明天送达")
    expect(bench.locator("#messages li.msg-agent.pending")).to_have_count(0)

    back = open_widget(context, live, channel.key)
    expect(_bubbles(back, "agent", "好的，已为您查到：订单明天送达")).to_have_count(1)
    shot(back, "widget-offline-reply")


def test_hidden_page_counts_unread_replies_in_its_title(live, make, new_context):
    """While the visitor's tab is hidden, agent replies show as (n) in its title; coming back clears it."""
    agent, channel = _setup(make)
    bench = login_agent(new_context(), live, agent.email)
    page = open_widget(new_context(), live, channel.key)
    _send(page, "你好")
    expect(_bubbles(bench, "visitor", "你好")).to_have_count(1)
    title = page.title()
    # Headless tabs are always visible: report the tab as hidden the way the browser would.
    page.evaluate("""() => { Object.defineProperty(document, 'hidden', {value: true, configurable: true});
        document.dispatchEvent(new Event('visibilitychange')); }""")
    _send(bench, "第一条回复")
    _send(bench, "第二条回复")
    expect(page).to_have_title(re.compile(r"^\(2\) "))
    page.evaluate("""() => { Object.defineProperty(document, 'hidden', {value: false, configurable: true});
        document.dispatchEvent(new Event('visibilitychange')); }""")
    expect(page).to_have_title(title)
