"""The embed snippet on a third-party page: isolation, load time, unread badge, phones, keyboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import login_agent, shot

pytestmark = pytest.mark.browser

HOSTILE = ("<style>* { font-size: 40px !important; display: block } "
           "button { background: red !important; color: yellow !important; position: static !important } "
           "iframe { display: none !important; width: 10px !important }</style>")


def _setup(make: Any) -> tuple[Any, Any]:
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    channel = make.channel(company, group)
    return agent, channel


def _page(live: str, channel: Any, head: str = "", body: str = "") -> str:
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Shop</title>{head}</head><body><a href='#top' id='first-link'>Shop home</a>"
            f"<h1>Product 42</h1>{body}"
            f"<script async src=\"{live}/widget/{channel.key}.js\"></script></body></html>")


def _open_and_chat(host: Any, bench: Any, text: str) -> Any:
    host.locator("#kefu-launcher").click()
    frame = host.frame_locator("#kefu-frame")
    expect(frame.locator("#chat")).to_have_attribute("data-conn", "online")
    frame.locator("#text").fill(text)
    frame.locator("#send").click()
    expect(bench.locator("#messages li.msg-visitor .bubble").filter(has_text=text)).to_have_count(1)
    return frame


def test_launcher_ignores_a_hostile_stylesheet_and_adds_one_global(live, make, new_context, host_site):
    """A host page that restyles every element cannot restyle the launcher or hide the chat frame."""
    _agent, channel = _setup(make)
    snapshot = "<script>window.__before = Object.keys(window);</script>"
    url = host_site(_page(live, channel, head=HOSTILE + snapshot))
    host = new_context().new_page()
    host.goto(url)
    launcher = host.locator("#kefu-launcher")
    expect(launcher).to_be_visible()
    look = launcher.evaluate("""b => { const s = getComputedStyle(b);
        return [s.fontSize, s.backgroundColor, s.color, s.position, s.display]; }""")
    assert look == ["14px", "rgb(22, 119, 255)", "rgb(255, 255, 255)", "fixed", "flex"]
    box = launcher.bounding_box()
    assert box is not None and box["x"] + box["width"] == pytest.approx(1100 - 20, abs=1)
    assert box["y"] + box["height"] == pytest.approx(720 - 20, abs=1)
    added = host.evaluate(
        "() => Object.keys(window).filter(k => !window.__before.includes(k) && k !== '__before')")
    assert added == ["KefuWidget"]
    shot(host, "embed-hostile-host")

    launcher.click()
    frame = host.locator("#kefu-frame")
    expect(frame).to_be_visible()
    size = frame.bounding_box()
    assert size is not None and size["width"] == pytest.approx(370, abs=1)
    expect(host.frame_locator("#kefu-frame").locator("#chat")).to_have_attribute("data-conn", "online")
    shot(host, "embed-hostile-host-open")


def test_launcher_and_frame_wear_the_reception_plans_look(live, make, new_context, host_site):
    """The plan's colour, logo, title and side show on the launcher at once and in the open chat."""
    from kefu.decisions.actions import do_publish

    _agent, channel = _setup(make)
    do_publish(channel.company_id, "reception", {"rules": [{"id": "look", "name": "Look", "then": [
        {"action": "widget", "params": {"title": "售后服务中心", "color": "#fa541c",
                                        "logo": "/static/img/kefu-logo.svg", "position": "left"}}]}]})
    host = new_context().new_page()
    host.goto(host_site(_page(live, channel)))
    launcher = host.get_by_role("button", name=re.compile("售后服务中心"))
    expect(launcher).to_have_text("售后服务中心")
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(250, 84, 28)"
    box = launcher.bounding_box()
    assert box is not None and box["x"] == pytest.approx(20, abs=1)
    logo = host.locator("#kefu-launcher img")
    expect(logo).to_be_visible()
    assert logo.evaluate("i => i.naturalWidth") > 0
    shot(host, "embed-plan-look")
    launcher.click()
    frame = host.frame_locator("#kefu-frame")
    expect(frame.get_by_role("heading", name="售后服务中心")).to_be_visible()
    head = frame.locator(".chat-head")
    assert head.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(250, 84, 28)"
    place = host.locator("#kefu-frame").bounding_box()
    assert place is not None and place["x"] == pytest.approx(20, abs=1)
    shot(host, "embed-plan-look-open")


def test_widget_does_not_hold_up_the_host_pages_load_event(live, make, new_context, host_site):
    """A returning visitor's chat frame is only requested after the host page has fired load."""
    agent, channel = _setup(make)
    bench = login_agent(new_context(), live, agent.email)
    url = host_site(_page(live, channel, head=(
        "<script>addEventListener('load', () => { const w = document.getElementById('kefu-widget');"
        " window.__frameAtLoad = !!(w && w.shadowRoot.getElementById('kefu-frame')); });</script>")))
    context = new_context()
    host = context.new_page()
    host.goto(url)
    _open_and_chat(host, bench, "第一次来")  # the host page now keeps this visitor's token

    held: list[Any] = []
    host.route(re.compile(r"/chat/"), lambda route: held.append(route))
    with host.expect_request(re.compile(r"/chat/")) as asked:
        host.reload(wait_until="load")  # returns once the host fired load, with the chat held back
        assert host.evaluate("() => window.__frameAtLoad") is False
        assert host.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd") > 0
    assert "embed=1" in asked.value.url and held
    for route in held:
        route.continue_()
    host.unroute(re.compile(r"/chat/"))
    frame = host.frame_locator("#kefu-frame")
    expect(frame.locator("#messages li.msg-visitor")).to_have_text(["第一次来"])
    expect(host.locator("#kefu-frame")).to_be_hidden()  # loaded, but closed until clicked


