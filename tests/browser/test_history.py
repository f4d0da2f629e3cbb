"""In headless Chromium: the windowed message pane, history across past chats, failed replies and 重试."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kefu.conversations.actions import check_agent_message, check_visitor_message
from kefu.conversations.models import Message
from kefu.ending.texts import end_text
from kefu.extensions import db
from kefu.visitors.token import verify

from ..history.helpers import past_and_current
from .helpers import NetworkSwitch, i18n, login_agent, open_widget, shot

pytestmark = pytest.mark.browser

MAX_ROWS = 240  # workbench.js: the pane's window

# Scrolls the pane to one end until `done` holds, as a reader dragging the scrollbar would;
# returns the most rows the pane held meanwhile.
_SCROLL = """
async ([up, done]) => {
  const el = document.getElementById("messages");
  let most = el.children.length;
  const there = () => el.querySelector(done) && (up || el.scrollHeight - el.scrollTop - el.clientHeight < 2);
  for (let n = 0; n < 5000 && !there(); n++) {
    el.scrollTop = up ? 0 : el.scrollHeight;
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 10)));
    most = Math.max(most, el.children.length);
  }
  if (!there()) throw new Error("never reached " + done);
  return most;
}
"""


def _chat_with_long_history(d: Any, filler: int) -> dict[str, Any]:
    """Two ended chats, then an open one with a quote and a recalled reply near its start."""
    from kefu.chatpane.actions import check_agent_recall

    ids = past_and_current(d, (6, 5, 2))
    claims = verify(d.token)
    asked, _ = check_visitor_message(claims, {"text": "原始问题 <i>A</i>", "client_id": "q-a"})
    quoting, _ = check_visitor_message(claims, {"text": "我在引用上一条", "client_id": "q-b",
                                                "reply_to": asked.id})
    wrong, _ = check_agent_message(d.agent, {"conversation_id": ids[-1], "text": "发错的回复",
                                             "client_id": "w-1"})
    check_agent_recall(d.agent, {"message_id": wrong.id})
    for n in range(filler):
        check_visitor_message(claims, {"text": f"filler {n}", "client_id": f"f-{n}"})
    last = db.session.scalars(select(Message).where(Message.conversation_id == ids[-1])
                              .order_by(Message.id.desc()).limit(1)).one()
    first = db.session.scalars(select(Message).where(Message.conversation_id == ids[0])
                               .order_by(Message.id).limit(1)).one()
    return {"ids": ids, "quoting": quoting.id, "wrong": wrong.id, "last": last.id, "first": first.id}


def test_a_long_chat_stays_windowed_and_pages_back_through_earlier_chats(live, make, new_context):
    """Scrolling up reaches every past chat with separators in at most 240 rows; quotes and recalls return."""
    d = make.desk()
    chat = _chat_with_long_history(d, filler=400)
    bench = login_agent(new_context(), live, d.agent.email)
    newest = bench.locator(f'#messages li[data-id="{chat["last"]}"]')
    expect(newest).to_be_visible()
    assert bench.locator("#messages > li").count() <= MAX_ROWS
    shot(bench, "history-open")

    most = bench.evaluate(_SCROLL, [True, '[data-key="top-start"]'])
    assert most <= MAX_ROWS
    expect(bench.locator(f'#messages li[data-id="{chat["first"]}"]')).to_be_visible()
    expect(bench.locator("#messages .wb-top")).to_have_text(i18n(bench, "noEarlier"))
    seps = bench.locator("#messages li.wb-sep")
    expect(seps).to_have_count(3)  # two earlier chats, then this one
    expect(seps.nth(0)).to_contain_text(i18n(bench, "earlierConversation"))
    expect(seps.nth(0)).to_contain_text(d.agent.shown_name)
    expect(seps.nth(0)).to_contain_text(end_text("agent_removed")["agent"]["zh"])  # type: ignore[index]
    expect(seps.nth(2)).to_contain_text(i18n(bench, "currentConversation"))
    quote = bench.locator(f'#messages li[data-id="{chat["quoting"]}"] .cp-quote')
    expect(quote).to_contain_text("原始问题 <i>A</i>")
    wrong = bench.locator(f'#messages li[data-id="{chat["wrong"]}"]')
    expect(wrong).to_have_class("msg msg-agent cp-recalled")
    shot(bench, "history-top-separators")

    # Down to the newest message: the first rows leave the page …
    most = max(most, bench.evaluate(_SCROLL, [False, f'li[data-id="{chat["last"]}"]']))
    expect(bench.locator(f'#messages li[data-id="{chat["quoting"]}"]')).to_have_count(0)
    # … and come back decorated when the agent scrolls up again.
    most = max(most, bench.evaluate(_SCROLL, [True, '[data-key="top-start"]']))
    expect(quote).to_contain_text("原始问题 <i>A</i>")
    expect(bench.locator(f'#messages li[data-id="{chat["wrong"]}"] .bubble')).to_have_text(
        str(bench.evaluate("window.KEFU_CHATPANE.recalled")))
    assert bench.locator("#messages i").count() == 0  # the HTML stayed text
    assert most <= MAX_ROWS and bench.evaluate("window.KefuWB.pane.maxSeen") <= MAX_ROWS
    # A new message still lands at the bottom once the agent is back there.
    bench.evaluate(_SCROLL, [False, f'li[data-id="{chat["last"]}"]'])
    check_visitor_message(verify(d.token), {"text": "最新的一条", "client_id": "new-1"})
    expect(bench.locator("#messages li.msg-visitor").filter(has_text="最新的一条")).to_be_visible()
    shot(bench, "history-back-at-bottom")


def test_a_reply_sent_offline_shows_not_sent_and_retries_with_its_client_id(live, make, new_context):
    """Offline, a reply shows 发送失败 and 重试; online again, 重试 delivers it once under its client id."""
    d = make.desk()
    widget = open_widget(new_context(viewport={"width": 400, "height": 640}), live, d.channel.key)
    agent_ctx = new_context()
    switch = NetworkSwitch(agent_ctx)
    bench = login_agent(agent_ctx, live, d.agent.email)
    widget.fill("#text", "你好")
    widget.click("#send")
    expect(bench.locator("#messages li.msg-visitor").filter(has_text="你好")).to_be_visible()

    switch.go_offline()
    expect(bench.locator("#conn")).to_have_text(i18n(bench, "offline"))
    bench.fill("#text", "断网时写的回复")
    bench.click("#send")
    failed = bench.locator("#messages li.wb-failed")
    expect(failed).to_have_count(1)
    expect(failed.locator(".wb-send-state")).to_have_text(i18n(bench, "sendFailed"))
    expect(failed.locator(".wb-retry")).to_have_text(i18n(bench, "retry"))
    client_id = failed.get_attribute("data-client-id")
    shot(bench, "history-reply-not-sent")
    failed.locator(".wb-retry").click()  # still offline: it fails again, nothing lost
    expect(bench.locator(f'#messages li.wb-failed[data-client-id="{client_id}"]')).to_have_count(1)

    switch.go_online()
    # Socket.IO retries with a growing delay (up to ~7.5 s); a busy host adds to it.
    expect(bench.locator("#conn")).to_have_text(i18n(bench, "online"), timeout=45_000)
    expect(failed).to_have_count(1)  # a failed reply waits for the agent's 重试
    failed.locator(".wb-retry").click()
    sent = bench.locator("#messages li.msg-agent[data-id]").filter(has_text="断网时写的回复")
    expect(sent).to_have_count(1)
    expect(bench.locator("#messages li.wb-pending")).to_have_count(0)
    expect(widget.locator("#messages li.msg-agent").filter(has_text="断网时写的回复")).to_have_count(1)
    shot(bench, "history-reply-retried")
    db.session.expire_all()
    rows = db.session.scalars(select(Message).where(Message.body == "断网时写的回复")).all()
    assert [r.client_msg_id for r in rows] == [client_id]


def test_the_widget_pages_back_through_the_visitors_own_earlier_chats(live, make, new_context):
    """A returning visitor scrolls up past the newest 50 messages into earlier chats, with separators."""
    d = make.desk()
    ids = past_and_current(d, (4, 3, 60))
    ctx = new_context(viewport={"width": 400, "height": 640})
    ctx.add_init_script(f"localStorage.setItem('kefu_token_{d.channel.key}', '{d.token}')")
    widget = open_widget(ctx, live, d.channel.key)
    expect(widget.locator("#messages li.msg-agent").filter(has_text="c2 a59")).to_be_visible()
    expect(widget.locator("#messages li[data-id]")).to_have_count(50)
    widget.evaluate("""async () => {
      const el = document.getElementById("messages");
      for (let n = 0; n < 500 && !el.textContent.includes("c0 v0"); n++) {
        el.scrollTop = 0;
        el.dispatchEvent(new WheelEvent("wheel", {deltaY: -100}));
        await new Promise(r => setTimeout(r, 20));
      }
    }""")
    expect(widget.locator("#messages li.msg-visitor").filter(has_text="c0 v0")).to_be_visible()
    shown = [int(x) for x in widget.locator("#messages li[data-id]").evaluate_all(
        "els => els.map(e => e.dataset.id)")]
    db.session.expire_all()
    stored = list(db.session.scalars(select(Message.id).where(Message.conversation_id.in_(ids))
                                     .order_by(Message.id)))
    assert shown == stored  # every message once, in order
    seps = widget.locator("#messages li.chat-sep")
    expect(seps).to_have_count(2)
    expect(seps.nth(0)).to_contain_text("历史会话")
    expect(seps.nth(0)).to_contain_text(d.agent.shown_name)
    expect(seps.nth(0)).to_contain_text(end_text("agent_removed")["visitor"]["zh"])  # type: ignore[index]
    shot(widget, "history-widget-earlier-chats")
