"""Non-transferable chats come from the routing rules; per-agent metrics follow each segment."""

from __future__ import annotations

import pytest

from kefu.conversations.actions import check_agent_message, check_visitor_message, do_close
from kefu.conversations.models import Conversation, ConversationSegment
from kefu.decisions.actions import do_publish
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.transfers.actions import check_invite, check_transfer
from kefu.visitors.token import verify

from .helpers import conv, open_chat


def test_designated_rule_marks_chat_non_transferable(make):
    """A routing rule "designated agent, transferable: no" ties the chat: a transfer is refused;
    without the flag the same chat could be transferred."""
    company = make.company()
    group = make.group(company)
    owner = make.user(company, groups=[group], status="online")
    colleague = make.user(company, groups=[group], status="online")
    channel = make.channel(company, group)
    do_publish(company.id, "routing", {"rules": [{
        "id": "tied", "name": "tied", "when": None,
        "then": [{"action": "strategy", "params": {"strategy": "designated", "agent": owner.id,
                                                   "transferable": False}}],
    }]})
    _, token = make.visitor_token(channel)
    msg, _ = check_visitor_message(verify(token), {"text": "hi"})
    tied = conv(msg.conversation_id)
    assert tied.agent_id == owner.id and tied.routing["transferable"] is False
    with pytest.raises(KefuError) as err:
        check_transfer(owner, {"conversation_id": tied.id, "agent_id": colleague.id})
    assert err.value.code == "not_transferable"
    assert conv(tied.id).agent_id == owner.id


def test_bad_transferable_param_is_refused_by_the_rules_validation(make):
    """The rule editor's schema knows the new parameter: a non-boolean is refused."""
    company = make.company()
    with pytest.raises(Exception) as err:
        do_publish(company.id, "routing", {"rules": [{
            "id": "bad", "name": "bad", "when": None,
            "then": [{"action": "strategy", "params": {"strategy": "designated", "transferable": "maybe"}}],
        }]})
    assert "Transferable" in str(err.value)


def test_segment_metrics_count_each_agent_once_after_transfer(make, run_jobs):
    """After A answers, transfers to B who answers, and a helper C writes, the closed chat has two
    segments: A's and B's, each with its own replies and first response; C's reply counts for neither."""
    d = open_chat(make)
    helper = make.user(d.company, groups=[d.group], status="online")
    check_agent_message(d.agent, {"conversation_id": d.conv_id, "text": "A 的回复"})
    check_transfer(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id, "reason": "r"})
    check_invite(d.colleague, {"conversation_id": d.conv_id, "agent_id": helper.id})
    check_agent_message(helper, {"conversation_id": d.conv_id, "text": "C 的补充"})
    segment_b = db.session.query(ConversationSegment).filter_by(
        conversation_id=d.conv_id, agent_id=d.colleague.id).one()
    assert segment_b.first_response_at is None  # the helper's reply is not B's first response
    check_agent_message(d.colleague, {"conversation_id": d.conv_id, "text": "B 的回复"})
    do_close(db.session.get(Conversation, d.conv_id), "agent_removed", actor_id=d.colleague.id)
    run_jobs()
    db.session.expire_all()
    rows = db.session.query(ConversationSegment).filter_by(conversation_id=d.conv_id).order_by(
        ConversationSegment.id).all()
    assert [(s.agent_id, s.end_kind, s.agent_messages) for s in rows] == [
        (d.agent.id, "transferred", 1), (d.colleague.id, "closed", 1)]
    assert all(s.first_response_seconds is not None for s in rows)
