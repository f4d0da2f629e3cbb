"""Real python-socketio clients for tests."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
import socketio


class Recorder:
    """A connected Socket.IO client that records every event it receives."""

    def __init__(self, base: str, namespace: str, *, auth: Any = None,
                 session: requests.Session | None = None) -> None:
        self.namespace = namespace
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._any, namespace=namespace)
        headers = {}
        if session is not None:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        self.client.connect(base, namespaces=[namespace], auth=auth, headers=headers,
                            transports=["websocket"], wait_timeout=10)

    def _any(self, event: str, data: Any) -> None:
        self.events.put((event, data))

    def call(self, event: str, data: Any = None, timeout: float = 10) -> Any:
        """Emit with an ack and return the ack payload."""
        return self.client.call(event, data, namespace=self.namespace, timeout=timeout)

    def wait_for(self, event: str, timeout: float = 10, where: Any = None) -> Any:
        """Return the next received `event` (matching `where`), failing after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {event!r} within {timeout}s")
            try:
                name, data = self.events.get(timeout=left)
            except queue.Empty as exc:
                raise AssertionError(f"no {event!r} within {timeout}s") from exc
            if name == event and (where is None or where(data)):
                return data

    def drain(self) -> list[tuple[str, Any]]:
        """Return every event received so far."""
        out = []
        while not self.events.empty():
            out.append(self.events.get_nowait())
        return out

    def close(self) -> None:
        """Disconnect without waiting out websocket-client's 3 s close handshake."""
        import threading

        threading.Thread(target=self.client.disconnect, daemon=True).start()


def refusal(base: str, namespace: str, *, auth: Any = None, headers: dict[str, str] | None = None) -> Any:
    """Try to connect; return the server's connect_error data (fail if it connects)."""
    reasons: list[Any] = []
    client = socketio.Client(reconnection=False)
    client.on("connect_error", lambda data: reasons.append(data), namespace=namespace)
    try:
        client.connect(base, namespaces=[namespace], auth=auth, headers=headers or {},
                       transports=["polling"], wait_timeout=5)
    except socketio.exceptions.ConnectionError:
        pass
    else:
        client.disconnect()
        raise AssertionError(f"{namespace} accepted a connection it should refuse")
    assert reasons, "refused without a reason"
    return reasons[0]


@contextmanager
def second_server(config: Any, port: int, **env_extra: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run a separate `kefu serve` on the test app's PostgreSQL and Redis; yield (process, base URL)."""
    env = dict(os.environ)
    env.update({
        "KEFU_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "KEFU_REDIS_URL": config["KEFU_REDIS_URL"],
        "KEFU_SOCKETIO_CHANNEL": config["KEFU_SOCKETIO_CHANNEL"],
        "KEFU_SECRET_KEY": config["SECRET_KEY"],
        "KEFU_SECURE_COOKIES": "0",  # the tests log in over plain http on loopback
        **env_extra,
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
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


def vip_first(company_id: int) -> None:
    """Publish a routing rule that queues visitors of VIP level 2 or more with high priority."""
    from kefu.decisions.actions import do_publish

    do_publish(company_id, "routing", {"rules": [{
        "id": "vip", "name": "vip", "when": {"all": [{"field": "vip_level", "op": "gte", "value": 2}]},
        "then": [{"action": "priority", "params": {"level": "high"}}]}]})


def vip_arrives(live: str, make: Any, channel: Any) -> Recorder:
    """A new visitor of VIP level 3 sends a first message and hears place 1 (under vip_first)."""
    from kefu.extensions import db

    visitor, token = make.visitor_token(channel)
    visitor.vip_level = 3
    db.session.commit()
    vip = Recorder(live, "/visitor", auth={"token": token})
    vip.call("message", {"text": "vip"})
    assert vip.wait_for("conversation.queued")["queue_position"] == 1
    return vip
