"""Every end reason over live Socket.IO: the visitor and the agent are each told Sobot's text."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select, update

from kefu.conversations.models import Conversation
from kefu.decisions.deadlines import sweep_due
from kefu.decisions.models import ConversationDeadline
from kefu.ending.models import VisitorPresence
from kefu.extensions import db
from kefu.timeutil import utcnow
from kefu.visitors.token import VisitorClaims, issue

from ..conftest import login
from ..realtime.helpers import Recorder


def _served(live, d):
    """Open live sockets for both sides and a served chat; return (bench, widget, conversation id)."""
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    assert widget.call("message", {"text": "你好", "client_id": "v-1"})["ok"]
    conv_id = bench.wait_for("conversation.assigned")["conversation"]["id"]
    widget.wait_for("conversation.assigned")
    return bench, widget, conv_id


def _closed(rec, conv_id, timeout=10):
    return rec.wait_for("conversation.closed", timeout=timeout,
                        where=lambda e: e["conversation"]["id"] == conv_id)


def _texts(event, side):
    return event["conversation"]["end_text"][side]


def test_agent_ends_the_chat(live, make):
    """移除了用户: the agent's end reaches the visitor as "客服结束了本次会话"."""
    d = make.desk()
    bench, widget, conv_id = _served(live, d)
    assert bench.call("close", {"conversation_id": conv_id})["ok"]
    seen = _closed(widget, conv_id)
    assert seen["conversation"]["end_reason"] == "agent_removed"
    assert _texts(seen, "visitor") == {"zh": "客服结束了本次会话", "en": "The agent ended this chat"}
    widget.close(), bench.close()


def test_visitor_ends_the_chat_and_a_replay_changes_nothing(live, make):
    """用户关闭了聊天页面: the widget's end button closes the chat; the agent reads Sobot's text."""
    d = make.desk()
    bench, widget, conv_id = _served(live, d)
    ack = widget.call("end", {"conversation_id": conv_id})
    assert ack["ok"] and ack["conversation"]["status"] == "closed"
    assert ack["conversation"]["end_text"]["visitor"]["zh"] == "您已结束本次会话"
    seen = _closed(bench, conv_id)
    assert seen["conversation"]["end_reason"] == "visitor_closed"
    assert _texts(seen, "agent")["zh"] == "用户关闭了聊天页面，本次会话结束"
    again = widget.call("end", {"conversation_id": conv_id})
    assert again["ok"] and again["conversation"]["end_reason"] == "visitor_closed"
    time.sleep(0.3)
    assert not [e for e in bench.drain() if e[0] == "conversation.closed"]
    widget.close(), bench.close()


def test_visitor_ending_while_queued_abandons_the_queue(live, make):
    """A visitor who ends the chat before an agent took it is recorded as a queue abandonment."""
    d = make.desk(status="offline")
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    assert widget.call("message", {"text": "有人吗", "client_id": "v-1"})["ok"]
    conv_id = widget.wait_for("conversation.queued")["conversation"]["id"]
    ack = widget.call("end", {})
    assert ack["ok"] and ack["conversation"]["end_reason"] == "queue_abandoned"
    assert ack["conversation"]["end_text"]["visitor"]["zh"].startswith("排队")
    db.session.expire_all()
    assert db.session.get(Conversation, conv_id).end_reason == "queue_abandoned"
    widget.close()


def test_page_closed_for_the_grace_period_ends_the_chat(app, live, make, run_jobs):
    """When every widget socket of the visitor is gone for the grace period the chat ends as
    "用户关闭了聊天页面"; the agent is told."""
    d = make.desk()
    bench, widget, conv_id = _served(live, d)
    app.config["KEFU_VISITOR_GONE_SECONDS"] = 0
    try:
        widget.client.disconnect()
        # The server counts the socket gone in its own thread; only then is the job queued.
        deadline = time.monotonic() + 30
        counted = None
        while time.monotonic() < deadline:
            db.session.rollback()
            row = db.session.scalars(select(VisitorPresence)
                                     .where(VisitorPresence.visitor_id == d.visitor.id)).first()
            counted = (row.sockets, row.gone_at) if row is not None else None
            if counted is not None and counted[0] == 0 and counted[1] is not None:
                break
            time.sleep(0.05)
        assert counted is not None and counted[0] == 0, f"server still counts {counted} sockets"
        seen = None
        for _ in range(10):
            run_jobs()
            try:
                seen = _closed(bench, conv_id, timeout=2) if seen is None else seen
                break
            except AssertionError:
                continue
    finally:
        app.config.pop("KEFU_VISITOR_GONE_SECONDS", None)
    assert seen is not None and seen["conversation"]["end_reason"] == "visitor_closed"
    assert _texts(seen, "agent")["en"] == "The visitor closed the chat page; this chat has ended"
    bench.close()


