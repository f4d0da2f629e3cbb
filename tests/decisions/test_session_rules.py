"""Session rules (会话中): deadlines set on every message, fired once by the sweep, kept across restarts."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select, update

from kefu.conversations import store
from kefu.conversations.actions import check_visitor_message, do_agent_message, do_close
from kefu.conversations.models import Conversation, ConversationEvent, ConversationSegment, Message
from kefu.dblock import serialized
from kefu.decisions.actions import do_publish
from kefu.decisions.deadlines import sweep_due
from kefu.decisions.models import ConversationDeadline
from kefu.decisions.session import after_message, clear_deadlines, refresh_after_assign
from kefu.extensions import db
from kefu.timeutil import utcnow
from kefu.visitors.token import verify

from ..conftest import free_port, login
from ..realtime.helpers import Recorder


def _apply(conv_id: int, sender: str) -> None:
    """Run the session hook the message path runs (harmless if the path already ran it)."""
    with serialized():
        row = store.lock_conversation(conv_id)
        assert row is not None
        after_message(row, sender, utcnow())
        db.session.commit()


def _visitor_says(d: Any, text: str = "在吗") -> int:
    msg, _ = check_visitor_message(verify(d.token), {"text": text})
    _apply(msg.conversation_id, "visitor")
    return msg.conversation_id


def _agent_says(d: Any, conv_id: int, text: str = "您好") -> None:
    do_agent_message(d.agent, conv_id, text, None)
    _apply(conv_id, "agent")


def _deadlines(conv_id: int) -> dict[str, ConversationDeadline]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(ConversationDeadline).where(ConversationDeadline.conversation_id == conv_id)
    ).all()
    return {r.kind: r for r in rows}


def _make_due(conv_id: int, kind: str | None = None) -> None:
    stmt = update(ConversationDeadline).where(ConversationDeadline.conversation_id == conv_id)
    if kind:
        stmt = stmt.where(ConversationDeadline.kind == kind)
    db.session.execute(stmt.values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def _events(conv_id: int, kind: str) -> list[ConversationEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(ConversationEvent).where(
        ConversationEvent.conversation_id == conv_id, ConversationEvent.kind == kind)))


def _publish_session(company_id: int, then: list[dict[str, Any]]) -> int:
    version = do_publish(company_id, "session", {"rules": [
        {"id": "custom", "name": "custom", "when": {"all": [
            {"field": "last_speaker", "op": "eq", "value": "visitor"}]}, "then": then}]})
    return version.version


def test_deadlines_are_replaced_on_each_message(make):
    """A visitor message sets the shipped first-response alert; the agent's reply replaces it."""
    d = make.desk()
    conv_id = _visitor_says(d)
    got = _deadlines(conv_id)
    assert set(got) == {"agent_alert"}
    assert got["agent_alert"].rule_id == "first_response"
    assert got["agent_alert"].params == {"level": "warning"}
    assert got["agent_alert"].version is not None
    _agent_says(d, conv_id)
    got = _deadlines(conv_id)
    assert set(got) == {"remind_visitor", "auto_close"}
    assert got["auto_close"].due_at - got["remind_visitor"].due_at == timedelta(seconds=420)
    _visitor_says(d, "还有一个问题")
    assert set(_deadlines(conv_id)) == {"agent_alert"}
    assert _deadlines(conv_id)["agent_alert"].rule_id == "visitor_waiting"


def test_queued_conversation_gets_no_deadlines(make):
    """A queued conversation (nobody to alert) is skipped cheaply."""
    d = make.desk(status="offline")
    conv_id = _visitor_says(d)
    assert db.session.get(Conversation, conv_id).status == "queued"
    assert _deadlines(conv_id) == {}


def test_refresh_after_assign_and_clear(make):
    """Assignment sets the first-response deadline; clearing drops every deadline."""
    d = make.desk()
    msg, _ = check_visitor_message(verify(d.token), {"text": "hi"})
    conv = db.session.get(Conversation, msg.conversation_id)
    refresh_after_assign(conv, utcnow())
    db.session.commit()
    assert set(_deadlines(conv.id)) == {"agent_alert"}
    clear_deadlines(conv.id)
    db.session.commit()
    assert _deadlines(conv.id) == {}


