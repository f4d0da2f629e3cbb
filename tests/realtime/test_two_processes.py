"""Two web processes joined by Redis serve one conversation (distributed mode)."""

from __future__ import annotations

import pytest

from ..conftest import free_port, login
from .helpers import Recorder, second_server


@pytest.fixture()
def second_process(app, live):
    """A separate `kefu serve` process on the same PostgreSQL and Redis."""
    if not app.config["KEFU_REDIS_URL"]:
        pytest.skip("the embedded mode is one process by design")
    with second_server(app.config, free_port()) as (_proc, base):
        yield base

def test_visitor_on_one_process_agent_on_another(live, second_process, make):
    """A visitor on process A and an agent on process B exchange messages through Redis."""
    d = make.desk()
    agent, token = d.agent, d.token
    bench = Recorder(second_process, "/agent",
                     session=login(second_process, agent.email, "agent-pass-123"))
    widget = Recorder(live, "/visitor", auth={"token": token})
    widget.call("message", {"text": "跨进程你好", "client_id": "x-1"})
    assigned = bench.wait_for("conversation.assigned")
    conv_id = assigned["conversation"]["id"]
    assert bench.call("message", {"conversation_id": conv_id, "text": "收到"})["ok"]
    got = widget.wait_for("message.created", where=lambda e: e["message"]["sender"] == "agent")
    assert got["message"]["text"] == "收到"
    widget.call("message", {"text": "第二条"})
    assert bench.wait_for("message.created",
                          where=lambda e: e["message"]["text"] == "第二条")["message"]["id"]
    widget.close()
    bench.close()
