"""Taking chats from the queue by hand is race-safe: two agents picking the same chat, or one agent
picking two chats with one free seat, never over-assign."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from kefu.conversations.models import Conversation
from kefu.extensions import db
from kefu.org.models import User
from kefu.settings.actions import do_save

from ..conftest import login
from ..realtime.helpers import Recorder

PASSWORD = "agent-pass-123"


def _at_once(calls):
    """Run the calls from threads released together; return their answers in order."""
    answers = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i, call):
        start.wait()
        answers[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return answers


def _raise_limit(user_id, limit):
    """The console raises an agent's 接待上限 (no queue drain runs on that)."""
    user = db.session.get(User, user_id)
    user.max_concurrent = limit
    do_save(None, user, created=False)


def _visit(live, make, channel, socks):
    _visitor, token = make.visitor_token(channel)
    v = Recorder(live, "/visitor", auth={"token": token})
    socks.append(v)
    return v.call("message", {"text": "在吗"})["message"]["conversation_id"]


def test_two_agents_picking_one_chat_one_wins(live, make):
    """Both click 接入 on the same waiting chat: one gets it, the other is told it is taken."""
    d = make.desk(max_concurrent=1)
    other = make.user(d.company, groups=[d.group], status="online", max_concurrent=1)
    socks = []
    try:
        _visit(live, make, d.channel, socks)
        _visit(live, make, d.channel, socks)
        waiting = _visit(live, make, d.channel, socks)
        db.session.rollback()
        assert db.session.get(Conversation, waiting).status == "queued"
        _raise_limit(d.agent.id, 2)
        _raise_limit(other.id, 2)
        a = Recorder(live, "/agent", session=login(live, d.agent.email, PASSWORD))
        b = Recorder(live, "/agent", session=login(live, other.email, PASSWORD))
        socks += [a, b]
        answers = _at_once([lambda: a.call("wblist.pick", {"conversation_id": waiting}),
                            lambda: b.call("wblist.pick", {"conversation_id": waiting})])
        assert sorted(x["ok"] for x in answers) == [False, True]
        loser = next(x for x in answers if not x["ok"])
        assert loser["error"]["code"] in ("not_queued", "not_found")
        db.session.rollback()
        conv = db.session.get(Conversation, waiting)
        winner = next(x for x in answers if x["ok"])["conversation"]["agent_id"]
        assert conv.status == "active" and conv.agent_id == winner
    finally:
        for s in socks:
            s.close()


def test_one_free_seat_takes_one_of_two_picks(live, make):
    """An agent with one free seat picks two waiting chats at once (two tabs): one is taken, the
    other refused as over the limit, and the agent never holds more chats than allowed."""
    d = make.desk(max_concurrent=1)
    socks = []
    try:
        _visit(live, make, d.channel, socks)
        first = _visit(live, make, d.channel, socks)
        second = _visit(live, make, d.channel, socks)
        _raise_limit(d.agent.id, 2)
        tab1 = Recorder(live, "/agent", session=login(live, d.agent.email, PASSWORD))
        tab2 = Recorder(live, "/agent", session=login(live, d.agent.email, PASSWORD))
        socks += [tab1, tab2]
        answers = _at_once([lambda: tab1.call("wblist.pick", {"conversation_id": first}),
                            lambda: tab2.call("wblist.pick", {"conversation_id": second})])
        assert sorted(x["ok"] for x in answers) == [False, True]
        refused = next(x for x in answers if not x["ok"])["error"]["code"]
        assert refused in ("pick_saturated", "pick_busy")
        db.session.rollback()
        held = db.session.scalar(select(func.count(Conversation.id)).where(
            Conversation.agent_id == d.agent.id, Conversation.status == "active"))
        assert held == 2
    finally:
        for s in socks:
            s.close()