def test_remind_fires_a_system_message_once(make):
    """A due reminder becomes a system message, goes on the timeline, and fires only once."""
    d = make.desk()
    conv_id = _visitor_says(d)
    _agent_says(d, conv_id)
    _make_due(conv_id, "remind_visitor")
    assert sweep_due() == 1
    assert sweep_due() == 0
    texts = db.session.scalars(select(Message.body).where(
        Message.conversation_id == conv_id, Message.sender_kind == "system")).all()
    assert texts == ["您好，请问还在吗？如果还有问题，请随时告诉我们。"]
    (event,) = _events(conv_id, "reminded")
    assert event.data["rule_id"] == "visitor_silent" and event.data["version"] >= 1
    assert set(_deadlines(conv_id)) == {"auto_close"}


def test_auto_close_ends_as_visitor_timeout(make):
    """A due auto-close writes its text and closes the chat as 客户会话超时."""
    d = make.desk()
    conv_id = _visitor_says(d)
    _agent_says(d, conv_id)
    _make_due(conv_id)
    assert sweep_due() == 2
    db.session.expire_all()
    conv = db.session.get(Conversation, conv_id)
    assert conv.status == "closed" and conv.end_reason == "visitor_timeout"
    bodies = db.session.scalars(select(Message.body).where(
        Message.conversation_id == conv_id, Message.sender_kind == "system")).all()
    assert any("长时间未回复" in b for b in bodies)
    assert _events(conv_id, "timed_out")[0].data["rule_id"] == "visitor_silent"
    assert _deadlines(conv_id) == {}


def test_alert_reaches_the_agent(live, make):
    """A due alert is recorded and pushed to the agent's workbench as conversation.alert."""
    d = make.desk()
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    conv_id = _visitor_says(d)
    _make_due(conv_id)
    assert sweep_due() == 1
    alert = bench.wait_for("conversation.alert")
    assert alert == {"type": "conversation.alert", "conversation_id": conv_id, "level": "warning",
                     "agent_id": d.agent.id, "rule_id": "first_response"}
    (event,) = _events(conv_id, "alert")
    assert event.data["level"] == "warning" and event.data["rule_id"] == "first_response"
    bench.close()


def test_invite_rating_reaches_the_visitor(live, make):
    """A due rating invitation is pushed to the visitor as rating.invite."""
    d = make.desk()
    _publish_session(d.company.id, [{"action": "invite_rating", "params": {"after": 30}}])
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = _visitor_says(d)
    assert set(_deadlines(conv_id)) == {"invite_rating"}
    _make_due(conv_id)
    assert sweep_due() == 1
    assert widget.wait_for("rating.invite")["conversation_id"] == conv_id
    assert len(_events(conv_id, "rating_invited")) == 1
    widget.close()


def test_a_rated_chat_gets_no_second_invitation_from_the_rule(live, make):
    """A visitor who already rated is not invited again by the session rule (no repeats allowed)."""
    from kefu.ratings.actions import check_submit as rate

    d = make.desk()
    _publish_session(d.company.id, [{"action": "invite_rating", "params": {"after": 30}}])
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = _visitor_says(d)
    assert rate(verify(d.token), {"conversation_id": conv_id, "score": 5})
    _make_due(conv_id, "invite_rating")
    assert sweep_due() == 1
    time.sleep(1)
    assert "rating.invite" not in [name for name, _ in widget.drain()]
    assert _events(conv_id, "rating_invited") == []
    widget.close()


def test_auto_transfer_requeues_to_the_group_and_assigns(make):
    """A due auto-transfer ends the agent's segment as transferred and assigns the new group."""
    d = make.desk()
    other = make.group(d.company, "售后")
    second = make.user(d.company, groups=[other], status="online")
    version = _publish_session(d.company.id, [
        {"action": "auto_transfer", "params": {"after": 60, "group": other.id}}])
    conv_id = _visitor_says(d)
    assert db.session.get(Conversation, conv_id).agent_id == d.agent.id
    _make_due(conv_id)
    assert sweep_due() == 1
    db.session.expire_all()
    conv = db.session.get(Conversation, conv_id)
    assert (conv.status, conv.agent_id, conv.skill_group_id) == ("active", second.id, other.id)
    segments = db.session.scalars(select(ConversationSegment).where(
        ConversationSegment.conversation_id == conv_id).order_by(ConversationSegment.id)).all()
    assert [(s.agent_id, s.end_kind, s.ended_at is None) for s in segments] == [
        (d.agent.id, "transferred", False), (second.id, None, True)]
    (moved,) = _events(conv_id, "transferred")
    assert moved.data["to_group_id"] == other.id and moved.data["by"] == "rule"
    assert _events(conv_id, "auto_transfer")[0].data["version"] == version


