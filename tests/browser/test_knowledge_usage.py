"""知识使用统计 in headless Chromium: an agent's searches and the robot's answers become the
manager's charts, figures and no-hit list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kefu.kbpanel.actions import check_search
from kefu.knowledge.actions import check_save_entry
from kefu.timeutil import utcnow

from ..knowledge_usage.helpers import answer, conversation
from .helpers import AGENT_PASSWORD, shot

pytestmark = pytest.mark.browser


def test_manager_reads_searches_charts_and_the_no_hit_list(live, make, new_context):
    """An agent searches the knowledge panel twice for something missing and once for something
    there; the manager opens 知识库 > 知识使用统计 from the menu and sees both Plotly charts, a 33.3%
    hit rate, and the missing question at the top of the no-hit list, counted twice."""
    d = make.desk()
    refund = check_save_entry(None, d.company.id, {"question": "退款多久到账",
                                                   "answer": "<p>3 个工作日</p>", "status": "published"})
    for q in ("保修卡丢了", "保修卡丢了", "退款"):
        check_search(d.agent, {"q": q})
    conv = conversation(d)
    now = utcnow().strftime("%Y-%m-%dT%H:%M")
    answer(conv, "answered", now, entry_id=refund.id, feedback="useful")
    answer(conv, "unknown", now)
    answer(conv, "transfer", now)
    manager = make.user(d.company, role="manager", groups=[d.group], password=AGENT_PASSWORD)

    page = new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN").new_page()
    page.goto(f"{live}/login?next=/admin/")
    page.fill("#email", manager.email)
    page.fill("#password", AGENT_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name=re.compile(r"^\s*(知识库|Knowledge base)\s*$")).first.click()
    page.get_by_role("link", name="知识使用统计").click()

    expect(page.locator("#chart-searches.js-plotly-plot")).to_be_visible()
    expect(page.locator("#chart-robot.js-plotly-plot")).to_be_visible()
    expect(page.locator("#fig-searches [data-value]")).to_have_text("3")
    expect(page.locator("#fig-hit-rate [data-value]")).to_have_text("33.3%")
    first = page.locator("#no-hit-list tbody tr").first
    expect(first.locator("td").nth(0)).to_have_text("保修卡丢了")
    expect(first.locator("td").nth(1)).to_have_text("2")
    expect(page.locator("#usage-legend")).to_contain_text("命中率")
    shot(page, "knowledge-usage")
    expect(page.locator("#fig-answer-rate [data-value]")).to_have_text("50.0%")
    expect(page.locator("#fig-transfer-rate [data-value]")).to_have_text("100.0%")
    expect(page.locator("#top-entries tbody tr").first).to_contain_text("退款多久到账")
    page.locator("#chart-robot").scroll_into_view_if_needed()
    shot(page, "knowledge-usage-robot")

    with page.expect_download() as download:
        page.click("#no-hit-export")
    assert download.value.suggested_filename.startswith("no-hit-queries-")