def test_timeout_close_tells_both_sides(live, make):
    """用户会话超时: the session rules' auto-close reaches both sides with the timeout text."""
    d = make.desk()
    bench, widget, conv_id = _served(live, d)
    assert bench.call("message", {"conversation_id": conv_id, "text": "请问还有问题吗",
                                  "client_id": "a-1"})["ok"]
    db.session.execute(update(ConversationDeadline)
                       .where(ConversationDeadline.conversation_id == conv_id)
                       .values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    sweep_due()
    seen = _closed(widget, conv_id)
    assert seen["conversation"]["end_reason"] == "visitor_timeout"
    assert _texts(seen, "visitor")["zh"] == "您长时间没有回复，本次会话已经结束"
    assert _texts(_closed(bench, conv_id), "agent")["zh"] == "用户会话超时，本次会话已经结束"
    widget.close(), bench.close()


def test_blacklist_tells_both_sides(live, make):
    """把用户拉入黑名单: the agent's blacklist action ends the chat; both sides read their text."""
    d = make.desk()
    bench, widget, conv_id = _served(live, d)
    ack = bench.call("blacklist", {"conversation_id": conv_id, "reason": "骚扰", "duration": "1d"})
    assert ack["ok"] and ack["entry"]["duration"] == "1d" and not ack["duplicate"]
    assert _texts(_closed(bench, conv_id), "agent")["zh"] == "把用户拉入黑名单，本次会话结束"
    assert _closed(widget, conv_id)["conversation"]["end_reason"] == "blacklisted"
    replay = bench.call("blacklist", {"conversation_id": conv_id, "reason": "骚扰", "duration": "1d"})
    assert replay["ok"] and replay["duplicate"] and replay["entry"]["id"] == ack["entry"]["id"]
    bad = bench.call("blacklist", {"conversation_id": conv_id, "reason": "", "duration": "1d"})
    assert not bad["ok"] and bad["error"]["code"] == "blacklist_reason"
    # The blacklisted visitor writes again: stored, told why, no agent gets it.
    assert widget.call("message", {"text": "为什么", "client_id": "v-2"})["ok"]
    note = widget.wait_for("message.created", where=lambda e: e["message"]["sender"] == "system")
    assert "无法联系人工客服" in note["message"]["text"]
    time.sleep(0.3)
    assert not [e for e in bench.drain() if e[0] == "conversation.assigned"]
    widget.close(), bench.close()


def test_new_chat_on_another_channel_ends_the_old_one(live, make):
    """用户打开新的聊天页面: the same visitor starting a chat on another channel ends the open one."""
    d = make.desk()
    bench, widget, conv_id = _served(live, d)
    other = make.channel(d.company, d.group)
    token = issue(VisitorClaims(d.visitor.id, other.id, d.company.id))
    second = Recorder(live, "/visitor", auth={"token": token})
    assert second.call("message", {"text": "换个页面问", "client_id": "v-9"})["ok"]
    seen = _closed(bench, conv_id)
    assert seen["conversation"]["end_reason"] == "visitor_new_page"
    assert _texts(seen, "agent")["zh"] == "用户打开新的聊天页面，本次会话结束"
    assert _texts(_closed(widget, conv_id), "visitor")["zh"].startswith("您在新的页面")
    second.close(), widget.close(), bench.close()


def test_agent_forced_offline_ends_the_chat_when_the_company_closes_them(live, make):
    """客服离线: with the "close" policy an agent taken offline ends their chats; the visitor is told."""
    from kefu.presence.actions import do_force_offline
    from kefu.settings.actions import check_save_company_settings
    from kefu.settings.queries import company_settings

    d = make.desk()
    bench, widget, conv_id = _served(live, d)
    data = {k: getattr(company_settings(d.company.id), k) for k in (
        "queue_max_length", "queue_max_wait_seconds", "queue_full_text", "queue_timeout_text",
        "status_approval", "presence_grace_seconds", "agents_see_ratings", "rating_on_close")}
    check_save_company_settings(None, d.company.id, {**data, "offline_chats": "close"})
    do_force_offline(None, d.agent)
    seen = _closed(widget, conv_id)
    assert seen["conversation"]["end_reason"] == "agent_offline"
    assert _texts(seen, "visitor")["zh"] == "客服离线，本次会话结束"
    widget.close(), bench.close()