def test_unread_badge_while_minimised_and_after_a_new_page(live, make, new_context, host_site):
    """Agent replies to a closed chat raise a badge on the launcher; opening the chat clears it."""
    agent, channel = _setup(make)
    bench = login_agent(new_context(), live, agent.email)
    host = new_context().new_page()
    host.goto(host_site(_page(live, channel)))
    frame = _open_and_chat(host, bench, "在吗？")
    launcher, badge = host.locator("#kefu-launcher"), host.locator("#kefu-unread")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    frame.locator("#text").press("Escape")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(host.locator("#kefu-frame")).to_be_hidden()
    expect(badge).to_be_hidden()

    bench.fill("#text", "您好，请问有什么可以帮您？")
    bench.click("#send")
    expect(badge).to_have_text("1")
    expect(launcher).to_have_attribute("aria-label", re.compile("1 条未读消息"))
    shot(host, "embed-unread-badge")
    launcher.click()
    expect(frame.locator("#messages li.msg-agent .bubble")).to_have_text(["您好，请问有什么可以帮您？"])
    expect(badge).to_be_hidden()

    # A new page of the site: the chat is not opened, yet a reply still raises the badge.
    host.reload()
    expect(host.locator("#kefu-frame")).to_be_attached()
    expect(badge).to_be_hidden()  # what was read on the last page stays read
    bench.fill("#text", "订单已经发货了")
    bench.click("#send")
    expect(badge).to_have_text("1")
    host.locator("#kefu-launcher").click()
    expect(host.frame_locator("#kefu-frame").locator("#messages li.msg-agent .bubble")).to_have_text(
        ["您好，请问有什么可以帮您？", "订单已经发货了"])
    expect(badge).to_be_hidden()


def test_phone_sized_host_opens_the_chat_full_screen(live, make, new_context, host_site):
    """Under 480px wide the chat fills the screen, the launcher steps aside, and − closes it."""
    _agent, channel = _setup(make)
    host = new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True).new_page()
    host.goto(host_site(_page(live, channel)))
    host.locator("#kefu-launcher").tap()
    frame = host.frame_locator("#kefu-frame")
    expect(frame.locator("#chat")).to_have_attribute("data-conn", "online")
    assert host.locator("#kefu-frame").bounding_box() == {"x": 0, "y": 0, "width": 375, "height": 667}
    expect(host.locator("#kefu-launcher")).to_be_hidden()
    composer = frame.locator("#composer").bounding_box()
    assert composer is not None and composer["y"] + composer["height"] <= 667
    shot(host, "embed-phone-open")
    frame.locator("#chat-close").tap()
    expect(host.locator("#kefu-launcher")).to_be_visible()
    expect(host.locator("#kefu-frame")).to_be_hidden()


def test_keyboard_only_visitor_and_accessible_names(live, make, new_context, host_site):
    """Tab to the launcher, Enter opens with focus in the message box, Esc returns to the launcher."""
    agent, channel = _setup(make)
    bench = login_agent(new_context(), live, agent.email)
    host = new_context().new_page()
    host.goto(host_site(_page(live, channel)))
    launcher = host.get_by_role("button", name=re.compile(re.escape(channel.name)))
    expect(launcher).to_have_attribute("aria-expanded", "false")
    host.keyboard.press("Tab")  # the host's own link
    host.keyboard.press("Tab")
    expect(launcher).to_be_focused()
    assert launcher.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"  # a visible focus ring
    host.keyboard.press("Enter")
    frame = host.frame_locator("#kefu-frame")
    box = frame.get_by_role("textbox", name="您的消息")
    expect(box).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(frame.get_by_role("status")).to_have_text(re.compile(".+"))
    host.keyboard.type("只用键盘发消息")
    host.keyboard.press("Enter")
    sent = bench.locator("#messages li.msg-visitor .bubble").filter(has_text="只用键盘发消息")
    expect(sent).to_have_count(1)
    expect(frame.get_by_role("list", name="消息").get_by_role("listitem").filter(
        has_text="只用键盘发消息")).to_have_count(1)
    expect(frame.locator("#messages")).to_have_attribute("aria-live", "polite")
    expect(frame.get_by_role("main")).to_match_aria_snapshot(
        f"- main:\n  - heading \"{channel.name}\" [level=1]\n  - status\n  - button \"收起对话\"")
    shot(host, "embed-keyboard-open")
    host.keyboard.press("Escape")
    expect(host.locator("#kefu-frame")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
