"""The workbench's conversation list in headless Chromium: tabs (进行中 / 排队中 / 历史), filters that
survive a reload, unread badges from the read marks, ringing and notifications, the status bar's
counts and the keyboard shortcuts."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kefu.chatpane.models import ReadMark
from kefu.conversations.actions import do_close
from kefu.conversations.models import Conversation
from kefu.extensions import db
from kefu.org.actions import do_set_status
from kefu.org.models import User
from kefu.settings.actions import do_save
from kefu.wblist.queries import forget_shared

from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 820}
PHONE = {"viewport": {"width": 400, "height": 640}}


@pytest.fixture(autouse=True)
def _fast_counts(app: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Refresh the status bar every second and start without cached group numbers."""
    monkeypatch.setitem(app.config, "KEFU_WBLIST_REFRESH_SECONDS", 1)
    forget_shared()
    yield
    forget_shared()


def _say(widget: Any, text: str) -> None:
    widget.fill("#text", text)
    widget.click("#send")


def _item(bench: Any, name: str) -> Any:
    return bench.locator("#conversations li.conv", has_text=name)


def _name_visitor(widget: Any, name: str) -> None:
    """Give the widget's visitor a name (as the visitor panel would) so the list can be read."""
    from kefu.visitors.models import Visitor

    db.session.rollback()
    visitor = db.session.scalars(select(Visitor).order_by(Visitor.id.desc())).first()
    visitor.name = name
    do_save(None, visitor, created=False)


def _visitor(new_context: Any, live: str, key: str, name: str, text: str) -> Any:
    widget = open_widget(new_context(**PHONE), live, key)
    _name_visitor(widget, name)
    _say(widget, text)
    return widget


def test_tabs_show_the_queue_and_history_and_take_a_chat(live, make, new_context):
    """排队中 lists the waiting chat with its place and a 接入 button, 历史 lists the ended chat and
    opens it read-only; taking the queued chat moves it to 进行中."""
    d = make.desk(max_concurrent=1)
    bench = login_agent(new_context(viewport=WIDE), live, d.agent.email)
    _visitor(new_context, live, d.channel.key, "老客户", "上次的问题")
    expect(_item(bench, "老客户")).to_have_count(1)
    db.session.rollback()
    do_close(db.session.scalars(select(Conversation)).one(), "agent_removed")
    _visitor(new_context, live, d.channel.key, "张三", "在吗")
    expect(_item(bench, "张三")).to_have_count(1)
    _visitor(new_context, live, d.channel.key, "李四", "排队中的问题")
    expect(bench.locator("#wbl-counts")).to_have_attribute("data-queue", "1")
    expect(bench.locator("#wbl-queue-count")).to_have_text("1")

    bench.click("#wbl-tab-queue")
    row = bench.locator("#wbl-queue-list li", has_text="李四")
    expect(row).to_contain_text("排队第 1 位")
    expect(row).to_contain_text("已等待")
    expect(bench.locator("#conversations")).to_be_hidden()
    shot(bench, "wblist-queue-tab")
    row.locator(".wbl-take").click()
    expect(bench.locator("#wb-error")).to_contain_text("接待量已满")

    bench.click("#wbl-tab-history")
    past = bench.locator("#wbl-history-list li", has_text="老客户")
    expect(past).to_have_count(1)
    past.click()
    expect(bench.locator("#wbl-view")).to_be_visible()
    expect(bench.locator("#wbl-view-messages li")).to_have_text(["上次的问题"])
    shot(bench, "wblist-history-view")
    bench.click("#wbl-view-close")
    expect(bench.locator("#wbl-view")).to_be_hidden()

    agent = db.session.get(User, d.agent.id)
    agent.max_concurrent = 2  # the console raised the limit: the agent pulls the waiting chat
    do_save(None, agent, created=False)
    bench.click("#wbl-tab-queue")
    bench.locator("#wbl-queue-list li", has_text="李四").locator(".wbl-take").click()
    expect(bench.locator("#wbl-tab-open")).to_have_class("wbl-tab active")
    expect(_item(bench, "李四")).to_have_class("conv current")
    expect(bench.locator("#messages")).to_contain_text("排队中的问题")
    expect(bench.locator("#wbl-counts")).to_have_attribute("data-mine", "2")
    shot(bench, "wblist-picked")


