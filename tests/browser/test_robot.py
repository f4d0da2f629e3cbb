"""Issue 6's done-when, in headless Chromium: an operator adds and publishes a Q&A entry in the console,
a visitor in robot-first mode asks a paraphrase and gets its answer, clicks 转人工, and the agent gets
the chat with the robot's transcript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kefu.decisions.actions import do_publish
from kefu.knowledge.actions import do_seed
from kefu.knowledge.evaluate import KNOWLEDGE_FILE, load_yaml
from kefu.robot.actions import do_seed_robot

from .helpers import AGENT_PASSWORD, login_agent, open_widget, shot

pytestmark = pytest.mark.browser

ANSWER = "在结算页选择礼品卡，输入卡号和密码即可抵扣"


def _console(context, base, email):
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/login?next=/admin/")
    page.fill("#email", email)
    page.fill("#password", AGENT_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def test_operator_entry_answers_a_robot_first_visitor_who_then_reaches_an_agent(live, make, new_context):
    """A new console entry answers 我的礼品卡该怎么用; 转人工 hands chat and transcript to the agent."""
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    owner = make.user(company, role="owner", password=AGENT_PASSWORD)
    channel = make.channel(company, group)
    do_seed(company.id, load_yaml(KNOWLEDGE_FILE))  # the demo base the new entry joins
    do_seed_robot(company.id)
    do_publish(company.id, "reception", {"rules": [
        {"id": "bot", "name": "机器人优先", "when": None,
         "then": [{"action": "mode", "params": {"mode": "robot_first"}}]}]})

    console = _console(new_context(viewport={"width": 1280, "height": 900}), live, owner.email)
    console.get_by_role("link", name="知识库", exact=True).click()
    console.get_by_role("link", name="问答库").click()
    console.goto(console.url.split("?")[0] + "new/")
    console.fill("#question", "礼品卡怎么使用")
    console.fill("#similar", "礼品卡在哪里用\n怎么用礼品卡付款")
    console.locator("#answer-editor").click()
    console.keyboard.type(ANSWER + "。")
    shot(console, "robot-console-new-entry")
    console.locator("form.admin-form [type=submit]").first.click()
    row = console.locator("table.model-list tbody tr", has_text="礼品卡怎么使用")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "draft")
    row.locator("input.action-checkbox").check()
    console.locator(".actions-nav .dropdown-toggle, a.dropdown-toggle:has-text('选中')").first.click()
    console.get_by_role("link", name="发布", exact=True).click()
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "published")
    shot(console, "robot-console-published")

    bench = login_agent(new_context(), live, agent.email)
    widget = open_widget(new_context(viewport={"width": 400, "height": 700}), live, channel.key)
    widget.fill("#text", "我的礼品卡该怎么用")
    widget.click("#send")
    robot = widget.locator("#messages li.msg-robot")
    expect(robot.filter(has_text=ANSWER)).to_have_count(1)
    expect(robot.first.locator(".robot-who")).to_have_text("智能客服小K")
    expect(widget.locator("#robot-bar")).to_be_visible()
    expect(widget.locator("#chat-state")).to_contain_text("智能客服小K")
    expect(bench.locator("#conversations li")).to_have_count(0)  # the robot serves; no agent yet
    shot(widget, "robot-widget-answered")

    answered = robot.filter(has_text=ANSWER)
    answered.get_by_role("button", name="有用").click()
    expect(answered.locator(".robot-feedback")).to_contain_text("感谢您的反馈")

    widget.get_by_role("button", name="转人工").click()
    expect(widget.locator("#robot-bar")).to_be_hidden()
    expect(widget.locator("#chat")).to_have_attribute("data-status", "active")
    shot(widget, "robot-widget-transferred")
    expect(bench.locator("#conversations li")).to_have_count(1)
    bench.locator("#conversations li").first.click()
    pane = bench.locator("#messages")
    expect(pane.locator("li.msg-visitor .bubble").filter(has_text="我的礼品卡该怎么用")).to_have_count(1)
    expect(pane.locator("li.msg-robot .bubble").filter(has_text=ANSWER)).to_have_count(1)
    shot(bench, "robot-workbench-transcript")


def test_robot_answer_keeps_lists_and_links_but_nothing_else(live, make, new_context):
    """An answer's list, bold and https link show as such; an <img onerror> never reaches the page."""
    from kefu.knowledge.actions import check_save_entry

    company = make.company()
    group = make.group(company)
    make.user(company, groups=[group])
    channel = make.channel(company, group)
    do_seed_robot(company.id)
    check_save_entry(None, company.id, {
        "question": "电子发票怎么下载", "status": "published",
        "answer": '<p>步骤：</p><ol><li>打开订单</li><li>点<b>下载发票</b></li></ol>'
                  '<p><a href="https://example.com/help">帮助中心</a>'
                  '<img src="x" onerror="window.pwned=1"></p>'})
    do_publish(company.id, "reception", {"rules": [
        {"id": "bot", "name": "机器人优先", "when": None,
         "then": [{"action": "mode", "params": {"mode": "robot_first"}}]}]})
    widget = open_widget(new_context(viewport={"width": 400, "height": 700}), live, channel.key)
    widget.fill("#text", "电子发票怎么下载")
    widget.click("#send")
    answer = widget.locator("#messages li.msg-robot").filter(has_text="帮助中心")
    expect(answer.locator("ol li")).to_have_count(2)
    expect(answer.locator("b")).to_have_text("下载发票")
    expect(answer.locator("a")).to_have_attribute("href", "https://example.com/help")
    expect(answer.locator("img")).to_have_count(0)
    assert widget.evaluate("window.pwned") is None
    shot(widget, "robot-widget-rich-answer")
