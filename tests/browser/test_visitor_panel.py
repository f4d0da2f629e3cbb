"""访客信息 in headless Chromium: the agent reads visit info and trail and edits the visitor's profile."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from kefu.extensions import db
from kefu.settings.actions import do_save
from kefu.visitors.fields import VisitorField
from kefu.visitors.models import Visitor

from .helpers import login_agent, shot

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def _host_page(live, key, title):
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1><script src=\"{live}/widget/{key}.js\"></script></body></html>")


def test_agent_sees_trail_and_edits_the_profile(live, make, new_context, host_site):
    """Pages browsed on the host site and the visit info show beside the chat; the agent saves the
    profile (name with HTML shown literally, tags, VIP, custom field) and a duplicate phone is refused."""
    d = make.desk()
    do_save(None, VisitorField(company_id=d.company.id, key="plan", label="套餐", kind="choice",
                               choices=["基础版", "专业版"]), created=True)
    taken = make.visitor_token(d.channel)[0]
    db.session.execute(update(Visitor).where(Visitor.id == taken.id).values(phone="13900000000"))
    db.session.commit()
    bench = login_agent(new_context(viewport={"width": 1360, "height": 900}), live, d.agent.email)
    alerts: list[str] = []
    bench.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))

    host = new_context().new_page()
    first = host_site(_host_page(live, d.channel.key, "鞋子"), "/shop/shoes")
    second = host_site(_host_page(live, d.channel.key, "包包"), "/shop/bags")
    host.goto(first)
    expect(host.locator("#kefu-launcher")).to_be_visible()
    host.goto(second)
    host.locator("#kefu-launcher").click()
    frame = host.frame_locator("#kefu-frame")
    expect(frame.locator("#chat")).to_have_attribute("data-conn", "online")
    frame.locator("#text").fill("这个包有货吗")
    frame.locator("#send").click()

    expect(bench.locator("#conversations li")).to_have_count(1)
    bench.locator("#conversations li").first.click()
    panel = bench.locator("#visitor-panel")
    expect(panel).to_be_visible()
    visit = bench.locator("#vp-visit")
    expect(visit).to_contain_text(d.channel.name)
    expect(visit).to_contain_text(d.group.name)
    expect(visit).to_contain_text("/shop/bags")
    expect(bench.locator("#vp-trail li a")).to_have_text(["包包", "鞋子"])

    bench.fill("#vp-name", XSS)
    bench.fill("#vp-phone", "138 0013 8000")
    bench.fill("#vp-email", "Buyer@Example.com")
    bench.fill("#vp-tags", "老客户，想买包")
    bench.fill("#vp-vip", "3")
    bench.fill("#vp-remark", "<b>要发票</b>")
    bench.select_option("#vp-custom select[data-key=plan]", "专业版")
    bench.click("#vp-save")
    saved = bench.evaluate("window.KEFU_VP_I18N.saved")
    expect(bench.locator("#vp-note")).to_have_text(saved)
    db.session.rollback()  # end the test's read snapshot: the server committed since
    v = db.session.scalars(db.select(Visitor).where(Visitor.name == XSS)).first()
    assert v is not None
    assert v.phone == "13800138000" and v.email == "buyer@example.com"
    assert v.tags == ["老客户", "想买包"] and v.vip_level == 3 and v.custom == {"plan": "专业版"}
    expect(bench.locator("#conversations li").first).to_contain_text(XSS)
    expect(bench.locator("#vp-name")).to_have_value(XSS)
    expect(bench.locator("#chat-title")).to_contain_text(XSS)
    assert bench.locator("#conversations img, #visitor-panel img, #chat-title img").count() == 0
    shot(bench, "visitor-panel")

    bench.fill("#vp-phone", "139-0000-0000")
    bench.click("#vp-save")
    expect(bench.locator("#vp-error")).to_contain_text(f"#{taken.id}")
    expect(bench.locator("#vp-phone")).to_have_class("invalid")
    shot(bench, "visitor-panel-duplicate")
    assert alerts == []
