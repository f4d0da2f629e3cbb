"""Integration pages and identity hand-off in headless Chromium: a tab with the filled-in URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from kefu.extensions import db
from kefu.integrations.models import IntegrationPage
from kefu.settings.actions import do_save
from kefu.visitors.models import Visitor

from ..integrations.identity_helpers import set_identity_secret, signed
from .helpers import login_agent, shot

pytestmark = pytest.mark.browser

CRM_PAGE = """<!doctype html><meta charset="utf-8"><title>CRM</title>
<body><h1>CRM</h1><p id="who"></p>
<script>var q = new URLSearchParams(location.search);
document.getElementById("who").textContent = "visitor " + q.get("vid") + " / " + q.get("name");</script>"""


def _widget(context: Any, base: str, key: str, query: str = "") -> Any:
    page = context.new_page()
    page.goto(f"{base}/chat/{key}{query}")
    expect(page.locator("#chat")).to_have_attribute("data-conn", "online")
    return page


def test_agent_sees_integration_tab_with_the_visitors_values(live, make, new_context, host_site):
    """A signed hand-off names the visitor; the agent's tab loads the CRM URL with the visitor's id,
    the encoded name and a token the CRM can verify, and the name stays text."""
    d = make.desk()
    set_identity_secret(d.channel, "host-secret")
    crm = host_site(CRM_PAGE, "/crm")
    do_save(None, IntegrationPage(company_id=d.company.id, name_zh="客户<i>资料</i>", name_en="Customer",
                                  url_template=crm + "?vid={visitor_id}&name={visitor_name}&t={token}"),
            created=True)
    bench = login_agent(new_context(viewport={"width": 1440, "height": 800}), live, d.agent.email)
    ident = signed("host-secret", partner_id="u-1001", name="张三<b>VIP</b>", vip_level=2)
    widget = _widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key,
                     f"?identity={ident['data']}.{ident['sig']}")
    widget.fill("#text", "我的订单呢")
    widget.click("#send")
    expect(bench.locator("#conversations li")).to_have_count(1)
    expect(bench.locator("#conversations li .conv-name")).to_have_text("张三<b>VIP</b>")
    tab = bench.locator("#integration-tabs button")
    expect(tab).to_have_text(["客户<i>资料</i>"])  # an admin's markup stays text too
    expect(tab).to_have_attribute("aria-selected", "true")
    frame = bench.locator("#integration-frames iframe")
    expect(frame).to_have_attribute("sandbox", "allow-scripts allow-forms allow-popups allow-downloads "
                                    "allow-same-origin")
    db.session.rollback()
    visitor = db.session.query(Visitor).order_by(Visitor.id.desc()).first()
    assert (visitor.name, visitor.vip_level) == ("张三<b>VIP</b>", 2)
    src = frame.get_attribute("src") or ""
    query = parse_qs(urlsplit(src).query)
    assert query["vid"] == [str(visitor.id)] and query["name"] == ["张三<b>VIP</b>"]
    inner = bench.frame_locator("#integration-frames iframe")
    expect(inner.locator("#who")).to_have_text(f"visitor {visitor.id} / 张三<b>VIP</b>")
    claims = requests.post(f"{live}/api/integration/verify", json={"token": query["t"][0]}, timeout=10).json()
    assert claims["ok"] and claims["claims"]["visitor_id"] == visitor.id
    assert claims["claims"]["agent_id"] == d.agent.id
    shot(bench, "integration_tab")
    # The signed identity never becomes the visitor's recorded page (agents read that).
    assert "identity=" not in widget.evaluate("location.href")
    assert "identity" not in (visitor.last_context or {}).get("page_url", "")
    # The agent can fold the pages away and back.
    bench.click("#integration-toggle")
    expect(frame).to_be_hidden()
    bench.click("#integration-toggle")
    expect(frame).to_be_visible()


def test_forged_identity_is_refused_and_the_visitor_chats_as_a_guest(live, make, new_context):
    """A hand-off signed with the wrong key is refused with a clear note; nothing of it is applied."""
    d = make.desk()
    set_identity_secret(d.channel, "host-secret")
    ident = signed("guessed-key", partner_id="admin", name="Mallory", vip_level=9)
    widget = _widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key,
                     f"?identity={ident['data']}.{ident['sig']}")
    note = widget.locator("#messages li.msg-system").first
    expect(note).to_contain_text("身份签名无效，未应用任何身份信息")
    db.session.rollback()
    assert db.session.query(Visitor).count() == 2  # the desk's own and this guest
    visitor = db.session.query(Visitor).order_by(Visitor.id.desc()).first()
    assert (visitor.name, visitor.vip_level) == ("", 0)
    shot(widget, "identity_refused")


def test_embed_snippet_hands_the_signed_identity_to_the_chat(live, make, new_context, host_site):
    """A shop page sets window.KEFU_IDENTITY before the snippet; the agent sees the shop's name for
    the customer, and the hand-off never appears in the chat frame's address after loading."""
    d = make.desk()
    set_identity_secret(d.channel, "host-secret")
    bench = login_agent(new_context(), live, d.agent.email)
    ident = signed("host-secret", partner_id="shop-77", name="李四", vip_level=4, params={"plan": "gold"})
    page_url = host_site(
        "<!doctype html><html><head><meta charset='utf-8'><title>Shop</title></head><body><h1>Shop</h1>"
        f"<script>window.KEFU_IDENTITY = {{data: '{ident['data']}', sig: '{ident['sig']}'}};</script>"
        f"<script src=\"{live}/widget/{d.channel.key}.js\" async></script></body></html>", "/shop")
    host = new_context().new_page()
    host.goto(page_url)
    host.locator("#kefu-launcher").click()
    frame = host.frame_locator("#kefu-frame")
    expect(frame.locator("#chat")).to_have_attribute("data-conn", "online")
    frame.locator("#text").fill("会员价是多少")
    frame.locator("#send").click()
    expect(bench.locator("#conversations li .conv-name")).to_have_text("李四")
    db.session.rollback()
    visitor = db.session.query(Visitor).order_by(Visitor.id.desc()).first()
    assert (visitor.name, visitor.vip_level, visitor.custom.get("plan")) == ("李四", 4, "gold")
    chat_frame = next(f for f in host.frames if "/chat/" in f.url)
    assert "identity=" not in chat_frame.evaluate("location.href")
    shot(host, "identity_embed")
