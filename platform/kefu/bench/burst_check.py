"""Judge a burst run: capacity, one assignment each, nothing lost, queue order, everyone served.

Times are epoch seconds. Database timestamps are taken inside transactions by processes on
the same host (one clock); client times by the driver on that host too.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from .burst import Observed

# Processes commit independently, and an assignment decides on what it read a moment before it
# commits: a conversation counts as passed over only if it had visibly waited this long before
# the other one was assigned and still waited this long after.
ORDER_TOLERANCE = 0.5
INF = math.inf


def max_overlap(intervals: Iterable[tuple[float, float | None]]) -> tuple[int, float | None]:
    """The most intervals open at one instant, and when; an end at the same instant as a start
    counts as before it (a seat freed and refilled)."""
    points: list[tuple[float, int]] = []
    for start, end in intervals:
        points.append((start, 1))
        points.append((INF if end is None else end, -1))
    points.sort()
    best, when, open_ = 0, None, 0
    for t, step in points:
        open_ += step
        if open_ > best:
            best, when = open_, t
    return best, when


def first_assigned(obs: Observed) -> dict[int, float]:
    """When each conversation first reached an agent (its first segment)."""
    out: dict[int, float] = {}
    for s in obs.segments:
        cid = s["conversation_id"]
        out[cid] = min(out.get(cid, INF), s["assigned_at"])
    return out


def check_capacity(obs: Observed) -> list[str]:
    """No agent ever held more overlapping segments (or socket-side chats) than their capacity."""
    problems = []
    per_agent: dict[int, list[tuple[float, float | None]]] = defaultdict(list)
    for s in obs.segments:
        per_agent[s["agent_id"]].append((s["assigned_at"], s["ended_at"]))
    for agent, intervals in sorted(per_agent.items()):
        most, when = max_overlap(intervals)
        if most > obs.capacity.get(agent, 0):
            problems.append(f"database: agent {agent} held {most} chats at {when:.3f} "
                            f"(capacity {obs.capacity.get(agent)})")
    for agent, most in sorted(obs.snapshot_max_active.items()):
        if most > obs.capacity.get(agent, 0):
            problems.append(f"database snapshot: agent {agent} had {most} active chats "
                            f"(capacity {obs.capacity.get(agent)})")
    for agent, most in sorted(obs.agent_max_held.items()):
        if most > obs.capacity.get(agent, 0):
            problems.append(f"socket: agent {agent} was handed {most} chats it had not closed "
                            f"(capacity {obs.capacity.get(agent)})")
    return problems


def check_assigned_once(obs: Observed) -> list[str]:
    """One open segment at a time per conversation; each assignment reached one agent socket once."""
    problems = []
    by_conv: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in obs.segments:
        by_conv[s["conversation_id"]].append(s)
    for cid, segs in sorted(by_conv.items()):
        segs.sort(key=lambda s: s["assigned_at"])
        for a, b in zip(segs, segs[1:], strict=False):
            if a["ended_at"] is None or b["assigned_at"] < a["ended_at"]:
                problems.append(f"conversation {cid} assigned to {b['agent_id']} while still with "
                                f"{a['agent_id']}")
    expected = Counter((s["conversation_id"], s["agent_id"]) for s in obs.segments)
    delivered = Counter((conv, agent) for agent, conv, _t in obs.agent_assigned)
    for key in sorted(set(expected) | set(delivered)):
        if expected[key] != delivered[key]:
            problems.append(f"conversation {key[0]} / agent {key[1]}: {expected[key]} segment(s), "
                            f"{delivered[key]} conversation.assigned on the agent's sockets")
    conv_of_visitor = {c["visitor_id"]: c["id"] for c in obs.conversations}
    for v, vid in enumerate(obs.visitor_ids):
        heard = obs.visitor_assigned.get(v, [])
        segs = by_conv.get(conv_of_visitor.get(vid, -1), [])
        if len(heard) != len(segs):
            problems.append(f"visitor {vid} heard conversation.assigned {len(heard)} times for "
                            f"{len(segs)} assignment(s)")
    return problems


def check_nothing_lost(obs: Observed) -> list[str]:
    """Every first message acked and stored once; one conversation per visitor, served and closed."""
    problems = []
    for cid in sorted(obs.sent):
        ack = obs.acks.get(cid)
        if not ack or not ack.get("ok"):
            problems.append(f"message {cid}: ack {ack}")
    stored = Counter(str(cid) for _conv, cid in obs.visitor_messages)
    for cid in sorted(set(obs.sent) | set(stored)):
        if stored[cid] != 1:
            problems.append(f"message {cid} stored {stored[cid]} times")
    per_visitor = Counter(c["visitor_id"] for c in obs.conversations)
    for vid in obs.visitor_ids:
        if per_visitor[vid] != 1:
            problems.append(f"visitor {vid} has {per_visitor[vid]} conversations")
    assigned = first_assigned(obs)
    for c in obs.conversations:
        if c["id"] not in assigned:
            problems.append(f"conversation {c['id']} never reached an agent ({c['status']})")
        elif c["status"] != "closed" or c["closed_at"] is None:
            problems.append(f"conversation {c['id']} not closed by its agent ({c['status']})")
    problems += [f"close refused: {e}" for e in obs.close_errors]
    problems += [f"status change refused: {e}" for e in obs.status_errors]
    return problems


def _queue_key(c: dict[str, Any]) -> tuple[int, float, int]:
    """Queue order: higher priority first, then arrival, then id (conversations.queries)."""
    return (-c["priority"], c["queued_at"] or INF, c["id"])


def check_order(obs: Observed, tolerance: float = ORDER_TOLERANCE) -> list[str]:
    """No conversation reached an agent while one ahead of it in its group's queue order (higher
    priority, or the same priority and queued earlier) visibly waited and went on waiting.

    "Visibly waited": the poller had seen it queued (committed) `tolerance` seconds before the
    other's assignment; "went on waiting": it was assigned more than `tolerance` seconds after.
    """
    assigned = first_assigned(obs)
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for c in obs.conversations:
        if c["queued_at"] is not None:
            groups[c["skill_group_id"]].append(c)
    problems: list[str] = []
    count = 0
    t0 = obs.t_first_send
    for convs in groups.values():
        convs.sort(key=_queue_key)
        for i, later in enumerate(convs):
            a_later = assigned.get(later["id"], INF)
            if a_later == INF:
                continue
            for ahead in convs[:i]:
                waiting = obs.seen_queued.get(ahead["id"], INF)
                a_ahead = assigned.get(ahead["id"], INF)
                if waiting < a_later - tolerance and a_ahead > a_later + tolerance:
                    count += 1
                    if len(problems) < 10:
                        problems.append(
                            f"conversation {later['id']} (priority {later['priority']}, queued "
                            f"{later['queued_at'] - t0:.3f}s) assigned at {a_later - t0:.3f}s while "
                            f"{ahead['id']} (priority {ahead['priority']}, queued "
                            f"{ahead['queued_at'] - t0:.3f}s, visibly from {waiting - t0:.3f}s) "
                            f"waited until {a_ahead - t0:.3f}s")
    if count > len(problems):
        problems.append(f"… {count} overtakings in all")
    return problems


def check_offline(obs: Observed) -> list[str]:
    """No chat went to an agent between their acknowledged going offline and their going online.

    The offline ack means the change committed; an assignment that locked the agent's row first
    commits before it, so its time is earlier than the ack.
    """
    problems = []
    for s in obs.segments:
        for off, on in obs.offline_windows.get(s["agent_id"], []):
            if off < s["assigned_at"] < on:
                problems.append(f"conversation {s['conversation_id']} went to agent {s['agent_id']} "
                                f"{s['assigned_at'] - off:.3f}s after they were offline")
    return problems


def check_served(obs: Observed) -> list[str]:
    """Every visitor was served, all within the plan's time bound from the first message."""
    if obs.t_all_served is None:
        return [f"{len(obs.visitor_ids) - len(obs.visitor_assigned)} visitors never heard they "
                f"were assigned within {obs.plan.serve_within}s"]
    took = obs.t_all_served - obs.t_first_send
    if took > obs.plan.serve_within:
        return [f"the last visitor was served {took:.1f}s after the first message"]
    return []


