"""A visitor and an agent chat over real Socket.IO connections to a live server."""

from __future__ import annotations

from ..conftest import login
from .helpers import Recorder, refusal


def test_visitor_and_agent_exchange_messages_live(live, make, run_jobs):
    """A visitor's first message reaches the online agent, the reply reaches the visitor, close ends it."""
    d = make.desk()
    agent, token = d.agent, d.token
    bench = Recorder(live, "/agent", session=login(live, agent.email, "agent-pass-123"))
    widget = Recorder(live, "/visitor", auth={"token": token})
    ack = widget.call("message", {"text": "你好，我想咨询", "client_id": "c-1"})
    assert ack["ok"] and ack["message"]["text"] == "你好，我想咨询"
    assigned = bench.wait_for("conversation.assigned")
    conv_id = assigned["conversation"]["id"]
    assert [m["text"] for m in assigned["messages"]] == ["你好，我想咨询"]
    seen = widget.wait_for("conversation.assigned")
    assert seen["agent"]["name"] == agent.shown_name
    reply = bench.call("message", {"conversation_id": conv_id, "text": "您好！", "client_id": "a-1"})
    assert reply["ok"]
    got = widget.wait_for("message.created", where=lambda e: e["message"]["sender"] == "agent")
    assert got["message"]["text"] == "您好！"
    widget.call("message", {"text": "谢谢", "client_id": "c-2"})
    got = bench.wait_for("message.created", where=lambda e: e["message"]["text"] == "谢谢")
    assert got["message"]["conversation_id"] == conv_id
    closed = bench.call("close", {"conversation_id": conv_id})
    assert closed["ok"] and closed["conversation"]["status"] == "closed"
    assert widget.wait_for("conversation.closed")["conversation"]["end_reason"] == "agent_removed"
    widget.close()
    bench.close()


def test_invalid_token_is_refused_with_reason(live, make):
    """A socket with a forged token is refused and told why."""
    reason = refusal(live, "/visitor", auth={"token": "forged"})
    assert "invalid_token" in str(reason)


def test_agent_socket_requires_login(live, make):
    """The /agent namespace refuses an anonymous socket."""
    assert "unauthorized" in str(refusal(live, "/agent"))
