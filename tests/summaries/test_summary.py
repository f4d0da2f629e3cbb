"""Service summaries (服务总结): validation, one per chat, who may write it, audit, the close guard."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kefu.audit.models import AuditLog
from kefu.conversations.actions import check_close, check_visitor_message, do_close
from kefu.conversations.models import Conversation
from kefu.errors import KefuError, message
from kefu.extensions import db
from kefu.summaries.actions import check_save_summary, check_star
from kefu.summaries.models import ConversationSummary
from kefu.summaries.queries import category_tree, is_starred
from kefu.visitors.token import verify

from .helpers import require_summary, tree


def _chat(d, text="你好"):
    msg, _ = check_visitor_message(verify(d.token), {"text": text})
    return db.session.get(Conversation, msg.conversation_id, populate_existing=True)


def test_agent_saves_then_edits_the_one_summary_and_both_are_audited(make):
    """An agent's summary is stored once per chat; saving again edits it; each save is audit-logged."""
    d = make.desk()
    ids = tree(d.company)
    conv = _chat(d)
    summary, created = check_save_summary(d.agent, {
        "conversation_id": conv.id, "type_ids": [ids["咨询"], ids["退货"]], "status": "solved",
        "remark": "  客户问物流  ", "invalid": False})
    assert created and summary.type_ids == [ids["咨询"], ids["退货"]] and summary.remark == "客户问物流"
    again, created = check_save_summary(d.agent, {
        "conversation_id": conv.id, "type_ids": [ids["投诉"]], "status": "following", "invalid": True})
    assert not created and again.id == summary.id
    assert again.status == "following" and again.invalid and again.type_ids == [ids["投诉"]]
    assert db.session.scalar(select(func.count()).select_from(ConversationSummary)) == 1
    actions = [a.action for a in db.session.scalars(
        select(AuditLog).where(AuditLog.target_type == "ConversationSummary").order_by(AuditLog.id))]
    assert actions == ["create", "update"]


@pytest.mark.parametrize("patch, code", [
    ({"type_ids": "four"}, "invalid_input"),
    ({"status": "done"}, "summary_status"),
    ({"remark": "x" * 1001}, "summary_remark_too_long"),
    ({"type_ids": ["A", "B", "C", "D"]}, "summary_types"),
    ({"type_ids": ["停用"]}, "summary_types"),
    ({"type_ids": ["售前"]}, "summary_types"),  # a business unit is not a type
    ({"type_ids": ["foreign"]}, "summary_types"),
])
def test_invalid_summaries_are_refused_and_nothing_is_stored(make, patch, code):
    """More than 3 types, disabled/foreign/unit ids, an unknown status or a long remark are refused."""
    d = make.desk()
    ids = tree(d.company, disabled_type=True)
    other = tree(make.company())
    named = {"A": ids["咨询"], "B": ids["报价"], "C": ids["活动"], "D": ids["退货"], "停用": ids["停用"],
             "售前": ids["售前"], "foreign": other["咨询"]}
    conv = _chat(d)
    data = {"conversation_id": conv.id, "type_ids": [ids["咨询"]], "status": "solved"}
    data.update(patch)
    if isinstance(data["type_ids"], list):
        data["type_ids"] = [named[t] if isinstance(t, str) else t for t in data["type_ids"]]
    with pytest.raises(KefuError) as err:
        check_save_summary(d.agent, data)
    assert err.value.code == code
    assert db.session.scalar(select(func.count()).select_from(ConversationSummary)) == 0


def test_who_may_write_the_summary(make):
    """The agent who held the chat and a manager of its group may write; a colleague or another
    company's agent is told the chat does not exist."""
    d = make.desk()
    conv = _chat(d)
    colleague = make.user(d.company, groups=[d.group])
    manager = make.user(d.company, role="manager", groups=[d.group])
    outsider = make.desk().agent
    do_close(conv, "agent_removed", actor_id=d.agent.id)
    data = {"conversation_id": conv.id, "status": "unsolved"}
    assert check_save_summary(d.agent, data)[1]  # held it, though it has ended
    assert not check_save_summary(manager, dict(data, remark="主管补充"))[1]
    for user in (colleague, outsider):
        with pytest.raises(KefuError) as err:
            check_save_summary(user, data)
        assert err.value.code == "not_found"


def test_required_summary_blocks_only_the_agents_own_close(make):
    """With 服务总结 required the agent's close is refused (zh/en message) until a summary exists;
    a timeout or the visitor's end still closes the chat."""
    d = make.desk()
    require_summary(d.company)
    conv = _chat(d)
    with pytest.raises(KefuError) as err:
        check_close(d.agent, {"conversation_id": conv.id})
    assert err.value.code == "summary_required" and err.value.status == 409
    assert "服务总结" in message("summary_required", "zh") and "summary" in message("summary_required", "en")
    db.session.expire_all()
    assert db.session.get(Conversation, conv.id).is_open
    check_save_summary(d.agent, {"conversation_id": conv.id, "status": "solved"})
    assert check_close(d.agent, {"conversation_id": conv.id}).status == "closed"
    other = _chat(d, "再问一个")
    do_close(other, "visitor_timeout")  # not the agent's close: not blocked
    db.session.expire_all()
    assert db.session.get(Conversation, other.id).status == "closed"


def test_close_is_not_blocked_when_the_switch_is_off(make):
    """By default (switch off) an agent ends a chat without a summary."""
    d = make.desk()
    conv = _chat(d)
    assert check_close(d.agent, {"conversation_id": conv.id}).status == "closed"


def test_stars_are_per_agent_and_repeats_change_nothing(make):
    """A star is the agent's own; starring twice keeps one star; unstarring removes it."""
    d = make.desk()
    manager = make.user(d.company, role="manager", groups=[d.group])
    conv = _chat(d)
    assert check_star(d.agent, {"conversation_id": conv.id, "starred": True})
    assert check_star(d.agent, {"conversation_id": conv.id, "starred": True})
    assert is_starred(d.agent.id, conv.id) and not is_starred(manager.id, conv.id)
    assert not check_star(d.agent, {"conversation_id": conv.id, "starred": False})
    assert not is_starred(d.agent.id, conv.id)


def test_category_tree_lists_enabled_types_in_the_agents_language(make):
    """The workbench sees enabled units with their enabled types, named in zh or en."""
    d = make.desk()
    tree(d.company, disabled_type=True)
    zh = category_tree(d.company.id, "zh")
    assert [u["name"] for u in zh] == ["售前", "售后"]
    assert [t["name"] for t in zh[1]["types"]] == ["退货", "投诉"]
    assert category_tree(d.company.id, "en")[0]["types"][0]["name"] == "咨询-en"