def test_filters_narrow_the_list_and_survive_a_reload(live, make, new_context):
    """Filtering by channel leaves that channel's chat; the choice is still applied after a reload,
    and clearing it brings every chat back; search narrows by visitor name."""
    d = make.desk()
    other = make.channel(d.company, d.group)
    bench = login_agent(new_context(viewport=WIDE), live, d.agent.email)
    _visitor(new_context, live, d.channel.key, "网页客户", "hi")
    _visitor(new_context, live, other.key, "第二渠道客户", "hello")
    expect(bench.locator("#conversations li.conv")).to_have_count(2)
    bench.click("#wbl-filters-open")
    bench.select_option("#wbl-f-channel", str(other.id))
    expect(bench.locator("#conversations li.conv")).to_have_text([lambda_text("第二渠道客户")])
    shot(bench, "wblist-filtered")
    bench.reload()
    expect(bench.locator("#conversations li.conv")).to_have_count(1)
    expect(_item(bench, "第二渠道客户")).to_have_count(1)
    expect(bench.locator("#wbl-filters-on")).to_be_visible()
    bench.click("#wbl-filters-open")
    bench.click("#wbl-f-clear")
    expect(bench.locator("#conversations li.conv")).to_have_count(2)
    bench.fill("#wbl-search", "网页")
    expect(bench.locator("#conversations li.conv")).to_have_text([lambda_text("网页客户")])
    bench.fill("#wbl-search", "没有这个人")
    expect(bench.locator("#wbl-nomatch")).to_be_visible()


def lambda_text(name: str) -> Any:
    """A pattern matching a list item that starts with the visitor's name."""
    import re

    return re.compile("^" + re.escape(name))


def _conv_of(name: str) -> int:
    """The id of the chat of the visitor with this name."""
    from kefu.visitors.models import Visitor

    db.session.rollback()
    return db.session.scalars(select(Conversation.id).join(Visitor, Visitor.id == Conversation.visitor_id)
                              .where(Visitor.name == name)).one()


def _read_up_to(conv_id: int, message_text: str) -> None:
    """Wait until the agent side's read mark covers the visitor's message (the chat pane sends it)."""
    from kefu.conversations.models import Message

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        db.session.rollback()
        msg = db.session.scalars(select(Message).where(Message.conversation_id == conv_id,
                                                       Message.body == message_text)).one()
        mark = db.session.get(ReadMark, conv_id)
        if mark is not None and mark.agent_read_id >= msg.id:
            return
        time.sleep(0.2)
    raise AssertionError("the chat pane never marked the message read")


def test_unread_badge_survives_a_reload_and_clears_on_opening(live, make, new_context):
    """A message in a background chat badges it and counts in the title; after a reload the badge
    is still there (from the server's read mark); opening the chat clears it for good."""
    d = make.desk()
    bench = login_agent(new_context(viewport=WIDE), live, d.agent.email)
    first = _visitor(new_context, live, d.channel.key, "王五", "第一位")
    expect(_item(bench, "王五")).to_have_class("conv current")
    _read_up_to(_conv_of("王五"), "第一位")  # on screen, so read: it is not unread after a reload
    _visitor(new_context, live, d.channel.key, "赵六", "第二位")
    expect(_item(bench, "赵六")).to_have_count(1)
    _item(bench, "赵六").click()
    expect(_item(bench, "赵六")).to_have_class("conv current")
    _say(first, "还有一个问题")
    badge = _item(bench, "王五").locator(".badge")
    expect(badge).to_have_text("1")
    expect(bench).to_have_title(lambda_text("(1) "))
    shot(bench, "wblist-unread")
    bench.reload()
    expect(_item(bench, "赵六")).to_have_class("conv current")  # the newest chat opens
    expect(_item(bench, "王五").locator(".badge")).to_have_text("1")
    expect(bench).to_have_title(lambda_text("(1) "))
    _item(bench, "王五").click()
    expect(_item(bench, "王五").locator(".badge")).to_have_count(0)
    _read_up_to(_conv_of("王五"), "还有一个问题")
    bench.reload()
    expect(_item(bench, "王五")).to_have_count(1)
    expect(_item(bench, "王五").locator(".badge")).to_have_count(0)
    expect(bench.locator("#wbl-top")).to_have_attribute("data-unread", "0")
    assert not bench.title().startswith("(")


