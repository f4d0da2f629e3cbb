"""Leave messages (留言): the offer, validated idempotent submissions, assignment per rule, replies."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.conversations.actions import check_visitor_message, do_close
from kefu.conversations.models import Conversation, ConversationEvent
from kefu.decisions.actions import do_publish
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.leavemessages.actions import check_submit, offer
from kefu.leavemessages.models import LeaveMessage
from kefu.visitors.token import verify

from ..conftest import login
from ..realtime.helpers import Recorder


def _queued(d: Any) -> Conversation:
    msg, _ = check_visitor_message(verify(d.token), {"text": "有人吗"})
    return db.session.get(Conversation, msg.conversation_id)


def _offered(d: Any, reason: str = "off_hours") -> Conversation:
    """Queue a chat, offer the form and end the chat, as routing does when nobody can serve."""
    conv = _queued(d)
    offer(conv, reason)
    db.session.commit()
    do_close(conv, "leave_message")
    return conv


def _assign_rule(company_id: int, params: dict[str, Any]) -> None:
    do_publish(company_id, "leave_message", {"rules": [
        {"id": "assign", "name": "assign", "when": None,
         "then": [{"action": "assign", "params": params},
                  {"action": "auto_reply", "params": {"text": "收到"}}]}]})


def _form(client_id: str = "lm-1", **extra: Any) -> dict[str, Any]:
    return {"client_id": client_id, "name": "王五", "phone": "+86 138-0000-0000",
            "email": "wang@example.com", "content": "请回电", **extra}


def _count() -> int:
    return int(db.session.scalar(select(func.count(LeaveMessage.id))) or 0)


def test_offer_sends_the_form_and_records_the_decision(live, make):
    """An off-hours offer reaches the visitor with the rule's text and fields, and goes on the timeline."""
    d = make.desk(status="offline")
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    conv = _offered(d, "off_hours")
    got = widget.wait_for("leave_message.offer")
    assert got["conversation_id"] == conv.id and got["reason"] == "off_hours"
    assert got["fields"] == ["name", "phone", "email", "content"]
    assert "非工作时间" in got["text"]
    events = db.session.scalars(select(ConversationEvent).where(
        ConversationEvent.conversation_id == conv.id, ConversationEvent.kind == "decision")).all()
    (decided,) = [e for e in events if e.data.get("point") == "leave_message"]
    assert decided.data["rule_id"] == "off_hours" and decided.data["facts"]["reason"] == "off_hours"
    widget.close()


def test_no_offer_decision_is_returned(make):
    """A rule saying no_offer is returned to the caller (who then offers nothing)."""
    d = make.desk(status="offline")
    do_publish(d.company.id, "leave_message", {"rules": [
        {"id": "none", "name": "none", "when": None, "then": [{"action": "no_offer", "params": {}}]}]})
    decision = offer(_queued(d), "queue_full")
    db.session.commit()
    assert "no_offer" in decision.actions and decision.rule_id == "none"


def test_submit_is_idempotent(make):
    """Submitting the same form twice (same client id) stores it once and returns the same row."""
    d = make.desk(status="offline")
    first = check_submit(verify(d.token), _form())
    second = check_submit(verify(d.token), _form())
    assert first.id == second.id and _count() == 1
    assert first.fields == {"name": "王五", "phone": "+86 138-0000-0000", "email": "wang@example.com"}
    assert first.reason == "visitor_choice" and first.status == "new"


@pytest.mark.parametrize(("data", "code"), [
    ({"email": "not-an-email"}, "invalid_email"),
    ({"phone": "abc"}, "invalid_phone"),
    ({"name": "名" * 61}, "name_too_long"),
    ({"content": "   "}, "leave_message_content"),
    ({"content": "x" * 2001}, "leave_message_content"),
])
def test_invalid_forms_are_refused_with_a_clear_error(make, data, code):
    """Each bad field gets its own zh/en error and nothing is stored."""
    d = make.desk(status="offline")
    with pytest.raises(KefuError) as err:
        check_submit(verify(d.token), _form(**data))
    body = err.value.to_dict("en")["error"]
    assert body["code"] == code and body["message_zh"] and body["message_en"] != body["message_zh"]
    assert _count() == 0


