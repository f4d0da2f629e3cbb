"""Bookkeeping of a load run: when each message was sent, acked and seen by an agent."""

from __future__ import annotations

import math
import random
import threading
import time
from typing import Any


def schedule(visitors: int, messages: int, rate: float, phased: bool = True,
             seed: int = 7, open_rate: float | None = None) -> list[list[tuple[float, int, int]]]:
    """Open-loop send plan: phases of (t s from phase start, visitor, n), Poisson at `rate`.

    Arrivals are dealt round by round to the visitors in a fresh random order, so each visitor
    sends its messages in order, one per round. Phased (the default), the first round (which
    opens and routes every conversation) is its own phase, and the rest starts once every
    conversation's first message has reached an agent: the steady phase then measures the
    message path at N open conversations, not the routing of N new ones. `open_rate` paces the
    opening round (new conversations per second; default `rate`).
    """
    rng = random.Random(seed)
    phases: list[list[tuple[float, int, int]]] = [[]]
    t = 0.0
    for n in range(messages):
        if phased and n == 1:
            phases.append([])
            t = 0.0
        order = list(range(visitors))
        rng.shuffle(order)
        for v in order:
            phases[-1].append((t, v, n))
            t += rng.expovariate(open_rate if (n == 0 and open_rate) else rate)
    return [p for p in phases if p]


def client_id(visitor: int, n: int) -> str:
    """The unique client id of a visitor's n-th message."""
    return f"b{visitor}-{n}"


def percentiles(values: list[float]) -> dict[str, Any]:
    """p50/p95/p99/max/mean in milliseconds of values in seconds (nearest-rank)."""
    if not values:
        return {"count": 0}
    xs = sorted(values)

    def rank(p: float) -> float:
        return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]

    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    return {"count": len(xs), "p50": ms(rank(50)), "p95": ms(rank(95)), "p99": ms(rank(99)),
            "max": ms(xs[-1]), "mean": ms(sum(xs) / len(xs))}


class Tracker:
    """Thread-safe record of sends, acks and agent-side deliveries, keyed by client id."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.lock = threading.Lock()
        self.sent: dict[str, float] = {}
        self.lag: list[float] = []
        self.first: set[str] = set()
        self.acked: dict[str, float] = {}
        self.ack_errors: list[Any] = []
        self.delivered: dict[str, float] = {}
        self.via: dict[str, int] = {"message.created": 0, "conversation.assigned": 0}
        self.duplicates = 0
        self.unexpected = 0
        self.agent_of: dict[str, int] = {}
        self.steady_start: float | None = None

    def on_send(self, cid: str, scheduled: float, first: bool) -> None:
        """Record the moment a message leaves (and how late it is against the schedule)."""
        now = time.monotonic()
        with self.lock:
            self.sent[cid] = now
            self.lag.append(max(0.0, now - scheduled))
            if first:
                self.first.add(cid)

    def on_ack(self, cid: str, ack: Any = None, *_rest: Any) -> None:
        """Record the server's acknowledgement (the message is committed)."""
        now = time.monotonic()
        with self.lock:
            if isinstance(ack, dict) and ack.get("ok"):
                self.acked.setdefault(cid, now)
            elif len(self.ack_errors) < 20:
                self.ack_errors.append({"client_id": cid, "ack": ack})

    def on_agent_event(self, agent: int, event: str, data: Any) -> None:
        """Count visitor messages an agent socket receives, live or inside an assignment."""
        now = time.monotonic()
        if not isinstance(data, dict):
            return
        if event == "message.created":
            msgs = [data.get("message") or {}]
        else:
            msgs = list(data.get("messages") or [])
        with self.lock:
            for m in msgs:
                if m.get("sender") != "visitor":
                    continue
                cid = m.get("client_id")
                if cid not in self.sent:
                    self.unexpected += 1
                elif cid in self.delivered:
                    self.duplicates += 1
                else:
                    self.delivered[cid] = now
                    self.via[event] += 1
                    self.agent_of[cid] = agent

    def complete(self, count: int | None = None) -> bool:
        """Tell whether the first `count` (default: all expected) messages are acked and delivered."""
        want = self.expected if count is None else count
        with self.lock:
            return len(self.delivered) >= want and len(self.acked) >= want

    def mark_steady(self) -> None:
        """Note that the steady phase (after every conversation is open) starts now."""
        self.steady_start = time.monotonic()

    def summary(self) -> dict[str, Any]:
        """Counts, latencies and rates of the run."""
        with self.lock:
            lat_all: list[float] = []
            lat_first: list[float] = []
            lat_next: list[float] = []
            for cid, t in self.delivered.items():
                d = t - self.sent[cid]
                lat_all.append(d)
                (lat_first if cid in self.first else lat_next).append(d)
            acks = [t - self.sent[c] for c, t in self.acked.items()]
            t0 = min(self.sent.values()) if self.sent else 0.0
            t_last_send = max(self.sent.values()) if self.sent else 0.0
            t_end = max(self.delivered.values()) if self.delivered else t0
            elapsed = max(t_end - t0, 1e-9)
            send_span = max(t_last_send - t0, 1e-9)
            steady: dict[str, Any] = {}
            if self.steady_start is not None:
                s0 = self.steady_start
                sent_s = [c for c, t in self.sent.items() if t >= s0]
                got = [self.delivered[c] for c in sent_s if c in self.delivered]
                first = min((self.sent[c] for c in sent_s), default=s0)
                last = max((self.sent[c] for c in sent_s), default=s0)
                span = max((max(got) if got else s0) - first, 1e-9)
                steady = {"sent": len(sent_s), "delivered": len(got),
                          "send_rate": round(len(sent_s) / max(last - first, 1e-9), 1),
                          "delivered_per_s": round(len(got) / span, 1)}
            return {
                "expected": self.expected,
                "sent": len(self.sent),
                "acked": len(self.acked),
                "ack_errors": self.ack_errors,
                "delivered": len(self.delivered),
                "lost": self.expected - len(self.delivered),
                "duplicates": self.duplicates,
                "unexpected": self.unexpected,
                "delivered_via": dict(self.via),
                "elapsed_s": round(elapsed, 3),
                "send_rate_actual": round(len(self.sent) / send_span, 1),
                "delivered_per_s": round(len(self.delivered) / elapsed, 1),
                "steady": steady,
                "latency_ms": {
                    "all": percentiles(lat_all),
                    "first_message": percentiles(lat_first),
                    "follow_up": percentiles(lat_next),
                },
                "ack_latency_ms": percentiles(acks),
                "send_lag_ms": percentiles(self.lag),
            }