def test_a_new_chat_rings_and_notifies_and_the_agent_can_mute_it(live, make, new_context):
    """With notifications granted, a new chat beeps (WebAudio) and shows a browser notification,
    and so does a message in a background chat; muting the sound stops the beep, not the notice."""
    d = make.desk()
    context = new_context(viewport=WIDE)
    context.grant_permissions(["notifications"], origin=live)
    bench = login_agent(context, live, d.agent.email)
    top = bench.locator("#wbl-top")
    expect(bench.locator("#wbl-sound")).to_have_attribute("aria-pressed", "true")  # company default
    first = _visitor(new_context, live, d.channel.key, "孙七", "你好")
    expect(top).to_have_attribute("data-notifications", "1")
    expect(top).to_have_attribute("data-beeps", "1")
    expect(top).to_have_attribute("data-last-notification", "新会话 · 孙七")
    _visitor(new_context, live, d.channel.key, "周八", "我也有问题")
    expect(top).to_have_attribute("data-notifications", "2")
    expect(top).to_have_attribute("data-beeps", "2")
    bench.click("#wbl-sound")
    expect(bench.locator("#wbl-sound")).to_have_attribute("aria-pressed", "false")
    _item(bench, "周八").click()
    _say(first, "在吗？")  # 孙七 is now in the background
    expect(top).to_have_attribute("data-notifications", "3")
    expect(top).to_have_attribute("data-last-notification", "新消息 · 孙七: 在吗？")
    expect(top).to_have_attribute("data-beeps", "2")
    shot(bench, "wblist-notified")
    bench.reload()
    expect(bench.locator("#wbl-sound")).to_have_attribute("aria-pressed", "false")  # this browser's choice


def test_status_bar_counts_follow_queue_and_colleagues(live, make, new_context):
    """Mine / queue / online colleagues change when a chat arrives, a visitor queues and a colleague
    goes online (who then takes the waiting chat)."""
    d = make.desk(max_concurrent=1)
    colleague = make.user(d.company, groups=[d.group])
    bench = login_agent(new_context(viewport=WIDE), live, d.agent.email)
    counts = bench.locator("#wbl-counts")
    expect(counts).to_have_attribute("data-mine", "0")
    expect(counts).to_have_attribute("data-online", "0")
    _visitor(new_context, live, d.channel.key, "甲", "一")
    expect(counts).to_have_attribute("data-mine", "1")
    expect(bench.locator("#wbl-c-mine")).to_have_text("1/1")
    _visitor(new_context, live, d.channel.key, "乙", "二")
    expect(counts).to_have_attribute("data-queue", "1")
    shot(bench, "wblist-counts-queued")
    do_set_status(db.session.get(User, colleague.id), "online")
    expect(counts).to_have_attribute("data-online", "1")
    expect(counts).to_have_attribute("data-queue", "0")
    shot(bench, "wblist-counts-colleague")


