"""Deliver event dicts to Socket.IO rooms, always after the transaction commits."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from ..aftercommit import on_commit
from ..extensions import socketio

VISITOR_NS = "/visitor"
AGENT_NS = "/agent"


def visitor_room(visitor_id: int) -> str:
    """Room of every socket (tab) of one visitor."""
    return f"visitor:{visitor_id}"


def agent_room(agent_id: int) -> str:
    """Room of every socket of one agent."""
    return f"agent:{agent_id}"


def monitor_room(company_id: int) -> str:
    """Room of the managers watching a company live."""
    return f"company:{company_id}:monitor"


# The socket whose event caused the write: it gets the result in its ack, so room emits skip it.
origin_socket: ContextVar[tuple[str, str] | None] = ContextVar("origin_socket", default=None)


def publish(event: dict[str, Any], *targets: tuple[str, str], skip_origin: bool = False) -> None:
    """Emit `event` (which has a `type`) to each (namespace, room) once the write commits.

    skip_origin: leave out the socket whose request caused the write (its ack carries it).
    """
    assert "type" in event, "events are dicts with a type"
    origin = origin_socket.get() if skip_origin else None

    def deliver() -> None:
        for namespace, room in targets:
            skip = origin[1] if origin and origin[0] == namespace else None
            socketio.emit(event["type"], event, to=room, namespace=namespace, skip_sid=skip)

    on_commit(deliver)
