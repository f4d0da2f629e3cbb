"""Status rules: 在线 / 忙碌 with a busy reason / 离线, clear errors, only 在线 gets chats, the work log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kefu.errors import KefuError
from kefu.extensions import db
from kefu.org.models import AgentStatusLog
from kefu.presence.actions import check_change_status
from kefu.presence.queries import status_state

from .helpers import busy_reason, open_chat


def _logs(agent_id):
    return list(db.session.scalars(
        select(AgentStatusLog).where(AgentStatusLog.user_id == agent_id).order_by(AgentStatusLog.id)))


def test_busy_with_reason_is_logged_with_source_and_reason(make):
    """Going busy with 小休 sets the reason on the agent and logs who, how and why."""
    d = make.desk(status="offline")
    pause = busy_reason(d.company)
    out = check_change_status(d.agent, {"status": "busy", "busy_reason_id": pause.id})
    assert out == {"status": "busy", "busy_reason_id": pause.id, "pending": None}
    check_change_status(d.agent, {"status": "online"})
    assert d.agent.busy_reason_id is None
    log = _logs(d.agent.id)
    assert [(x.old_status, x.new_status, x.source) for x in log] == [
        ("offline", "busy", "self"), ("busy", "online", "self")]
    assert (log[0].busy_reason_id, log[0].reason, log[0].actor_id) == (pause.id, "小休", d.agent.id)


def test_switching_busy_reason_is_a_change_and_same_status_is_not(make):
    """Changing from 小休 to 会议 is logged; choosing the same status and reason again is not."""
    d = make.desk(status="online")
    pause, meeting = busy_reason(d.company), busy_reason(d.company, "会议", "Meeting")
    check_change_status(d.agent, {"status": "busy", "busy_reason_id": pause.id})
    check_change_status(d.agent, {"status": "busy", "busy_reason_id": meeting.id})
    check_change_status(d.agent, {"status": "busy", "busy_reason_id": meeting.id})
    assert [x.busy_reason_id for x in _logs(d.agent.id)][-2:] == [pause.id, meeting.id]
    assert len(_logs(d.agent.id)) == 3  # the factory's online, then two busy changes


@pytest.mark.parametrize("data, code", [
    ({"status": "away"}, "invalid_input"),
    ({"status": "busy", "busy_reason_id": 999}, "unknown_busy_reason"),
    ({"status": "busy", "busy_reason_id": "1"}, "invalid_input"),
    ({"status": "busy", "reason": "长" * 51}, "status_reason_too_long"),
    ("busy", "invalid_input"),
])
def test_bad_status_input_is_refused_with_its_reason(make, data, code):
    """Unknown status, unknown reason id, a non-integer id, a 51-char reason: refused, nothing changes."""
    d = make.desk(status="online")
    with pytest.raises(KefuError) as err:
        check_change_status(d.agent, data)
    assert err.value.code == code
    db.session.rollback()
    assert d.agent.status == "online"


def test_busy_reason_of_another_company_or_disabled_is_refused(make):
    """Another company's reason is cross_company; a disabled one is unknown."""
    d = make.desk(status="online")
    other = make.company()
    foreign = busy_reason(other)
    off = busy_reason(d.company, "培训", "Training", enabled=False)
    with pytest.raises(KefuError) as err:
        check_change_status(d.agent, {"status": "busy", "busy_reason_id": foreign.id})
    assert err.value.code == "cross_company"
    with pytest.raises(KefuError) as err:
        check_change_status(d.agent, {"status": "busy", "busy_reason_id": off.id})
    assert err.value.code == "unknown_busy_reason"
    with pytest.raises(KefuError) as err:
        check_change_status(d.agent, {"status": "online", "busy_reason_id": off.id})
    assert err.value.code == "invalid_input"


def test_only_online_agents_receive_new_chats(make):
    """A busy agent gets nothing (the chat queues); going online hands it over."""
    d = make.desk(status="online")
    check_change_status(d.agent, {"status": "busy"})
    conv = open_chat(make, d.channel)
    assert (conv.status, conv.agent_id) == ("queued", None)
    check_change_status(d.agent, {"status": "online"})
    db.session.refresh(conv)
    assert (conv.status, conv.agent_id) == ("active", d.agent.id)


def test_status_state_lists_enabled_reasons_in_the_readers_language(make):
    """The switcher gets the enabled reasons (English names for English readers) and no request."""
    d = make.desk(status="online")
    busy_reason(d.company)
    busy_reason(d.company, "培训", "Training", enabled=False)
    state = status_state(d.agent, "en")
    assert [r["label"] for r in state["reasons"]] == ["Break"]
    assert state["pending"] is None and state["approval"] is False
    assert status_state(d.agent, "zh")["reasons"][0]["label"] == "小休"