def test_keyboard_shortcuts_move_between_chats_and_tabs(live, make, new_context):
    """Alt+↓/↑ move between chats even from the reply box, Alt+2 opens the queue tab, Ctrl+K
    focuses the search, ? opens the help and Esc closes it; plain keys in the box stay text."""
    d = make.desk()
    bench = login_agent(new_context(viewport=WIDE), live, d.agent.email)
    _visitor(new_context, live, d.channel.key, "一号", "a")
    expect(_item(bench, "一号")).to_have_class("conv current")
    _visitor(new_context, live, d.channel.key, "二号", "b")
    _visitor(new_context, live, d.channel.key, "三号", "c")
    expect(bench.locator("#conversations li.conv")).to_have_count(3)
    order = [t.split("\n")[0] for t in bench.locator("#conversations li.conv .conv-name").all_inner_texts()]
    at = order.index("一号")
    bench.focus("#text")
    bench.keyboard.type("?")
    expect(bench.locator("#wbl-help")).to_be_hidden()  # typing a question mark is just text
    expect(bench.locator("#text")).to_have_value("?")
    bench.keyboard.press("Alt+ArrowUp" if at > 0 else "Alt+ArrowDown")
    moved = order[at - 1] if at > 0 else order[at + 1]
    expect(_item(bench, moved)).to_have_class("conv current")
    bench.keyboard.press("Alt+ArrowDown" if at > 0 else "Alt+ArrowUp")
    expect(_item(bench, "一号")).to_have_class("conv current")
    bench.keyboard.press("Alt+2")
    expect(bench.locator("#wbl-queue")).to_be_visible()
    bench.keyboard.press("Alt+1")
    expect(bench.locator("#conversations")).to_be_visible()
    bench.click(".wb-head strong")
    bench.keyboard.press("Control+k")
    expect(bench.locator("#wbl-search")).to_be_focused()
    bench.keyboard.press("Escape")
    bench.click(".wb-head strong")
    bench.keyboard.press("?")
    expect(bench.locator("#wbl-help")).to_be_visible()
    shot(bench, "wblist-help")
    bench.keyboard.press("Escape")
    expect(bench.locator("#wbl-help")).to_be_hidden()


def test_with_fifty_open_chats_a_message_repaints_one_row(live, make, new_context):
    """With 50 open chats, a visitor's message replaces only its own row in the list (moved to the
    top with its badge); the other 49 rows stay the same nodes."""
    from kefu.conversations.actions import check_visitor_message
    from kefu.visitors.token import verify

    d = make.desk(max_concurrent=60)
    tokens = []
    for i in range(50):
        _visitor, token = make.visitor_token(d.channel)
        check_visitor_message(verify(token), {"text": f"问题 {i}", "client_id": f"c-{i}"})
        tokens.append(token)
    bench = login_agent(new_context(viewport=WIDE), live, d.agent.email)
    expect(bench.locator("#conversations li.conv")).to_have_count(50)
    expect(bench.locator("#conversations li.conv").first).to_have_class("conv current")
    expect(bench.locator("#wbl-top")).to_have_attribute("data-unread", "49")  # the server's counts are in
    bench.evaluate("""() => {
        window.__rows = {added: 0, removed: 0};
        new MutationObserver(function (records) {
            records.forEach(function (r) {
                window.__rows.added += r.addedNodes.length; window.__rows.removed += r.removedNodes.length;
            });
        }).observe(document.getElementById('conversations'), {childList: true});
        window.__before = Array.prototype.slice.call(document.querySelectorAll('#conversations li.conv'));
    }""")
    check_visitor_message(verify(tokens[0]), {"text": "最早的访客又来了", "client_id": "again"})
    row = bench.locator("#conversations li.conv").first
    expect(row).to_contain_text("最早的访客又来了")
    expect(row.locator(".badge")).to_have_text("2")  # never opened: its first message is unread too
    rows = bench.evaluate("() => window.__rows")
    kept = bench.evaluate("""() => window.__before.filter(function (li) { return li.isConnected; }).length""")
    assert rows == {"added": 1, "removed": 1} and kept == 49
    shot(bench, "wblist-fifty-chats")
