"""A client that reconnects gets what it missed: nothing lost, nothing twice."""

from __future__ import annotations

import threading

from ..conftest import login
from .helpers import Recorder


def test_visitor_reconnect_sync_returns_missed_messages_once(live, make):
    """Messages sent while the visitor was away come back once through sync(after_id)."""
    d = make.desk()
    agent, token = d.agent, d.token
    bench = Recorder(live, "/agent", session=login(live, agent.email, "agent-pass-123"))
    widget = Recorder(live, "/visitor", auth={"token": token})
    first = widget.call("message", {"text": "在吗", "client_id": "v-1"})["message"]
    conv_id = bench.wait_for("conversation.assigned")["conversation"]["id"]
    widget.close()
    for i in range(2):
        assert bench.call("message", {"conversation_id": conv_id, "text": f"回复{i}",
                                      "client_id": f"a-{i}"})["ok"]
    back = Recorder(live, "/visitor", auth={"token": token})
    synced = back.call("sync", {"after_id": first["id"]})
    assert [m["text"] for m in synced["messages"]] == ["回复0", "回复1"]
    assert synced["conversation"]["status"] == "active"
    # The visitor resends a message whose ack it never saw: stored and delivered once.
    again = back.call("message", {"text": "在吗", "client_id": "v-1"})
    assert again["duplicate"] is True and again["message"]["id"] == first["id"]
    full = back.call("sync", {"after_id": 0})
    assert [m["text"] for m in full["messages"]] == ["在吗", "回复0", "回复1"]
    back.close()
    bench.close()


def test_agent_sync_lists_open_conversations_and_bad_payloads_get_errors(live, make):
    """The agent's sync returns its chats; malformed socket payloads get clear errors."""
    d = make.desk()
    agent, token = d.agent, d.token
    widget = Recorder(live, "/visitor", auth={"token": token})
    widget.call("message", {"text": "hello"})
    bench = Recorder(live, "/agent", session=login(live, agent.email, "agent-pass-123"))
    state = bench.call("sync", {})
    assert state["status"] == "online" and len(state["conversations"]) == 1
    assert [m["text"] for m in state["messages"]] == ["hello"]
    bad = bench.call("message", {"conversation_id": "x", "text": "hi"})
    assert bad["ok"] is False and bad["error"]["code"] == "invalid_input"
    assert "conversation_id" in bad["error"]["fields"]
    long = widget.call("message", {"text": "x" * 5001})
    assert long["error"]["code"] == "message_too_long" and "5000" in long["error"]["message_en"]
    bad_status = bench.call("status", {"status": "sleeping"})
    assert bad_status["ok"] is False and "status" in bad_status["error"]["fields"]
    widget.close()
    bench.close()


def test_a_flooding_visitor_is_slowed_down_and_nothing_refused_is_stored(live, make):
    """Past a burst of 20, a socket's messages are refused with rate_limited and not stored."""
    from sqlalchemy import func, select

    from kefu.conversations.models import Message
    from kefu.extensions import db

    d = make.desk()
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    acks: list[dict] = []
    done = threading.Event()

    def collect(ack: dict) -> None:
        acks.append(ack)
        if len(acks) == 40:
            done.set()

    for i in range(40):  # pipelined, as a script would flood: no waiting for each ack
        widget.client.emit("message", {"text": f"spam {i}", "client_id": f"s{i}"},
                           namespace="/visitor", callback=collect)
    assert done.wait(20), f"only {len(acks)} acks"
    accepted = [a for a in acks if a["ok"]]
    refused = [a for a in acks if not a["ok"]]
    assert len(accepted) >= 20 and refused
    assert {a["error"]["code"] for a in refused} == {"rate_limited"}
    assert refused[0]["error"]["message_en"].startswith("Too many requests")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Message)) == len(accepted)
    widget.close()
