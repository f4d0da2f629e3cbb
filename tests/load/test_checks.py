"""The load test's judgements catch what they are meant to (synthetic observations, no servers)."""

from __future__ import annotations

from kefu.bench import burst_check as check
from kefu.bench.burst import Observed, Plan


def _obs() -> Observed:
    """Two agents of capacity 2, three visitors; all fine until a test breaks something."""
    obs = Observed(Plan(visitors=3, agents=2, capacity=2), agent_ids=[10, 11],
                   capacity={10: 2, 11: 2}, visitor_ids=[1, 2, 3], vip=[False, False, True])
    obs.t_first_send = 100.0
    convs = [(1, 1, 0, 100.0, 10, 101.0), (2, 2, 0, 100.5, 10, 101.2), (3, 3, 10, 100.8, 11, 101.3)]
    for cid, vid, prio, queued, agent, assigned in convs:
        obs.conversations.append({"id": cid, "visitor_id": vid, "skill_group_id": 1, "priority": prio,
                                  "status": "closed", "agent_id": agent, "queued_at": queued,
                                  "assigned_at": assigned, "closed_at": assigned + 2,
                                  "end_reason": "agent_removed"})
        obs.segments.append({"id": cid, "conversation_id": cid, "agent_id": agent,
                             "assigned_at": assigned, "ended_at": assigned + 2, "end_kind": "closed"})
        obs.seen_queued[cid] = queued + 0.05
        obs.agent_assigned.append((agent, cid, assigned + 0.01))
        obs.visitor_assigned[vid - 1] = [(cid, agent, assigned + 0.01)]
        obs.sent[f"burst-{vid - 1}"] = queued
        obs.acks[f"burst-{vid - 1}"] = {"ok": True}
        obs.visitor_messages.append((cid, f"burst-{vid - 1}"))
    obs.t_all_served = 101.4
    return obs


def test_a_clean_run_has_no_problems() -> None:
    """A run where everything went right yields no problem at all."""
    assert not any(check.problems(_obs()).values())


def test_capacity_overlap_is_caught() -> None:
    """A third overlapping chat for an agent of capacity 2 is reported with its instant."""
    obs = _obs()
    obs.segments[2]["agent_id"] = 10
    obs.agent_assigned[2] = (10, 3, 101.31)
    assert any("held 3 chats" in p for p in check.check_capacity(obs))
    obs.snapshot_max_active[10] = 3
    assert any("snapshot" in p for p in check.check_capacity(obs))


def test_double_assignment_and_duplicate_event_are_caught() -> None:
    """A second open segment, or a conversation.assigned delivered twice, is reported."""
    obs = _obs()
    obs.segments.append({"id": 9, "conversation_id": 1, "agent_id": 11, "assigned_at": 101.5,
                         "ended_at": None, "end_kind": None})
    assert any("while still with" in p for p in check.check_assigned_once(obs))
    obs = _obs()
    obs.agent_assigned.append((10, 1, 101.02))
    assert any("2 conversation.assigned" in p for p in check.check_assigned_once(obs))


def test_lost_or_doubled_message_is_caught() -> None:
    """A message stored twice, or never acked, is reported."""
    obs = _obs()
    obs.visitor_messages.append((1, "burst-0"))
    del obs.acks["burst-1"]
    found = check.check_nothing_lost(obs)
    assert any("stored 2 times" in p for p in found) and any("burst-1: ack None" in p for p in found)


def test_overtaking_a_waiting_vip_is_caught() -> None:
    """A normal chat served while a VIP had visibly waited and went on waiting is an overtaking."""
    obs = _obs()
    obs.segments[1]["assigned_at"] = 101.5  # a normal chat at 101.5 ...
    obs.segments[2]["assigned_at"] = 103.0  # ... while the VIP, seen queued at 100.85, waits on
    assert any("priority 10" in p for p in check.check_order(obs))


def test_chat_during_offline_window_is_caught() -> None:
    """A chat assigned after the agent's acknowledged going offline is reported."""
    obs = _obs()
    obs.offline_windows[10] = [(100.9, 101.1)]
    assert any("after they were offline" in p for p in check.check_offline(obs))
