"""`kefu bench routing`: a day of chat traffic through the real queue and routing code, simulated.

Poisson arrivals and exponential handle times on a simulated clock (no sleeping). The parts that
decide are kefu's own pure code: `routing.assign.rank` over `Candidate`s picks the agent, the
queue is ordered by `queueing.policy.queue_key` (QUEUE_ORDER: priority, then arrival) and a
newcomer never overtakes an older waiting chat, `queueing.policy` says when the queue is full,
which limits apply and what wait each visitor is told. Visitors have a patience (exponential,
`--patience` mean seconds; they abandon when it runs out) and, with a max wait, are asked to keep
waiting (with probability `--keep-waiting`) or leave a message.
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from ..queueing import policy
from ..routing.assign import Candidate, rank

WAITING, SERVED, ABANDONED, LEFT_MESSAGE, REFUSED = range(5)
ARRIVE, DEPART, GIVE_UP, MAX_WAIT = range(4)
VIP_PRIORITY = 10


@dataclass(frozen=True)
class Params:
    """One simulated run."""

    agents: int = 10
    capacity: int = 1
    arrival_rate: float = 0.08
    handle_time: float = 100.0
    duration: float = 36000.0
    seed: int = 1
    patience: float = 0.0  # mean seconds a visitor waits before giving up; 0: forever
    max_queue: int = 0
    max_wait: int = 0
    keep_waiting: float = 0.5
    vip_share: float = 0.0
    service_seconds: float = 20.0


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C); 1.0 when overloaded."""
    if offered_load >= servers:
        return 1.0
    term, total = 1.0, 1.0  # a^k/k! summed for k < c, computed iteratively to stay finite
    for k in range(1, servers):
        term *= offered_load / k
        total += term
    last = term * offered_load / servers * servers / (servers - offered_load)
    return last / (total + last)


def theory(p: Params) -> dict[str, Any] | None:
    """Erlang C figures for the same M/M/c system, when the run has no abandonment or limits."""
    if p.patience > 0 or p.max_queue > 0 or p.max_wait > 0:
        return None
    servers = p.agents * p.capacity
    load = p.arrival_rate * p.handle_time
    if load >= servers:
        return {"servers": servers, "offered_erlangs": load, "stable": False}
    c = erlang_c(servers, load)
    rate = servers / p.handle_time - p.arrival_rate  # cμ − λ
    return {
        "servers": servers, "offered_erlangs": round(load, 3), "stable": True,
        "p_wait": round(c, 4), "mean_wait": round(c / rate, 2),
        "service_level": round(1 - c * math.exp(-rate * p.service_seconds), 4),
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(math.ceil(q * len(ordered))) - 1)]


