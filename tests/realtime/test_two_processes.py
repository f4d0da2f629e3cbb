"""Two web processes joined by Redis serve one conversation (distributed mode)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests

from ..conftest import free_port, login
from .helpers import Recorder


@pytest.fixture()
def second_process(app, live):
    """A separate `kefu serve` process on the same PostgreSQL and Redis."""
    if not app.config["KEFU_REDIS_URL"]:
        pytest.skip("the embedded mode is one process by design")
    port = free_port()
    env = dict(os.environ)
    env.update({
        "KEFU_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "KEFU_REDIS_URL": app.config["KEFU_REDIS_URL"],
        "KEFU_SOCKETIO_CHANNEL": app.config["KEFU_SOCKETIO_CHANNEL"],
        "KEFU_SECRET_KEY": app.config["SECRET_KEY"],
        "KEFU_SECURE_COOKIES": "0",  # the test logs in over plain http on loopback
    })
    proc = subprocess.Popen([sys.executable, "-m", "kefu.cli", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "second process did not start"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


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