def test_bad_email_over_the_socket(live, make):
    """The socket ack carries the invalid_email error in the visitor's language; nothing is stored."""
    d = make.desk(status="offline")
    widget = Recorder(live, "/visitor", auth={"token": d.token, "lang": "en"})
    ack = widget.call("leave_message.submit", _form(email="wang@"))
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_email"
    assert ack["error"]["message"] == ack["error"]["message_en"] and "email" in ack["error"]["fields"]
    assert "邮箱" in ack["error"]["message_zh"]
    missing = widget.call("leave_message.submit", {"content": "hi"})
    assert missing["ok"] is False and "client_id" in missing["error"]["fields"]
    assert _count() == 0
    widget.close()


def test_submit_over_the_socket_gets_the_auto_reply(live, make):
    """After an off-hours offer, the submission is acked with its id and the auto-reply arrives."""
    d = make.desk(status="offline")
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    conv = _offered(d, "off_hours")
    ack = widget.call("leave_message.submit", _form(conversation_id=conv.id))
    assert ack["ok"] is True
    again = widget.call("leave_message.submit", _form(conversation_id=conv.id))
    assert again == ack
    got = widget.wait_for("leave_message.received")
    assert got["id"] == ack["id"] and got["auto_reply"] == "已收到您的留言，我们上班后会第一时间回复。"
    assert got["reply_within_hours"] == 24
    db.session.expire_all()
    stored = db.session.get(LeaveMessage, ack["id"])
    assert (stored.reason, stored.conversation_id, stored.agent_id) == ("off_hours", conv.id, None)
    assert stored.decision["rule_id"] == "off_hours" and stored.decision["assigned_to"] == "pool"
    widget.close()


def test_assign_to_pool_group_and_agent(make):
    """`pool` leaves it unassigned; `group` sets the group; `agent` names an agent of the company."""
    d = make.desk(status="offline")
    other = make.group(d.company, "留言组")
    _assign_rule(d.company.id, {"to": "pool"})
    lm = check_submit(verify(d.token), _form("a"))
    assert (lm.skill_group_id, lm.agent_id) == (None, None)
    _assign_rule(d.company.id, {"to": "group", "group": other.id})
    lm = check_submit(verify(d.token), _form("b"))
    assert (lm.skill_group_id, lm.agent_id) == (other.id, None)
    _assign_rule(d.company.id, {"to": "agent", "agent": d.agent.id})
    lm = check_submit(verify(d.token), _form("c"))
    assert lm.agent_id == d.agent.id and lm.decision["assigned_to"] == "agent"


def test_assign_to_last_agent(make):
    """`last_agent` goes to the agent of the visitor's latest served chat, else to the pool."""
    d = make.desk()
    _assign_rule(d.company.id, {"to": "last_agent"})
    served = _queued(d)
    assert served.agent_id == d.agent.id
    do_close(served, "agent_removed")
    lm = check_submit(verify(d.token), _form("x"))
    assert lm.agent_id == d.agent.id and lm.decision["facts"]["has_last_agent"] is True
    _newcomer, token = make.visitor_token(d.channel)
    lm = check_submit(verify(token), _form("y"))
    assert lm.agent_id is None and lm.decision["assigned_to"] == "pool"


def test_assign_round_robin(make):
    """`round_robin` takes the group's agents in account creation order, after the last assignee."""
    d = make.desk(status="offline")
    second = make.user(d.company, groups=[d.group])
    _assign_rule(d.company.id, {"to": "round_robin"})
    got = []
    for n in range(3):
        _visitor, token = make.visitor_token(d.channel)
        got.append(check_submit(verify(token), _form(f"rr-{n}")).agent_id)
    assert got == [d.agent.id, second.id, d.agent.id]


def test_assigned_agent_is_notified(live, make):
    """The assigned agent's workbench hears leave_message.created."""
    d = make.desk(status="offline")
    _assign_rule(d.company.id, {"to": "agent", "agent": d.agent.id})
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    ack = widget.call("leave_message.submit", _form("n-1"))
    assert ack["ok"] is True
    got = bench.wait_for("leave_message.created")
    assert got["leave_message"]["id"] == ack["id"] and got["leave_message"]["content"] == "请回电"
    assert widget.wait_for("leave_message.received")["auto_reply"] == "收到"
    bench.close()
    widget.close()
