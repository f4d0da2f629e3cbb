"""Hostile HTML in every field a visitor or agent can fill is shown as text on every surface:
the widget, the workbench (list, chat pane, visitor panel, summary) and the console lists."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.settings.actions import do_save
from kefu.visitors.fields import VisitorField

from .helpers import AGENT_PASSWORD, login_agent, open_widget, shot

pytestmark = pytest.mark.browser

# Each variant runs script if any surface ever parses it as HTML: it counts into window.__xss.
PAYLOAD = "<img src=x onerror=\"window.__xss=(window.__xss||0)+1\"><script>window.__xss=1</script>"
SHORT = "<b onmouseover=alert(1)>x</b>"  # for fields with a length limit (tags, order number)


def _emit(page: Any, event: str, data: dict[str, Any]) -> dict[str, Any]:
    """Send one /agent socket event from the workbench page and return its answer."""
    return dict(page.evaluate(
        "([ev, data]) => new Promise(r => window.KefuWB.socket.emit(ev, data, r))", [event, data]))


def _clean(page: Any) -> None:
    """No injected element exists and no injected script ran on this page."""
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("b[onmouseover]").count() == 0


def _watch(page: Any, alerts: list[str]) -> Any:
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    return page


def test_hostile_html_is_text_on_every_surface(live, make, new_context):
    """A visitor and an agent put script-bearing HTML into messages, the visitor's name, remark,
    tags, a custom field, the summary remark and an order number: every page shows it literally and
    no script runs anywhere."""
    d = make.desk()
    do_save(None, VisitorField(company_id=d.company.id, key="note", label="备注字段", kind="text"),
            created=True)
    owner = make.user(d.company, role="owner", password=AGENT_PASSWORD)
    alerts: list[str] = []
    bench = _watch(login_agent(new_context(viewport={"width": 1360, "height": 900}), live, d.agent.email),
                   alerts)
    widget = _watch(open_widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key),
                    alerts)

    widget.fill("#text", PAYLOAD)
    widget.click("#send")
    item = bench.locator("#conversations li").first
    expect(item).to_be_visible()
    item.click()
    expect(bench.locator("#messages li.msg-visitor").filter(has_text="<img src=x")).to_be_visible()
    conv_id = bench.evaluate("window.KefuWB.current().id")

    saved = _emit(bench, "visitor.update", {"conversation_id": conv_id, "name": PAYLOAD[:120],
                                            "remark": PAYLOAD, "tags": [SHORT], "custom": {"note": PAYLOAD}})
    assert saved["ok"], saved
    assert _emit(bench, "summary.save", {"conversation_id": conv_id, "status": "solved",
                                         "remark": PAYLOAD})["ok"]
    order = _emit(bench, "order.save", {"conversation_id": conv_id, "number": SHORT, "amount": "9.90",
                                        "currency": "CNY", "status": "paid"})
    assert order["ok"], order
    bench.fill("#text", PAYLOAD)
    bench.click("#send")
    expect(widget.locator("#messages li.msg-agent").filter(has_text="<img src=x")).to_be_visible()

    # A fresh workbench renders everything from the server again: list, pane, panel.
    bench.reload()
    expect(bench.locator("#conn")).to_have_text(re.compile(".+"))
    item = bench.locator("#conversations li").first
    expect(item).to_contain_text("<img src=x")
    item.click()
    expect(bench.locator("#messages li.msg-visitor").filter(has_text="<img src=x")).to_be_visible()
    expect(bench.locator("#messages li.msg-agent").filter(has_text="<img src=x")).to_be_visible()
    expect(bench.locator("#vp-name")).to_have_value(PAYLOAD[:120])
    expect(bench.locator("#vp-remark")).to_have_value(PAYLOAD)
    shot(bench, "xss-workbench")
    shot(widget, "xss-widget")
    _clean(bench)
    _clean(widget)

    console = _watch(new_context().new_page(), alerts)
    console.goto(f"{live}/login?next=/admin/")
    console.fill("#email", owner.email)
    console.fill("#password", AGENT_PASSWORD)
    console.click("#login-submit")
    console.wait_for_url(re.compile(r"/admin/$"))
    for path, shown in (("/admin/summaries/", "<img src=x"), ("/admin/orders/", SHORT),
                        ("/admin/audit_log/", None)):
        console.goto(live + path)
        if shown:
            expect(console.locator("body")).to_contain_text(shown)
        _clean(console)
    shot(console, "xss-console")
    assert alerts == []
