"""服务总结 in headless Chromium: a required summary blocks ending the chat until it is filled in."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.extensions import db
from kefu.orders.models import ConversationOrder
from kefu.summaries.models import ConversationSummary

from ..summaries.helpers import require_summary, tree
from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser


def _end(bench: Any) -> None:
    bench.click("#close-conv")
    bench.click("#end-confirm-yes")


def test_agent_fills_the_summary_records_an_order_then_ends_the_chat(live, make, new_context):
    """With 服务总结 required, ending opens the summary form; the agent picks types (at most 3), a
    status, a remark (kept as text), stars the chat, records an order, and then ends it."""
    d = make.desk()
    tree(d.company)
    require_summary(d.company)
    bench = login_agent(new_context(viewport={"width": 1280, "height": 860}), live, d.agent.email)
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key)
    widget.fill("#text", "<img src=x onerror=alert(1)>想问物流")
    widget.click("#send")
    expect(bench.locator("#conversations li")).to_have_count(1)
    expect(bench.locator("#summary-open")).to_have_attribute("data-required", "1")

    _end(bench)  # ending opens the summary form instead
    dialog = bench.locator("#summary-dialog")
    expect(dialog).to_be_visible()
    expect(bench.locator("#summary-required-note")).to_be_visible()
    expect(bench.locator("#text")).to_be_enabled()  # still open
    for name in ("咨询", "报价", "活动"):
        dialog.get_by_label(name).check()
    expect(dialog.get_by_label("退货")).to_be_disabled()  # a fourth type cannot be picked
    bench.select_option("#summary-status", "following")
    bench.fill("#summary-remark", "<b>下周回访</b>")
    bench.check("#summary-invalid")
    bench.fill("#order-number", "SO-2026")
    bench.fill("#order-amount", "-5")
    bench.click("#order-submit")
    expect(bench.locator("#order-error")).to_contain_text("金额")
    bench.fill("#order-amount", "199.00")
    bench.click("#order-submit")
    expect(bench.locator("#order-list li")).to_have_text(["SO-2026 · 199.00 CNY · 待付款"])
    bench.click("#summary-submit")
    expect(bench.locator("#summary-saved")).to_be_visible()
    shot(bench, "summary-filled")
    bench.click("#summary-cancel")

    bench.click("#summary-star")
    expect(bench.locator("#summary-star")).to_have_attribute("data-starred", "1")
    expect(bench.locator("#conversations li .conv-star")).to_have_count(1)
    bench.reload()  # the star is the agent's own and survives a reload
    expect(bench.locator("#conversations li .conv-star")).to_have_count(1)
    expect(bench.locator("#summary-open")).to_have_attribute("data-required", "0")
    _end(bench)
    expect(bench.locator("#text")).to_be_disabled()
    expect(widget.locator("#messages li.msg-system").last).to_have_text("客服结束了本次会话")
    shot(bench, "summary-closed")

    db.session.rollback()
    (summary,) = db.session.query(ConversationSummary).all()
    assert summary.status == "following" and summary.invalid and len(summary.type_ids) == 3
    assert summary.remark == "<b>下周回访</b>"
    assert db.session.query(ConversationOrder).one().number == "SO-2026"
