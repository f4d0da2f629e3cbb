"""客服工作台设置 in headless Chromium: an admin changes the workbench's switches and word lists in the
console with real clicks, and the agent's workbench obeys them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kefu.settings.queries import company_settings

from .helpers import AGENT_PASSWORD, login_agent, open_widget, shot

pytestmark = pytest.mark.browser


def test_admin_sets_the_workbench_up_and_the_agent_is_held_to_it(live, make, new_context):
    """Through the console menu the admin requires summaries, turns recall off and sounds down, and
    lists an agent sensitive word; the agent's reply with the word is blocked with the reason, and
    ending the chat asks for the summary first."""
    d = make.desk()
    owner = make.user(d.company, role="owner", password=AGENT_PASSWORD)
    console = new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    console.goto(f"{live}/login?next=/admin/")
    console.fill("#email", owner.email)
    console.fill("#password", AGENT_PASSWORD)
    console.click("#login-submit")
    console.wait_for_url(re.compile(r"/admin/$"))

    console.get_by_role("link", name="客服工作台设置").click()
    console.get_by_role("link", name="工作台选项").click()
    expect(console.locator("#workbench-settings")).to_be_visible()
    console.fill("#recall_seconds", "0")
    console.check("#summary_required")
    console.uncheck("#notify_sound")
    console.fill("#file_max_mb", "200")  # over the 100 MB ceiling: the form refuses, nothing saved
    console.click("#workbench-settings button[type=submit]")
    assert console.locator("#file_max_mb").evaluate("e => e.validity.rangeOverflow")
    assert company_settings(d.company.id).recall_seconds == 120
    console.fill("#file_max_mb", "20")
    console.click("#workbench-settings button[type=submit]")
    expect(console.locator(".alert-success")).to_be_visible()
    shot(console, "workbench-settings-saved")

    console.get_by_role("link", name="客服工作台设置").click()
    console.get_by_role("link", name="敏感词").click()
    console.goto(console.url.split("?")[0] + "new/")
    console.fill("#word", "保证退款")
    console.select_option("#scope", "agent")
    console.locator("form input[type=submit]").first.click()
    expect(console.locator("body")).to_contain_text("保证退款")

    bench = login_agent(new_context(viewport={"width": 1280, "height": 860}), live, d.agent.email)
    widget = open_widget(new_context(), live, d.channel.key)
    widget.fill("#text", "能退款吗")
    widget.click("#send")
    expect(bench.locator("#conversations li")).to_have_count(1)
    expect(bench.locator("#summary-open")).to_have_attribute("data-required", "1")
    bench.fill("#text", "我们保证退款")
    bench.click("#send")
    expect(bench.locator("#wb-error")).to_contain_text("保证退款")
    expect(widget.locator("#messages")).not_to_contain_text("我们保证退款")
    bench.click("#close-conv")
    bench.click("#end-confirm-yes")
    expect(bench.locator("#summary-dialog")).to_be_visible()
    shot(bench, "workbench-settings-obeyed")
    row = company_settings(d.company.id)
    assert (row.recall_seconds, row.summary_required, row.notify_sound) == (0, True, False)
    assert row.file_max_mb == 20
