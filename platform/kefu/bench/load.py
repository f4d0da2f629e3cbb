"""The load: real python-socketio clients, visitors on one server and agents on another.

asyncio clients (one thread for all sockets) when aiohttp is installed; otherwise the threaded
client, which costs ~3 threads a socket and more client CPU, so its latencies read higher.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import socketio

from .tracker import Tracker, client_id, schedule

AGENT_EVENTS = ("message.created", "conversation.assigned")
CONNECT_TIMEOUT = 20
CONNECT_PARALLEL = 16


def asyncio_available() -> bool:
    """Tell whether python-socketio's asyncio client can run (it needs aiohttp)."""
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


def pick(bases: str, i: int) -> str:
    """The i-th client's server among comma-separated base URLs (round robin, like a balancer)."""
    options = bases.split(",")
    return options[i % len(options)]


@dataclass
class Load:
    """Who connects where and what they send."""

    visitor_base: str  # one base URL, or several separated by commas (clients spread over them)
    agent_base: str
    visitor_tokens: list[str]
    agent_cookies: list[str]
    messages: int
    rate: float
    phased: bool = True
    open_rate: float | None = None
    drain_timeout: float = 30.0

    @property
    def expected(self) -> int:
        return len(self.visitor_tokens) * self.messages


def run_load(load: Load, deadline: float, on_start: Callable[[], None],
             on_end: Callable[[], None], client: str = "auto") -> tuple[Tracker, str]:
    """Connect, send on schedule, wait for deliveries; return the tracker and the client kind."""
    kind = client if client != "auto" else ("asyncio" if asyncio_available() else "threads")
    tracker = Tracker(load.expected)
    if kind == "asyncio":
        asyncio.run(_run_async(load, tracker, deadline, on_start, on_end))
    else:
        _run_threads(load, tracker, deadline, on_start, on_end)
    return tracker, kind


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("bench hard timeout reached")
    return left


def _payload(cid: str) -> dict[str, str]:
    return {"text": f"bench message {cid}", "client_id": cid}


async def _run_async(load: Load, tracker: Tracker, deadline: float,
                     on_start: Callable[[], None], on_end: Callable[[], None]) -> None:
    agents = [socketio.AsyncClient(reconnection=False) for _ in load.agent_cookies]
    visitors = [socketio.AsyncClient(reconnection=False) for _ in load.visitor_tokens]
    for i, a in enumerate(agents):
        for ev in AGENT_EVENTS:
            a.on(ev, functools.partial(tracker.on_agent_event, i, ev), namespace="/agent")
    gate = asyncio.Semaphore(CONNECT_PARALLEL)

    async def connect(c: socketio.AsyncClient, base: str, ns: str, **kw: Any) -> None:
        async with gate:
            await asyncio.wait_for(
                c.connect(base, namespaces=[ns], transports=["websocket"],
                          wait_timeout=CONNECT_TIMEOUT, **kw), _left(deadline))

    try:
        await asyncio.gather(*(connect(a, pick(load.agent_base, i), "/agent",
                                       headers={"Cookie": f"session={cookie}"})
                               for i, (a, cookie) in enumerate(
                                   zip(agents, load.agent_cookies, strict=True))))
        await asyncio.gather(*(connect(v, pick(load.visitor_base, i), "/visitor",
                                       auth={"token": tok})
                               for i, (v, tok) in enumerate(
                                   zip(visitors, load.visitor_tokens, strict=True))))
        on_start()
        sent = 0
        for i, phase in enumerate(schedule(len(visitors), load.messages, load.rate, load.phased,
                                              open_rate=load.open_rate)):
            if i:
                tracker.mark_steady()
            t0 = time.monotonic() + 0.05
            for t, v, n in phase:
                wait = t0 + t - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                _left(deadline)
                cid = client_id(v, n)
                tracker.on_send(cid, t0 + t, n == 0)
                await visitors[v].emit("message", _payload(cid), namespace="/visitor",
                                       callback=functools.partial(tracker.on_ack, cid))
            sent += len(phase)
            drain_until = min(deadline, time.monotonic() + load.drain_timeout)
            while not tracker.complete(sent) and time.monotonic() < drain_until:
                await asyncio.sleep(0.005)
        on_end()
    finally:
        await asyncio.gather(*(c.disconnect() for c in agents + visitors if c.connected),
                             return_exceptions=True)


def _run_threads(load: Load, tracker: Tracker, deadline: float,
                 on_start: Callable[[], None], on_end: Callable[[], None]) -> None:
    agents = [socketio.Client(reconnection=False) for _ in load.agent_cookies]
    visitors = [socketio.Client(reconnection=False) for _ in load.visitor_tokens]
    for i, a in enumerate(agents):
        for ev in AGENT_EVENTS:
            a.on(ev, functools.partial(tracker.on_agent_event, i, ev), namespace="/agent")

    def connect(c: socketio.Client, base: str, ns: str, kw: dict[str, Any]) -> None:
        _left(deadline)
        c.connect(base, namespaces=[ns], transports=["websocket"], wait_timeout=CONNECT_TIMEOUT,
                  **kw)

    try:
        with ThreadPoolExecutor(CONNECT_PARALLEL) as pool:
            list(pool.map(lambda ac: connect(ac[1][0], pick(load.agent_base, ac[0]), "/agent",
                                             {"headers": {"Cookie": f"session={ac[1][1]}"}}),
                          enumerate(zip(agents, load.agent_cookies, strict=True))))
            list(pool.map(lambda vt: connect(vt[1][0], pick(load.visitor_base, vt[0]), "/visitor",
                                             {"auth": {"token": vt[1][1]}}),
                          enumerate(zip(visitors, load.visitor_tokens, strict=True))))
        on_start()
        sent = 0
        for i, phase in enumerate(schedule(len(visitors), load.messages, load.rate, load.phased,
                                              open_rate=load.open_rate)):
            if i:
                tracker.mark_steady()
            t0 = time.monotonic() + 0.05
            for t, v, n in phase:
                wait = t0 + t - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                _left(deadline)
                cid = client_id(v, n)
                tracker.on_send(cid, t0 + t, n == 0)
                visitors[v].emit("message", _payload(cid), namespace="/visitor",
                                 callback=functools.partial(tracker.on_ack, cid))
            sent += len(phase)
            drain_until = min(deadline, time.monotonic() + load.drain_timeout)
            while not tracker.complete(sent) and time.monotonic() < drain_until:
                time.sleep(0.005)
        on_end()
    finally:
        for c in agents + visitors:
            if c.connected:
                try:
                    c.disconnect()
                except Exception:  # a dead server: nothing left to close
                    pass
