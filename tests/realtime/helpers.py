"""Real python-socketio clients for tests."""

from __future__ import annotations

import queue
import time
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
