"""Typing, read receipts, recall, quotes and sensitive words over real Socket.IO connections."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from kefu.chatpane.models import SensitiveWord
from kefu.conversations.models import Message
from kefu.extensions import db

from ..conftest import login
from ..realtime.helpers import Recorder


def _chat(live: str, make: Any) -> SimpleNamespace:
    """Open a served chat: the visitor said hello and the agent has it."""
    d = make.desk()
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    first = widget.call("message", {"text": "你好", "client_id": "v-1"})
    assert first["ok"], first
    conv_id = bench.wait_for("conversation.assigned")["conversation"]["id"]
    return SimpleNamespace(d=d, bench=bench, widget=widget, conv_id=conv_id, first=first["message"])


def _close(chat: SimpleNamespace) -> None:
    chat.widget.close()
    chat.bench.close()


def test_typing_reaches_the_other_side_both_ways_and_is_throttled(live, make):
    """The visitor sees "agent is typing", the agent sees "visitor is typing"; repeats are throttled."""
    c = _chat(live, make)
    ack = c.bench.call("typing", {"conversation_id": c.conv_id, "typing": True})
    assert ack["ok"] and not ack["throttled"]
    got = c.widget.wait_for("typing")
    assert got == {"type": "typing", "conversation_id": c.conv_id, "sender": "agent", "typing": True}
    assert c.bench.call("typing", {"conversation_id": c.conv_id, "typing": True})["throttled"]
    assert not c.bench.call("typing", {"conversation_id": c.conv_id, "typing": False})["throttled"]
    assert c.widget.wait_for("typing")["typing"] is False
    assert not c.widget.call("typing", {"typing": True})["throttled"]
    got = c.bench.wait_for("typing")
    assert got["sender"] == "visitor" and got["conversation_id"] == c.conv_id and got["typing"]
    bad = c.bench.call("typing", {"conversation_id": "x"})
    assert not bad["ok"] and bad["error"]["code"] == "invalid_input"
    _close(c)


def test_typing_in_a_stranger_chat_is_refused(live, make):
    """An agent cannot signal typing into a chat that is not theirs."""
    c = _chat(live, make)
    other = make.desk()
    stranger = Recorder(live, "/agent", session=login(live, other.agent.email, "agent-pass-123"))
    ack = stranger.call("typing", {"conversation_id": c.conv_id, "typing": True})
    assert not ack["ok"] and ack["error"]["code"] == "not_found"
    stranger.close()
    _close(c)


def test_read_receipts_are_a_high_water_mark_shown_to_the_sender(live, make):
    """The agent reading the visitor's message tells the widget; marks never go back; state returns them."""
    c = _chat(live, make)
    reply = c.bench.call("message", {"conversation_id": c.conv_id, "text": "您好", "client_id": "a-1"})
    ack = c.bench.call("read", {"conversation_id": c.conv_id, "up_to_id": c.first["id"]})
    assert ack["ok"] and ack["changed"] and ack["agent_read_id"] == c.first["id"]
    got = c.widget.wait_for("message.read")
    assert got["reader"] == "agent" and got["agent_read_id"] == c.first["id"]
    again = c.bench.call("read", {"conversation_id": c.conv_id, "up_to_id": 1})
    assert again["ok"] and not again["changed"] and again["agent_read_id"] == c.first["id"]
    # A visitor cannot claim to have read past the last message.
    ack = c.widget.call("read", {"conversation_id": c.conv_id, "up_to_id": 10**9})
    assert ack["ok"] and ack["visitor_read_id"] == reply["message"]["id"]
    got = c.bench.wait_for("message.read")
    assert got["reader"] == "visitor" and got["visitor_read_id"] == reply["message"]["id"]
    state = c.widget.call("chat.state", {})
    assert state["recall_seconds"] == 120
    assert state["marks"][str(c.conv_id)]["agent_read_id"] == c.first["id"]
    state = c.bench.call("chat.state", {"conversation_ids": [c.conv_id]})
    assert state["marks"][str(c.conv_id)]["visitor_read_id"] == reply["message"]["id"]
    _close(c)


def test_reading_another_visitors_chat_is_refused(live, make):
    """A visitor cannot move the read mark of someone else's conversation."""
    c = _chat(live, make)
    _, token = make.visitor_token(c.d.channel)
    other = Recorder(live, "/visitor", auth={"token": token})
    ack = other.call("read", {"conversation_id": c.conv_id, "up_to_id": 1})
    assert not ack["ok"] and ack["error"]["code"] == "not_found"
    other.close()
    _close(c)


def test_recall_by_either_sender_erases_the_text_on_both_sides(live, make):
    """A recalled message shows as recalled on both sides and its text is no longer served."""
    c = _chat(live, make)
    ack = c.widget.call("message.recall", {"message_id": c.first["id"]})
    assert ack["ok"] and ack["message"]["text"] == "" and ack["message"]["payload"]["recalled"]
    got = c.bench.wait_for("message.recalled")
    assert got["message"]["id"] == c.first["id"] and got["message"]["text"] == ""
    assert c.widget.call("message.recall", {"message_id": c.first["id"]})["ok"]  # a replay is fine
    reply = c.bench.call("message", {"conversation_id": c.conv_id, "text": "发错了", "client_id": "a-1"})
    ack = c.bench.call("message.recall", {"message_id": reply["message"]["id"]})
    assert ack["ok"]
    assert c.widget.wait_for("message.recalled")["message"]["id"] == reply["message"]["id"]
    synced = c.widget.call("sync", {"after_id": 0})
    recalled = (c.first["id"], reply["message"]["id"])
    assert all(m["text"] == "" for m in synced["messages"] if m["id"] in recalled)
    assert "发错了" not in str(synced) and "你好" not in str(synced)
    _close(c)


