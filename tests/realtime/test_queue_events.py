"""Queued visitors are told their place, and told again as the queue moves."""

from __future__ import annotations

from kefu.org.actions import do_set_status

from ..conftest import login
from .helpers import Recorder, vip_arrives, vip_first


def test_queue_positions_are_pushed_as_the_queue_moves(live, make):
    """Two queued visitors see positions 1 and 2; when the first is served the second sees 1."""
    d = make.desk(status="offline", max_concurrent=1)
    _v2, token2 = make.visitor_token(d.channel)
    first = Recorder(live, "/visitor", auth={"token": d.token})
    second = Recorder(live, "/visitor", auth={"token": token2})
    first.call("message", {"text": "一号"})
    assert first.wait_for("conversation.queued")["queue_position"] == 1
    second.call("message", {"text": "二号"})
    assert second.wait_for("conversation.queued")["queue_position"] == 2
    do_set_status(d.agent, "online")
    assert first.wait_for("conversation.assigned")["agent"]["name"] == d.agent.shown_name
    moved = second.wait_for("conversation.queued", where=lambda e: e["queue_position"] == 1)
    assert moved["conversation"]["status"] == "queued"
    first.close()
    second.close()


def test_agent_sync_reports_chats_that_ended_while_away(live, make):
    """A workbench that reconnects learns that a chat it still shows has ended meanwhile."""
    from kefu.conversations.actions import check_visitor_message, do_close
    from kefu.conversations.models import Conversation
    from kefu.extensions import db
    from kefu.visitors.token import verify

    d = make.desk()
    msg, _ = check_visitor_message(verify(d.token), {"text": "hi"})
    do_close(db.session.get(Conversation, msg.conversation_id), "visitor_timeout")
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    state = bench.call("sync", {"after_id": 0, "conversation_ids": [msg.conversation_id]})
    assert [(c["id"], c["status"], c["end_reason"]) for c in state["conversations"]] == [
        (msg.conversation_id, "closed", "visitor_timeout")]
    other = make.desk()
    foreign, _ = check_visitor_message(verify(other.token), {"text": "not yours"})
    state = bench.call("sync", {"conversation_ids": [foreign.conversation_id]})
    assert state["conversations"] == []
    bad = bench.call("sync", {"conversation_ids": ["x"]})
    assert bad["ok"] is False and "conversation_ids" in bad["error"]["fields"]
    bench.close()



def test_a_churning_queue_tells_each_visitor_at_most_once_a_second_and_the_final_place(live, make):
    """Twenty queue changes in a row reach a waiting visitor as one telling at once; a VIP who
    then goes ahead within the second is told once, a second later, as place 2; then silence."""
    import time

    from kefu.conversations.actions import publish_queue_positions
    from kefu.extensions import db
    from kefu.queueing.positions import WINDOW

    d = make.desk(status="offline")
    vip_first(d.company.id)
    waiting = Recorder(live, "/visitor", auth={"token": d.token})
    waiting.call("message", {"text": "等待中"})
    assert waiting.wait_for("conversation.queued")["queue_position"] == 1
    time.sleep(WINDOW)  # a quiet spell: the next change is told at once
    for _ in range(20):
        publish_queue_positions(d.company.id, d.group.id)
        db.session.commit()
    assert waiting.wait_for("conversation.queued", timeout=WINDOW / 2)["queue_position"] == 1
    vip = vip_arrives(live, make, d.channel)
    time.sleep(WINDOW * 1.5)
    told = [e[1]["queue_position"] for e in waiting.drain() if e[0] == "conversation.queued"]
    assert told == [2]
    time.sleep(WINDOW)
    assert not waiting.drain(), "nothing more once the queue stopped moving"
    for r in (waiting, vip):
        r.close()
