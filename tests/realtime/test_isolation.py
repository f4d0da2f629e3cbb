"""One company never receives events about another company's conversations."""

from __future__ import annotations

import time

from ..conftest import login
from .helpers import Recorder


def test_events_never_cross_companies(live, make):
    """Company B's agent and visitor hear nothing of company A's chat, and vice versa."""
    a, b = make.desk(), make.desk()
    bench_a = Recorder(live, "/agent", session=login(live, a.agent.email, "agent-pass-123"))
    bench_b = Recorder(live, "/agent", session=login(live, b.agent.email, "agent-pass-123"))
    widget_a = Recorder(live, "/visitor", auth={"token": a.token})
    widget_b = Recorder(live, "/visitor", auth={"token": b.token})
    widget_a.call("message", {"text": "A 的问题"})
    conv_a = bench_a.wait_for("conversation.assigned")["conversation"]["id"]
    bench_a.call("message", {"conversation_id": conv_a, "text": "A 的回答"})
    widget_a.wait_for("message.created", where=lambda e: e["message"]["sender"] == "agent")
    # B's agent may not reply into A's conversation, nor read it.
    refused = bench_b.call("message", {"conversation_id": conv_a, "text": "intrusion"})
    assert refused["ok"] is False and refused["error"]["code"] == "not_found"
    assert bench_b.call("sync", {"conversation_ids": [conv_a]})["conversations"] == []
    bench_a.call("close", {"conversation_id": conv_a})
    widget_a.wait_for("conversation.closed")
    time.sleep(0.3)  # let any stray delivery arrive before asserting there was none
    assert bench_b.drain() == [] and widget_b.drain() == []
    for r in (bench_a, bench_b, widget_a, widget_b):
        r.close()
