"""满意度 in headless Chromium: the agent invites, the visitor rates, the agent sees the result."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser


def _ratings() -> list[Any]:
    from sqlalchemy import select

    from kefu.extensions import db
    from kefu.ratings.models import Rating

    db.session.rollback()  # see what the server's threads committed
    return list(db.session.scalars(select(Rating)))


def test_agent_invites_visitor_rates_agent_sees_result(live, make, new_context):
    """Invite from the workbench; the visitor picks 5 stars by keyboard, a tag, a comment and
    "resolved"; the thank-you shows and the agent's workbench shows the rating live."""
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    channel = make.channel(company, group)
    bench = login_agent(new_context(), live, agent.email)
    widget = open_widget(new_context(viewport={"width": 420, "height": 720}), live, channel.key)

    widget.fill("#text", "你好，想问下退货")
    widget.click("#send")
    expect(bench.locator("#conversations li")).to_have_count(1)
    expect(bench.locator("#rating-invite")).to_be_enabled()
    bench.click("#rating-invite")
    expect(bench.locator(".wb-rating-note")).to_have_text("已发送评价邀请")

    form = widget.locator("#rating-form")
    expect(form).to_be_visible()
    expect(form.locator(".rating-title")).to_have_text("请对本次服务进行评价")
    expect(form.locator("input[name=score]")).to_have_count(5)
    # Keyboard: the stars are a radio group; arrows move the choice.
    form.locator("input[name=score]").first.focus()
    for _ in range(4):
        widget.keyboard.press("ArrowRight")
    expect(form.locator("input[name=score]:checked")).to_have_value("5")
    expect(form.locator(".rating-label")).to_have_text("非常满意")
    expect(form.locator(".rating-tags label")).to_have_text(["态度好", "回复及时", "专业"])
    form.locator(".rating-tags label", has_text="专业").click()
    form.locator("textarea[name=comment]").fill("很专业，谢谢")
    form.locator(".rating-solved label", has_text="已解决").click()
    shot(widget, "widget-rating-form")
    form.locator("button[type=submit]").click()

    expect(widget.locator("#rating-form")).to_have_count(0)
    expect(widget.locator("#messages li.msg-system").last).to_have_text("感谢您的评价！")
    panel = bench.locator("#wb-rating")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("★★★★★ 非常满意")
    expect(panel).to_contain_text("专业")
    expect(panel).to_contain_text("已解决")
    expect(panel).to_contain_text("“很专业，谢谢”")
    shot(bench, "workbench-rating")

    saved = _ratings()
    assert len(saved) == 1
    assert (saved[0].score, saved[0].tags, saved[0].comment, saved[0].solved) == (
        5, ["专业"], "很专业，谢谢", 1)
    assert saved[0].agent_id == agent.id and saved[0].source == "agent"

    # A second invitation is refused with the reason; the rating stays after a reload (sync).
    bench.click("#rating-invite")
    expect(bench.locator("#wb-error")).to_have_text("该会话已评价过")
    bench.reload()
    expect(bench.locator("#wb-rating")).to_contain_text("非常满意")


def test_visitor_form_refuses_missing_score_and_required_comment(live, make, new_context):
    """Submitting without a score, then without a required comment, says what is missing."""
    from kefu.ratings.models import RatingScheme
    from kefu.settings.actions import do_save

    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    channel = make.channel(company, group)
    do_save(None, RatingScheme(company_id=company.id, name="s", scale="score10", labels={},
                               tags={}, comment_mode="required"), created=True)
    bench = login_agent(new_context(), live, agent.email)
    widget = open_widget(new_context(viewport={"width": 420, "height": 720}), live, channel.key)
    widget.fill("#text", "在吗")
    widget.click("#send")
    expect(bench.locator("#conversations li")).to_have_count(1)
    bench.click("#rating-invite")
    form = widget.locator("#rating-form")
    expect(form.locator("input[name=score]")).to_have_count(11)
    form.locator("button[type=submit]").click()
    expect(form.locator(".error")).to_have_text("请先选择评分")
    form.locator(".rating-scores label", has_text="8").click()
    form.locator("button[type=submit]").click()
    expect(form.locator(".error")).to_have_text("请填写评价内容")
    form.locator("textarea[name=comment]").fill("还行")
    form.locator("button[type=submit]").click()
    expect(widget.locator("#rating-form")).to_have_count(0)
    expect(bench.locator("#wb-rating")).to_contain_text("8/10 满意")
