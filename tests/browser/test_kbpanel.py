"""The workbench's 内部知识库 in headless Chromium: search, open, favourite, insert, send; no script runs."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.extensions import db
from kefu.knowledge.actions import check_save_article, check_save_entry

from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser

ANSWER = "打开我的订单，点击申请退款。"
INVOICE = "在订单详情里申请开票。"


def _knowledge(d: Any) -> tuple[Any, Any, Any]:
    """A refund Q&A, an invoice Q&A, and an article whose stored body carries a script."""
    refund = check_save_entry(None, d.company.id, {
        "question": "怎么申请退款", "answer": "<p>打开<b>我的订单</b>，点击申请退款。</p>",
        "similar": ["我要退款"], "status": "published"})
    invoice = check_save_entry(None, d.company.id, {
        "question": "发票怎么开", "answer": f"<p>{INVOICE}</p>", "status": "published"})
    rules = check_save_article(None, d.company.id, {
        "title": "退款规则", "body": "<p>退款须知</p>", "status": "published"})
    # Written past the sanitiser, as an old row or a hand edit in the database would be.
    rules.body = ("<p>退款须知</p><script>parent.__kbPwned = 1; alert('x')</script>"
                  '<img src="x" onerror="parent.__kbPwned = 2">')
    db.session.commit()
    return refund, invoice, rules


def _agent_bubble(page: Any, text: str) -> Any:
    return page.locator("#messages li.msg-agent .bubble").filter(has_text=text)


def test_agent_finds_opens_favourites_inserts_and_sends_knowledge(live, make, new_context):
    """The agent searches 退款 and sees highlighted results, opens the Q&A, marks it 收藏 (it shows
    under 收藏), inserts its answer as text, edits and sends it; sends the invoice answer straight
    to the visitor, who sees both as plain text; the article with a stored <script> shows its text
    and runs nothing."""
    d = make.desk()
    refund, invoice, rules = _knowledge(d)
    bench = login_agent(new_context(), live, d.agent.email)
    dialogs: list[str] = []
    bench.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key)
    widget.fill("#text", "我想退款")
    widget.click("#send")
    expect(bench.locator("#conversations li")).to_have_count(1)
    bench.locator("#conversations li").first.click()
    expect(bench.locator("#text")).to_be_enabled()

    bench.click("#kb-toggle")
    expect(bench.locator("#kb-panel")).to_be_visible()
    bench.fill("#kb-q", "退款")
    bench.press("#kb-q", "Enter")
    hits = bench.locator("#kb-list li.kb-hit")
    expect(hits).to_have_count(2)
    expect(bench.locator("#kb-results")).to_have_attribute("data-total", "2")
    expect(hits.locator("mark").first).to_have_text("退款")
    shot(bench, "workbench-kb-search")

    refund_hit = bench.locator(f'#kb-list li[data-key="entry:{refund.id}"]')
    refund_hit.locator(".kb-hit-title").click()
    expect(bench.locator("#kb-item-title")).to_have_text("怎么申请退款")
    expect(bench.frame_locator("#kb-frame").locator("b")).to_have_text("我的订单")
    expect(bench.locator("#kb-similar li")).to_have_text(["我要退款"])
    fav = bench.locator("#kb-item-actions .kb-fav")
    fav.click()
    expect(fav).to_have_attribute("aria-pressed", "true")
    shot(bench, "workbench-kb-item")

    bench.click('.kb-tabs button[data-tab="favourites"]')
    expect(bench.locator("#kb-fav-list li")).to_have_count(1)
    expect(bench.locator("#kb-fav-list li .kb-hit-title")).to_contain_text("怎么申请退款")
    shot(bench, "workbench-kb-favourites")
    bench.locator("#kb-fav-list li .kb-insert").click()
    box = bench.locator("#text")
    expect(box).to_have_value(ANSWER)
    expect(bench.locator("#messages li.msg-agent")).to_have_count(0)  # inserted, not sent
    box.press("End")
    bench.keyboard.type("三个工作日内到账。")
    bench.keyboard.press("Enter")
    edited = ANSWER + "三个工作日内到账。"
    expect(_agent_bubble(bench, edited)).to_have_count(1)
    expect(_agent_bubble(widget, edited)).to_have_count(1)

    bench.click('.kb-tabs button[data-tab="search"]')
    bench.fill("#kb-q", "发票")
    bench.press("#kb-q", "Enter")
    invoice_hit = bench.locator(f'#kb-list li[data-key="entry:{invoice.id}"]')
    invoice_hit.locator(".kb-send").click()
    expect(_agent_bubble(bench, INVOICE)).to_have_count(1)
    expect(_agent_bubble(widget, INVOICE)).to_have_count(1)
    expect(widget.locator("#messages li.msg-agent .bubble b")).to_have_count(0)  # text, not HTML
    expect(box).to_have_value("")
    shot(widget, "widget-kb-answers")

    bench.fill("#kb-q", "退款须知")
    bench.press("#kb-q", "Enter")
    bench.locator(f'#kb-list li[data-key="article:{rules.id}"] .kb-hit-title').click()
    expect(bench.frame_locator("#kb-frame").locator("body")).to_contain_text("退款须知")
    expect(bench.frame_locator("#kb-frame").locator("script")).to_have_count(0)
    shot(bench, "workbench-kb-article")
    assert bench.evaluate("window.__kbPwned") is None
    assert dialogs == []
    expect(_agent_bubble(bench, INVOICE)).to_have_count(1)  # sent once


def test_hash_words_in_the_reply_box_suggest_knowledge(live, make, new_context):
    """Typing "#发票" in the reply box lists the invoice Q&A; Enter puts its answer in place of the
    "#发票" for the agent to edit, and sends nothing; Escape closes the list."""
    d = make.desk()
    _knowledge(d)
    bench = login_agent(new_context(), live, d.agent.email)
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key)
    widget.fill("#text", "怎么开发票")
    widget.click("#send")
    expect(bench.locator("#conversations li")).to_have_count(1)
    bench.locator("#conversations li").first.click()
    box = bench.locator("#text")
    expect(box).to_be_enabled()
    box.click()
    bench.keyboard.type("您好，#发票")
    options = bench.locator("#kb-suggest li")
    expect(options).to_have_count(1)
    expect(options.first.locator("mark")).to_have_text("发票")
    shot(bench, "workbench-kb-hash-suggest")
    bench.keyboard.press("Enter")
    expect(box).to_have_value("您好，" + INVOICE)
    expect(bench.locator("#kb-suggest")).to_be_hidden()
    expect(bench.locator("#messages li.msg-agent")).to_have_count(0)
    bench.keyboard.type(" #退款")
    expect(options).to_have_count(2)
    bench.keyboard.press("Escape")
    expect(bench.locator("#kb-suggest")).to_be_hidden()
    expect(box).to_have_value("您好，" + INVOICE + " #退款")
