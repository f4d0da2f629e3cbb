"""Forced offline (强制下线) and what happens to the agent's open chats: stay, requeue or close."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kefu.audit.models import AuditLog
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.org.models import AgentStatusLog, User
from kefu.presence.actions import check_change_status, check_force_offline

from ..conftest import login
from ..realtime.helpers import Recorder
from .helpers import configure, open_chat


def _owner(company):
    return db.session.scalars(select(User).where(User.company_id == company.id, User.role == "owner")).one()


def test_force_offline_tells_the_live_workbench_and_is_audited(live, make):
    """The agent's socket gets agent.forced_offline and agent.status offline; audit and log say who."""
    d = make.desk(status="online")
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    try:
        owner = _owner(d.company)
        check_force_offline(owner, d.agent.id)
        notice = bench.wait_for("agent.forced_offline")
        assert notice["agent_id"] == d.agent.id
        assert bench.wait_for("agent.status")["status"] == "offline"
    finally:
        bench.close()
    db.session.refresh(d.agent)
    assert d.agent.status == "offline"
    log = db.session.scalars(select(AgentStatusLog).order_by(AgentStatusLog.id.desc())).first()
    assert (log.source, log.actor_id) == ("admin", owner.id)
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "force_offline"))


def test_only_admins_of_the_company_force_offline(make):
    """An agent cannot force a colleague; another company's owner gets not found."""
    d = make.desk(status="online")
    peer = make.user(d.company)
    for actor in (peer, _owner(make.company())):
        with pytest.raises(KefuError) as err:
            check_force_offline(actor, d.agent.id)
        assert err.value.code == "not_found"
    db.session.refresh(d.agent)
    assert d.agent.status == "online"


@pytest.mark.parametrize("policy, status, reason", [
    ("stay", "active", None), ("requeue", "queued", None), ("close", "closed", "agent_offline")])
def test_open_chats_follow_the_offline_setting(make, policy, status, reason):
    """Forced offline: chats stay assigned, go back to the queue, or end as 客服离线, per setting."""
    d = make.desk(status="online")
    configure(d.company, offline_chats=policy)
    conv = open_chat(make, d.channel)
    assert conv.agent_id == d.agent.id
    check_force_offline(_owner(d.company), d.agent.id)
    db.session.refresh(conv)
    assert (conv.status, conv.end_reason) == (status, reason)
    assert conv.agent_id == (d.agent.id if policy != "requeue" else None)


def test_going_offline_oneself_also_follows_the_setting(make):
    """An agent who sets themselves offline with requeue on hands their chats back to the queue."""
    d = make.desk(status="online")
    configure(d.company, offline_chats="requeue")
    conv = open_chat(make, d.channel)
    check_change_status(d.agent, {"status": "offline"})
    db.session.refresh(conv)
    assert (conv.status, conv.agent_id) == ("queued", None)


def test_close_policy_spares_a_chat_transferred_meanwhile(make, monkeypatch):
    """Going offline with "close" ends the agent's chats; one transferred meanwhile stays open."""
    from kefu.conversations import queries
    from kefu.org.actions import do_set_status
    from kefu.presence.actions import after_offline

    d = make.desk(status="online")
    colleague = make.user(d.company, groups=[d.group])
    configure(d.company, offline_chats="close")
    mine, moved = open_chat(make, d.channel), open_chat(make, d.channel)
    assert mine.agent_id == moved.agent_id == d.agent.id
    stale = [mine, moved]
    moved.agent_id = colleague.id  # handed over after the agent's chat list was read
    db.session.commit()
    monkeypatch.setattr(queries, "agent_open_conversations", lambda agent_id: list(stale))
    do_set_status(d.agent, "offline")
    assert after_offline(d.agent.id, None) == 1
    db.session.refresh(mine)
    db.session.refresh(moved)
    assert (mine.status, mine.end_reason) == ("closed", "agent_offline")
    assert (moved.status, moved.agent_id) == ("active", colleague.id)
