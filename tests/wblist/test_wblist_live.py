"""The workbench list over a live /agent socket: queue scoping, picking from the queue, history
paging and scope, unread counts from the read marks, and the status bar's numbers."""

from __future__ import annotations

from sqlalchemy import select

from kefu.conversations.actions import do_close
from kefu.conversations.models import Conversation
from kefu.extensions import db
from kefu.settings.actions import do_save
from kefu.visitors.models import Visitor
from kefu.wblist.queries import forget_shared

from ..conftest import login
from ..realtime.helpers import Recorder

PASSWORD = "agent-pass-123"


def _bench(live, user):
    return Recorder(live, "/agent", session=login(live, user.email, PASSWORD))


def _visit(live, make, channel, text="你好", name=None):
    """A visitor writes once; returns (socket, conversation id)."""
    visitor, token = make.visitor_token(channel)
    if name:
        visitor.name = name
        do_save(None, visitor, created=False)
    v = Recorder(live, "/visitor", auth={"token": token})
    conv_id = v.call("message", {"text": text})["message"]["conversation_id"]
    return v, conv_id


def _status(conv_id):
    db.session.rollback()
    return db.session.get(Conversation, conv_id, populate_existing=True).status


def test_queue_is_scoped_to_the_agents_groups_and_company(live, make):
    """An agent sees only their own groups' queue; the owner sees the company's; another company
    sees none of it; each row carries its place, wait, channel and group."""
    company = make.company()
    g1, g2 = make.group(company, "售前"), make.group(company, "售后")
    a1 = make.user(company, groups=[g1], status="online", max_concurrent=1)
    a2 = make.user(company, groups=[g2], status="online", max_concurrent=1)
    c1, c2 = make.channel(company, g1), make.channel(company, g2)
    other = make.desk(max_concurrent=1)
    sockets = []
    try:
        for ch in (c1, c2, c1, c2):  # the first of each group is served, the rest queue
            sockets.append(_visit(live, make, ch)[0])
        sockets.append(_visit(live, make, other.channel)[0])
        sockets.append(_visit(live, make, other.channel)[0])
        queued = [c.id for c in db.session.scalars(select(Conversation).where(
            Conversation.company_id == company.id, Conversation.status == "queued"))]
        assert len(queued) == 2
        b1, b2 = _bench(live, a1), _bench(live, a2)
        owner = Recorder(live, "/agent", session=login(live, f"owner@{company.slug}.test", "owner-pass-123"))
        stranger = _bench(live, other.agent)
        sockets += [b1, b2, owner, stranger]
        mine = b1.call("wblist.queue")["queue"]
        assert [(r["group"], r["position"], r["channel"]) for r in mine] == [("售前", 1, c1.name)]
        assert mine[0]["wait_seconds"] >= 0 and mine[0]["status"] == "queued"
        assert [r["group"] for r in b2.call("wblist.queue")["queue"]] == ["售后"]
        assert sorted(r["id"] for r in owner.call("wblist.queue")["queue"]) == sorted(queued)
        assert all(r["id"] not in queued for r in stranger.call("wblist.queue")["queue"])
        refused = stranger.call("wblist.pick", {"conversation_id": queued[0]})
        assert not refused["ok"] and refused["error"]["code"] == "not_found"
        counts = b1.call("wblist.counts")
        assert (counts["mine"], counts["capacity"], counts["queue"], counts["online"]) == (1, 1, 1, 0)
        assert owner.call("wblist.counts")["queue"] == 2
        assert owner.call("wblist.counts")["online"] == 2
    finally:
        for s in sockets:
            s.close()


def test_pick_from_queue_takes_a_seat_and_is_refused_when_full_offline_or_taken(live, make):
    """接入: a saturated or offline agent is refused with a clear message; with a free seat the
    chat becomes theirs (conversation.assigned as for routing) and a second pick says it is taken."""
    d = make.desk(max_concurrent=1)
    colleague = make.user(d.company, groups=[d.group], status="offline")
    socks = []
    try:
        socks.append(_visit(live, make, d.channel)[0])
        v2, waiting = _visit(live, make, d.channel, "排队中")
        socks.append(v2)
        assert _status(waiting) == "queued"
        bench, other = _bench(live, d.agent), _bench(live, colleague)
        socks += [bench, other]
        full = bench.call("wblist.pick", {"conversation_id": waiting})
        assert not full["ok"] and full["error"]["code"] == "pick_saturated"
        assert "接待量已满" in full["error"]["message"]
        offline = other.call("wblist.pick", {"conversation_id": waiting})
        assert not offline["ok"] and offline["error"]["code"] == "pick_offline"
        assert not bench.call("wblist.pick", {"conversation_id": "x"})["ok"]
        agent = db.session.get(type(d.agent), d.agent.id)
        agent.max_concurrent = 2  # the console raised the limit: no drain ran, the agent pulls
        do_save(None, agent, created=False)
        taken = bench.call("wblist.pick", {"conversation_id": waiting})
        assert taken["ok"] and taken["conversation"]["agent_id"] == d.agent.id
        assert bench.wait_for("conversation.assigned")["conversation"]["id"] == waiting
        assert v2.wait_for("conversation.assigned")["conversation"]["id"] == waiting
        again = other.call("wblist.pick", {"conversation_id": waiting})
        assert not again["ok"] and again["error"]["code"] in ("not_queued", "not_found")
        assert _status(waiting) == "active"
        assert bench.call("wblist.queue")["queue"] == []
    finally:
        for s in socks:
            s.close()