def simulate(p: Params) -> dict[str, Any]:
    """Run the simulation and return the report (the parameters included)."""
    started = (time.perf_counter(), time.process_time())
    rng = random.Random(p.seed)
    route_rng = random.Random(p.seed + 1)
    limits = policy.effective_limits((p.max_queue, p.max_wait), (None, None))
    load = [0] * p.agents
    free = set(range(p.agents)) if p.capacity > 0 else set()
    cands: dict[tuple[int, int], Candidate] = {}  # immutable, so one per (agent, load)
    events: list[tuple[float, int, int, int]] = []
    seq = 0

    def push(at: float, kind: int, ident: int) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (at, seq, kind, ident))

    queue: list[tuple[tuple[int, float, int], int]] = []
    waiting = {0: 0, VIP_PRIORITY: 0}  # live waiting chats per priority
    state: list[int] = []
    arrived: list[float] = []
    prio: list[int] = []
    told: dict[int, int | None] = {}
    waits: list[float] = []
    vip_waits: list[float] = []
    eta_errors: list[float] = []
    services: list[tuple[int, float]] = []  # (agent, handle time) of each assignment
    handled: deque[float] = deque(maxlen=50)  # the live estimator reads the last 50 chats too
    max_load = 0
    busy_area, last_t = 0.0, 0.0

    def advance(now: float) -> None:
        nonlocal busy_area, last_t
        end = min(now, p.duration)
        if end > last_t:
            busy_area += sum_load[0] * (end - last_t)
            last_t = end

    sum_load = [0]

    def assign(conv: int, now: float) -> None:
        nonlocal max_load
        best = rank((cands.setdefault((a, load[a]), Candidate(a, load[a], p.capacity, 0)) for a in free),
                    route_rng)[0]
        agent = best.user_id
        load[agent] += 1
        sum_load[0] += 1
        max_load = max(max_load, load[agent])
        if load[agent] >= p.capacity:
            free.discard(agent)
        state[conv] = SERVED
        wait = now - arrived[conv]
        waits.append(wait)
        if prio[conv]:
            vip_waits.append(wait)
        eta = told.pop(conv, None)
        if eta is not None:
            eta_errors.append(eta - wait)
        duration = rng.expovariate(1.0 / p.handle_time)
        services.append((agent, duration))
        push(now + duration, DEPART, len(services) - 1)

    def serve_queue(now: float) -> None:
        while free and queue:
            _key, conv = heapq.heappop(queue)
            if state[conv] != WAITING:
                continue  # left earlier: removed lazily
            waiting[prio[conv]] -= 1
            assign(conv, now)

    def leave(conv: int, outcome: int) -> None:
        state[conv] = outcome
        waiting[prio[conv]] -= 1
        told.pop(conv, None)

    push(rng.expovariate(p.arrival_rate), ARRIVE, -1)
    while events:
        now, _s, kind, ident = heapq.heappop(events)
        advance(now)
        if kind == ARRIVE:
            if now > p.duration:
                continue
            push(now + rng.expovariate(p.arrival_rate), ARRIVE, -1)
            conv = len(state)
            priority = VIP_PRIORITY if p.vip_share and rng.random() < p.vip_share else 0
            state.append(WAITING)
            arrived.append(now)
            prio.append(priority)
            ahead = sum(n for level, n in waiting.items() if level >= priority)
            if free and ahead == 0:  # nobody it may not overtake: straight to an agent
                assign(conv, now)
                continue
            if policy.is_full(sum(waiting.values()), limits):
                state[conv] = REFUSED
                continue
            waiting[priority] += 1
            heapq.heappush(queue, (policy.queue_key(priority, now, conv), conv))
            told[conv] = policy.estimate_wait(ahead + 1, len(load) * p.capacity,
                                              policy.mean_handle(handled))
            if p.patience > 0:
                push(now + rng.expovariate(1.0 / p.patience), GIVE_UP, conv)
            if limits.max_wait > 0:
                push(now + limits.max_wait, MAX_WAIT, conv)
            serve_queue(now)
        elif kind == DEPART:
            agent, duration = services[ident]
            load[agent] -= 1
            sum_load[0] -= 1
            free.add(agent)
            handled.append(duration)
            serve_queue(now)
        elif kind == GIVE_UP and state[ident] == WAITING:
            leave(ident, ABANDONED)
        elif kind == MAX_WAIT and state[ident] == WAITING:
            if rng.random() < p.keep_waiting:
                push(now + limits.max_wait, MAX_WAIT, ident)  # keep waiting: the wait restarts
            else:
                leave(ident, LEFT_MESSAGE)
    report = _report(p, state, waits, eta_errors, busy_area, max_load, started)
    if p.vip_share:
        normal = len(waits) - len(vip_waits)
        report["mean_wait_vip"] = round(sum(vip_waits) / len(vip_waits), 2) if vip_waits else 0.0
        report["mean_wait_normal"] = round((sum(waits) - sum(vip_waits)) / normal, 2) if normal else 0.0
    return report


def _report(p: Params, state: list[int], waits: list[float], eta_errors: list[float],
            busy_area: float, max_load: int, started: tuple[float, float]) -> dict[str, Any]:
    offered = len(state)
    counts = [state.count(s) for s in range(5)]
    answered = counts[SERVED]
    queued = sum(1 for w in waits if w > 0) + counts[ABANDONED] + counts[LEFT_MESSAGE]
    mean_load = busy_area / (p.duration * p.agents) if p.agents and p.duration else 0.0
    return {
        "params": asdict(p),
        "offered": offered,
        "answered": answered,
        "abandoned": counts[ABANDONED],
        "left_message": counts[LEFT_MESSAGE],
        "refused_queue_full": counts[REFUSED],
        "queued": queued,
        "abandon_rate": round(counts[ABANDONED] / queued, 4) if queued else 0.0,
        "p_wait": round(sum(1 for w in waits if w > 0) / answered, 4) if answered else 0.0,
        "mean_wait": round(sum(waits) / answered, 2) if answered else 0.0,
        "p90_wait": round(_percentile(waits, 0.9), 2),
        "max_wait": round(max(waits, default=0.0), 2),
        "service_level": round(sum(1 for w in waits if w <= p.service_seconds) / offered, 4)
        if offered else 0.0,
        "mean_agent_load": round(mean_load, 4),
        "max_agent_load": max_load,
        "utilization": round(mean_load / p.capacity, 4) if p.capacity else 0.0,
        "eta_mean_error": round(sum(eta_errors) / len(eta_errors), 1) if eta_errors else None,
        "eta_mean_abs_error": round(sum(abs(e) for e in eta_errors) / len(eta_errors), 1)
        if eta_errors else None,
        "theory_mmc": theory(p),
        "elapsed_seconds": round(time.perf_counter() - started[0], 3),
        "cpu_seconds": round(time.process_time() - started[1], 3),  # what a busy host does not inflate
    }