def test_recall_of_someone_elses_message_is_refused(live, make):
    """Neither side can recall the other's message; the reason is clear in zh and en."""
    c = _chat(live, make)
    ack = c.bench.call("message.recall", {"message_id": c.first["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "recall_not_own"
    assert "自己" in ack["error"]["message_zh"] and "own" in ack["error"]["message_en"]
    reply = c.bench.call("message", {"conversation_id": c.conv_id, "text": "您好", "client_id": "a-1"})
    ack = c.widget.call("message.recall", {"message_id": reply["message"]["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "recall_not_own"
    _close(c)


def test_recall_after_the_window_is_refused(live, make):
    """A message older than the company's recall window (2 minutes by default) stays."""
    c = _chat(live, make)
    msg = db.session.get(Message, c.first["id"])
    msg.created_at = msg.created_at - timedelta(seconds=121)
    db.session.commit()
    ack = c.widget.call("message.recall", {"message_id": c.first["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "recall_expired"
    assert "120" in ack["error"]["message_zh"]
    _close(c)


def test_recall_can_be_turned_off(live, make):
    """With the recall window set to 0 in 客服工作台设置, nothing can be recalled."""
    from kefu.settings.actions import check_save_company_settings

    c = _chat(live, make)
    check_save_company_settings(None, c.d.company.id, {
        "recall_seconds": 0, "file_max_mb": 10, "file_types": "image/png"}, "workbench")
    ack = c.widget.call("message.recall", {"message_id": c.first["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "recall_disabled"
    _close(c)


def test_quote_is_carried_and_scrubbed_when_the_quoted_message_is_recalled(live, make):
    """A reply quoting a message shows the quote on both sides; recalling the original erases it."""
    c = _chat(live, make)
    reply = c.bench.call("message", {"conversation_id": c.conv_id, "text": "请问订单号？",
                                     "client_id": "a-1", "reply_to": c.first["id"]})
    assert reply["ok"], reply
    quote = reply["message"]["payload"]["quote"]
    assert quote == {"id": c.first["id"], "sender": "visitor", "text": "你好"}
    got = c.widget.wait_for("message.created", where=lambda e: e["message"]["sender"] == "agent")
    assert got["message"]["payload"]["quote"]["text"] == "你好"
    mine = c.widget.call("message", {"text": "12345", "client_id": "v-2", "reply_to": reply["message"]["id"]})
    assert mine["message"]["payload"]["quote"]["sender"] == "agent"
    c.widget.call("message.recall", {"message_id": c.first["id"]})
    synced = c.bench.call("sync", {"after_id": 0})
    quoted = [m for m in synced["messages"] if m["id"] == reply["message"]["id"]][0]
    assert quoted["payload"]["quote"] == {"id": c.first["id"], "sender": "visitor", "text": "",
                                          "recalled": True}
    ack = c.bench.call("message", {"conversation_id": c.conv_id, "text": "x", "reply_to": c.first["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "quote_unavailable"
    _close(c)


def test_quoting_another_visitors_message_is_refused(live, make):
    """A quote must come from the same visitor's chats; another's message id is refused."""
    c = _chat(live, make)
    other = _chat(live, make)
    ack = c.widget.call("message", {"text": "hi", "reply_to": other.first["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "quote_unavailable"
    ack = c.bench.call("message", {"conversation_id": c.conv_id, "text": "x",
                                   "reply_to": other.first["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "quote_unavailable"
    _close(c)
    _close(other)


def test_agent_sensitive_word_is_refused_naming_the_word(live, make):
    """An agent message containing a listed word is refused, naming it in zh and en; nothing is sent."""
    c = _chat(live, make)
    db.session.add(SensitiveWord(company_id=c.d.company.id, scope="agent", word="退款保证"))
    db.session.add(SensitiveWord(company_id=c.d.company.id, scope="visitor", word="投诉"))
    db.session.commit()
    ack = c.bench.call("message", {"conversation_id": c.conv_id, "text": "我们100%退款保证！"})
    assert not ack["ok"] and ack["error"]["code"] == "sensitive_word"
    assert "退款保证" in ack["error"]["message_zh"] and "退款保证" in ack["error"]["message_en"]
    assert c.bench.call("message", {"conversation_id": c.conv_id, "text": "投诉请讲"})["ok"]
    assert "退款保证" not in str(c.widget.drain())
    _close(c)


def test_visitor_sensitive_word_is_stored_and_flagged_not_blocked(live, make):
    """A visitor message with a listed word reaches the agent, flagged for monitoring."""
    c = _chat(live, make)
    db.session.add(SensitiveWord(company_id=c.d.company.id, scope="visitor", word="Complaint"))
    db.session.commit()
    ack = c.widget.call("message", {"text": "I will file a COMPLAINT", "client_id": "v-2"})
    assert ack["ok"] and ack["message"]["payload"]["sensitive"] == ["Complaint"]
    got = c.bench.wait_for("message.created", where=lambda e: e["message"]["client_id"] == "v-2")
    assert got["message"]["payload"]["sensitive"] == ["Complaint"]
    _close(c)