def test_unread_counts_come_from_the_read_mark(live, make):
    """Visitor messages after the agent's read mark count as unread; reading clears them; a
    stranger's ids are left out."""
    d = make.desk()
    other = make.desk()
    socks = []
    try:
        v, conv_id = _visit(live, make, d.channel, "一")
        socks.append(v)
        v.call("message", {"text": "二"})
        last = v.call("message", {"text": "三"})["message"]["id"]
        _w, foreign = _visit(live, make, other.channel)
        socks.append(_w)
        bench = _bench(live, d.agent)
        socks.append(bench)
        meta = bench.call("wblist.meta", {"conversation_ids": [conv_id, foreign]})["meta"]
        assert list(meta) == [str(conv_id)] and meta[str(conv_id)]["unread"] == 3
        assert bench.call("read", {"conversation_id": conv_id, "up_to_id": last})["ok"]
        assert bench.call("wblist.meta", {"conversation_ids": [conv_id]})["meta"][str(conv_id)]["unread"] == 0
        v.call("message", {"text": "四"})
        assert bench.call("wblist.meta", {"conversation_ids": [conv_id]})["meta"][str(conv_id)]["unread"] == 1
        bad = bench.call("wblist.meta", {"conversation_ids": "1,2"})
        assert not bad["ok"] and bad["error"]["code"] == "invalid_input"
    finally:
        for s in socks:
            s.close()


def test_history_is_paged_searchable_and_only_ones_own_unless_manager(live, make):
    """History lists the agent's ended chats newest first in pages of 20, searchable by visitor
    name; a colleague's are neither listed nor readable, a manager of the group sees both."""
    d = make.desk(max_concurrent=30)
    colleague = make.user(d.company, groups=[d.group], status="offline", max_concurrent=30)
    manager = make.user(d.company, role="manager", groups=[d.group])
    socks = []
    try:
        ids = []
        for n in range(22):
            v, conv_id = _visit(live, make, d.channel, f"m{n}", name=f"客户{n:02d}")
            socks.append(v)
            ids.append(conv_id)
        for conv_id in ids:
            do_close(db.session.get(Conversation, conv_id), "agent_removed")
        db.session.get(type(d.agent), d.agent.id).status = "offline"
        db.session.commit()
        from kefu.org.actions import do_set_status

        do_set_status(db.session.get(type(colleague), colleague.id), "online")
        v, theirs = _visit(live, make, d.channel, "同事的", name="别人的客户")
        socks.append(v)
        db.session.rollback()
        do_close(db.session.get(Conversation, theirs), "agent_removed")
        bench, peer, boss = _bench(live, d.agent), _bench(live, colleague), _bench(live, manager)
        socks += [bench, peer, boss]
        first = bench.call("wblist.history", {})
        assert first["has_more"] and len(first["conversations"]) == 20
        assert first["conversations"][0]["id"] == ids[-1]
        second = bench.call("wblist.history", {"page": 2})
        assert not second["has_more"] and [c["id"] for c in second["conversations"]] == ids[1::-1]
        assert theirs not in [c["id"] for c in first["conversations"] + second["conversations"]]
        found = bench.call("wblist.history", {"q": "客户07"})["conversations"]
        assert [c["visitor"]["name"] for c in found] == ["客户07"]
        assert bench.call("wblist.history", {"q": "%"})["conversations"] == []
        chat = bench.call("wblist.history_chat", {"conversation_id": ids[0]})
        assert [m["text"] for m in chat["messages"]] == ["m0"]
        hidden = bench.call("wblist.history_chat", {"conversation_id": theirs})
        assert not hidden["ok"] and hidden["error"]["code"] == "not_found"
        assert [c["id"] for c in peer.call("wblist.history", {})["conversations"]] == [theirs]
        assert boss.call("wblist.history", {"q": "别人"})["conversations"][0]["id"] == theirs
        assert boss.call("wblist.history_chat", {"conversation_id": ids[3]})["ok"]
        assert not bench.call("wblist.history", {"page": 0})["ok"]
        names = {v.name for v in db.session.scalars(select(Visitor))}
        assert "客户07" in names
    finally:
        for s in socks:
            s.close()


def test_status_counts_follow_queue_and_colleagues_with_few_queries(live, make):
    """The numbers move when a visitor queues and a colleague goes online; the group-wide part is
    shared between agents for a moment, so many agents asking cost no query storm."""
    from kefu.org.actions import do_set_status

    d = make.desk(max_concurrent=1)
    colleague = make.user(d.company, groups=[d.group], status="offline")
    socks = []
    try:
        bench = _bench(live, d.agent)
        socks.append(bench)
        assert (bench.call("wblist.counts")["queue"], bench.call("wblist.counts")["online"]) == (0, 0)
        socks.append(_visit(live, make, d.channel)[0])
        socks.append(_visit(live, make, d.channel)[0])
        forget_shared()
        counts = bench.call("wblist.counts")
        assert (counts["mine"], counts["queue"], counts["online"]) == (1, 1, 0)
        do_set_status(db.session.get(type(colleague), colleague.id), "online")  # takes the queued chat
        forget_shared()
        counts = bench.call("wblist.counts")
        assert (counts["queue"], counts["online"]) == (0, 1)
    finally:
        for s in socks:
            s.close()