def first(found: list[str], n: int = 10) -> list[str]:
    """The first `n` problems, and how many there were in all."""
    return found if len(found) <= n else [*found[:n], f"… {len(found)} problems in all"]


def problems(obs: Observed) -> dict[str, list[str]]:
    """Every check's problems, by name (the first ten of each)."""
    return {name: first(found) for name, found in (
        ("capacity", check_capacity(obs)), ("assigned_once", check_assigned_once(obs)),
        ("nothing_lost", check_nothing_lost(obs)), ("order", check_order(obs)),
        ("offline", check_offline(obs)), ("served", check_served(obs)))}


def _pct(xs: list[float], p: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))], 3)


def summary(obs: Observed) -> dict[str, Any]:
    """Figures of the run: waits by priority, load, queue length, status changes, timings."""
    assigned = first_assigned(obs)
    waits: dict[str, list[float]] = defaultdict(list)
    queued_spans = []
    for c in obs.conversations:
        a = assigned.get(c["id"])
        if a is None or c["queued_at"] is None:
            continue
        waits["vip" if c["priority"] > 0 else "normal"].append(a - c["queued_at"])
        queued_spans.append((c["queued_at"], a))
    per_agent: dict[int, list[tuple[float, float | None]]] = defaultdict(list)
    for s in obs.segments:
        per_agent[s["agent_id"]].append((s["assigned_at"], s["ended_at"]))
    lags = [obs.seen_queued[c["id"]] - c["queued_at"] for c in obs.conversations
            if c["id"] in obs.seen_queued and c["queued_at"] is not None]
    loads = {a: max_overlap(iv)[0] for a, iv in per_agent.items()}
    return {
        "visitors": len(obs.visitor_ids), "vip_visitors": sum(obs.vip),
        "conversations": len(obs.conversations), "segments": len(obs.segments),
        "never_queued": len(obs.visitor_ids) - len(obs.visitor_queued),
        "max_queue_length": max_overlap(queued_spans)[0],
        "wait_s": {k: {"p50": _pct(v, 50), "p90": _pct(v, 90), "max": _pct(v, 100)}
                   for k, v in sorted(waits.items())},
        "queued_to_seen_s": {"p50": _pct(lags, 50), "max": _pct(lags, 100)},
        "polls": obs.polls,
        "resent_after_server_error": sum(obs.resends.values()),
        "closes_retried": obs.close_retries,
        "status_changes_retried": obs.status_retries,
        "max_load_per_agent": max(loads.values()) if loads else 0,
        "agents_reaching_capacity": sum(1 for v in loads.values() if v >= obs.plan.capacity),
        "status_changes": 2 * sum(len(w) for w in obs.offline_windows.values()),
        "burst_s": round(obs.t_last_send - obs.t_first_send, 2),
        "timings": obs.timings,
    }
