"""Presence: a dropped workbench keeps the agent for the grace period, then they go offline."""

from __future__ import annotations

import signal
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from kefu.extensions import db
from kefu.org.models import AgentStatusLog, User
from kefu.presence.models import AgentPresence
from kefu.presence.tracker import sweep
from kefu.timeutil import utcnow

from ..conftest import free_port, login
from ..realtime.helpers import Recorder, second_server
from .helpers import configure, open_chat


def _status(agent_id):
    db.session.rollback()
    return db.session.get(User, agent_id, populate_existing=True).status


def _wait_status(agent_id, status, run_jobs, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run_jobs()
        if _status(agent_id) == status:
            return
        time.sleep(0.2)
    raise AssertionError(f"agent {agent_id} is {_status(agent_id)!r}, not {status!r}")


def _bench(base, agent):
    return Recorder(base, "/agent", session=login(base, agent.email, "agent-pass-123"))


def _disconnect(rec):
    """Drop the socket now (the client's own close handshake would block for 3 s)."""
    rec.close()
    time.sleep(0.2)


def test_dropped_agent_goes_offline_after_the_grace_period(live, make, run_jobs):
    """A closed workbench keeps 在线 within the 2 s grace, then 离线 logged as presence loss."""
    d = make.desk(status="online")
    configure(d.company, presence_grace_seconds=2)
    bench = _bench(live, d.agent)
    assert bench.call("status_state")["status"] == "online"
    _disconnect(bench)
    assert _status(d.agent.id) == "online"
    _wait_status(d.agent.id, "offline", run_jobs)
    log = db.session.scalars(select(AgentStatusLog).order_by(AgentStatusLog.id.desc())).first()
    assert (log.old_status, log.new_status, log.source, log.actor_id) == (
        "online", "offline", "presence", None)


def test_reconnecting_within_the_grace_period_keeps_the_status(live, make, run_jobs):
    """Back within the grace (busy with its reason): still busy after the deadline would have passed."""
    d = make.desk(status="busy")
    configure(d.company, presence_grace_seconds=1)
    _disconnect(_bench(live, d.agent))
    time.sleep(0.3)
    again = _bench(live, d.agent)
    try:
        time.sleep(1.5)
        run_jobs()
        assert _status(d.agent.id) == "busy"
        assert db.session.get(AgentPresence, d.agent.id).offline_due_at is None
    finally:
        again.close()


def test_second_tab_keeps_the_agent_when_one_closes(live, make, run_jobs):
    """Two workbench tabs: closing one starts no grace period."""
    d = make.desk(status="online")
    configure(d.company, presence_grace_seconds=1)
    one, two = _bench(live, d.agent), _bench(live, d.agent)
    try:
        _disconnect(one)
        time.sleep(1.5)
        run_jobs()
        assert _status(d.agent.id) == "online"
    finally:
        two.close()


@pytest.mark.parametrize("policy, status", [("stay", "active"), ("requeue", "queued"), ("close", "closed")])
def test_chats_of_a_dropped_agent_follow_the_setting(live, make, run_jobs, policy, status):
    """After the grace period the open chat stays, goes back to the queue, or ends as 客服离线."""
    d = make.desk(status="online")
    configure(d.company, presence_grace_seconds=1, offline_chats=policy)
    conv = open_chat(make, d.channel)
    _disconnect(_bench(live, d.agent))
    _wait_status(d.agent.id, "offline", run_jobs)
    run_jobs()
    db.session.refresh(conv)
    assert conv.status == status
    if policy == "close":
        assert conv.end_reason == "agent_offline"


def test_sweep_watches_agents_whose_sockets_vanished(make):
    """An agent shown online whose sockets died with their process gets a deadline, then goes offline."""
    d = make.desk(status="online")
    configure(d.company, presence_grace_seconds=5)
    db.session.add(AgentPresence(user_id=d.agent.id, company_id=d.company.id, connected_at=utcnow()))
    db.session.commit()
    now = utcnow()
    assert sweep(now) == 0
    row = db.session.get(AgentPresence, d.agent.id, populate_existing=True)
    assert row.offline_due_at is not None and row.offline_due_at > now
    assert _status(d.agent.id) == "online"
    assert sweep(now + timedelta(seconds=6)) == 1
    assert _status(d.agent.id) == "offline"
    assert sweep(now + timedelta(seconds=12)) == 0  # once


@pytest.fixture()
def other_process(app, live):
    """A second `kefu serve` on the same PostgreSQL and Redis whose sockets expire after 2 s."""
    if not app.config["KEFU_REDIS_URL"]:
        pytest.skip("the embedded mode is one process by design")
    with second_server(app.config, free_port(), KEFU_PRESENCE_TTL="2", KEFU_DEADLINE_TICK="0") as running:
        yield running


def test_reconnect_on_another_process_keeps_the_agent(live, make, run_jobs, other_process):
    """Dropped on process A, back on process B within the grace: still online after it."""
    _proc, base_b = other_process
    d = make.desk(status="online")
    configure(d.company, presence_grace_seconds=1)
    _disconnect(_bench(live, d.agent))
    again = _bench(base_b, d.agent)
    try:
        time.sleep(3.0)  # longer than the grace and than B's socket expiry: B must renew it
        run_jobs()
        sweep()
        assert _status(d.agent.id) == "online"
    finally:
        again.close()


def test_crashed_process_does_not_keep_its_agents_forever(live, make, run_jobs, other_process):
    """Process B is killed with the agent's only socket: after its expiry and the grace, offline."""
    proc, base_b = other_process
    d = make.desk(status="online")
    configure(d.company, presence_grace_seconds=1)
    bench = _bench(base_b, d.agent)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    bench.close()
    time.sleep(2.5)  # B's sockets stop counting
    sweep()  # the periodic sweep (a ticker in `kefu worker`) notices and starts the grace period
    assert _status(d.agent.id) == "online"
    time.sleep(1.2)
    sweep()
    assert _status(d.agent.id) == "offline"
