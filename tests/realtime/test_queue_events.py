"""Queued visitors are told their place, and told again as the queue moves."""

from __future__ import annotations

from kefu.org.actions import do_set_status

from ..conftest import login
from .helpers import Recorder


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