def test_closed_conversation_deadlines_do_not_fire(make):
    """Deadlines of a conversation that closed are dropped without firing."""
    d = make.desk()
    conv_id = _visitor_says(d)
    _agent_says(d, conv_id)
    do_close(db.session.get(Conversation, conv_id), "agent_removed")
    db.session.execute(update(ConversationDeadline).values(conversation_id=conv_id))  # as if left
    db.session.commit()
    with serialized():  # a stale row, whether or not close cleared its own
        db.session.add(ConversationDeadline(company_id=d.company.id, conversation_id=conv_id,
                                            kind="remind_visitor", due_at=utcnow(),
                                            params={"text": "x"}))
        db.session.commit()
    _make_due(conv_id)
    assert sweep_due() == 0
    assert _deadlines(conv_id) == {}
    assert db.session.scalars(select(Message.id).where(
        Message.conversation_id == conv_id, Message.sender_kind == "system")).all() == []


def test_racing_sweeps_fire_each_deadline_once(app, make):
    """Two sweeps running at the same time fire every due deadline exactly once."""
    d = make.desk(max_concurrent=30)
    conv_ids = []
    for _ in range(12):
        visitor, token = make.visitor_token(d.channel)
        msg, _ = check_visitor_message(verify(token), {"text": "hi"})
        _apply(msg.conversation_id, "visitor")
        conv_ids.append(msg.conversation_id)
    db.session.execute(update(ConversationDeadline).values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    fired: list[int] = []
    start = threading.Barrier(2)

    def sweep() -> None:
        with app.app_context():
            start.wait()
            fired.append(sweep_due())
            db.session.remove()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    leftovers = sweep_due()  # a sweep skips chats another holds; the next tick gets them
    assert sum(fired) + leftovers == 12
    db.session.expire_all()
    alerts = db.session.scalars(select(ConversationEvent.conversation_id).where(
        ConversationEvent.kind == "alert")).all()
    assert sorted(alerts) == sorted(conv_ids)


@pytest.fixture()
def restarted(app, ctx):
    """Start a fresh kefu process on the same database: `kefu serve` (embedded) or `kefu worker`."""
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        env = dict(os.environ)
        env.update({"KEFU_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                    "KEFU_SECRET_KEY": app.config["SECRET_KEY"], "KEFU_SECURE_COOKIES": "0",
                    "KEFU_INSTANCE_PATH": app.instance_path})
        if app.config["KEFU_REDIS_URL"]:
            env.update({"KEFU_REDIS_URL": app.config["KEFU_REDIS_URL"],
                        "KEFU_SOCKETIO_CHANNEL": app.config["KEFU_SOCKETIO_CHANNEL"]})
            procs.append(subprocess.Popen([sys.executable, "-m", "kefu.cli", "worker"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            return
        env["KEFU_REDIS_URL"] = ""
        port = free_port()
        procs.append(subprocess.Popen([sys.executable, "-m", "kefu.cli", "serve", "--port",
                                       str(port)], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 30
        while True:  # any request starts the embedded ticker
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "kefu serve did not start"
            time.sleep(0.2)

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


def test_overdue_deadline_fires_after_a_restart(make, restarted):
    """A deadline stored before a restart fires from the new process's ticker."""
    d = make.desk()
    conv_id = _visitor_says(d)
    _agent_says(d, conv_id)
    _make_due(conv_id, "remind_visitor")
    restarted()
    deadline = time.monotonic() + 20
    while "remind_visitor" in _deadlines(conv_id):
        assert time.monotonic() < deadline, "the new process did not fire the overdue deadline"
        time.sleep(0.2)
    db.session.expire_all()
    assert db.session.scalars(select(Message.body).where(
        Message.conversation_id == conv_id, Message.sender_kind == "system")).all()
    assert len(_events(conv_id, "reminded")) == 1
