"""Routing rules in the product: group, priority, overflow and each strategy, on the timeline."""

from __future__ import annotations

from sqlalchemy import select

from kefu.conversations.actions import check_close, check_visitor_message
from kefu.conversations.models import Conversation, ConversationEvent
from kefu.conversations.queries import queue_position
from kefu.decisions.actions import do_publish
from kefu.extensions import db
from kefu.org.actions import do_set_status
from kefu.visitors.token import verify


def _rule(rule_id, when, *then, **extra):
    return {
        "id": rule_id,
        "name": rule_id,
        "when": when,
        "then": [{"action": a, "params": p} for a, p in then],
        **extra,
    }


def _publish(company, point, *rules):
    return do_publish(company.id, point, {"rules": list(rules)})


def _open(make, channel, text="hi", vip=0, uid=None):
    visitor, token = make.visitor_token(channel, uid)
    if vip:
        visitor.vip_level = vip
        db.session.commit()
    msg, _ = check_visitor_message(verify(token), {"text": text})
    return db.session.get(Conversation, msg.conversation_id, populate_existing=True)


def _decisions(conv):
    return [
        e.data
        for e in db.session.scalars(
            select(ConversationEvent)
            .where(ConversationEvent.conversation_id == conv.id, ConversationEvent.kind == "decision")
            .order_by(ConversationEvent.id)
        )
    ]


def test_vip_rule_routes_to_vip_group_ahead_of_the_queue(make):
    """A VIP ≥ 2 rule sends the visitor to the VIP group with high priority, first in its queue."""
    company = make.company()
    general, vip_group = make.group(company), make.group(company, "VIP")
    make.user(company, groups=[vip_group], status="online", max_concurrent=1)
    channel = make.channel(company, general)
    version = _publish(
        company,
        "routing",
        _rule(
            "vip",
            {"all": [{"field": "vip_level", "op": "gte", "value": 2}]},
            ("route", {"group": vip_group.id}),
            ("priority", {"level": "high"}),
        ),
    )
    first = _open(make, channel, vip=2)  # takes the only seat
    waiting = _open(make, channel, vip=2)
    ordinary = _open(make, channel)
    assert ordinary.skill_group_id == general.id and ordinary.priority == 0
    late_vip = _open(make, channel, vip=3)
    assert first.status == "active" and late_vip.status == "queued"
    assert late_vip.skill_group_id == vip_group.id and late_vip.priority == 10
    assert queue_position(waiting) == 1 and queue_position(late_vip) == 2
    routing = _decisions(late_vip)[1]
    assert routing["point"] == "routing" and routing["rule_id"] == "vip"
    assert routing["version"] == version.version and routing["facts"]["vip_level"] == 3


def test_high_priority_goes_ahead_of_earlier_normal_arrivals(make):
    """Within a group, a high-priority conversation is served before earlier normal ones."""
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group], status="offline", max_concurrent=1)
    channel = make.channel(company, group)
    _publish(
        company,
        "routing",
        _rule(
            "vip", {"all": [{"field": "vip_level", "op": "gte", "value": 2}]}, ("priority", {"level": "high"})
        ),
    )
    normal = _open(make, channel)
    vip = _open(make, channel, vip=2)
    assert queue_position(vip) == 1 and queue_position(normal) == 2
    do_set_status(agent, "online")
    db.session.expire_all()
    assert db.session.get(Conversation, vip.id).agent_id == agent.id
    assert db.session.get(Conversation, normal.id).status == "queued"


def test_overflow_when_nobody_is_online_in_the_group(make):
    """Overflow moves the conversation to the backup group when its group has nobody online."""
    company = make.company()
    main, backup = make.group(company), make.group(company)
    backup_agent = make.user(company, groups=[backup], status="online")
    make.user(company, groups=[main], status="offline")
    channel = make.channel(company, main)
    _publish(
        company, "routing", _rule("ovf", None, ("overflow", {"group": backup.id, "when": "none_online"}))
    )
    conv = _open(make, channel)
    assert conv.skill_group_id == backup.id and conv.agent_id == backup_agent.id
    kinds = [
        e.kind
        for e in db.session.scalars(
            select(ConversationEvent).where(ConversationEvent.conversation_id == conv.id)
        )
    ]
    assert "overflow" in kinds


def test_no_overflow_while_the_group_has_someone_online(make):
    """The overflow condition is checked: an online agent in the group keeps the chat there."""
    company = make.company()
    main, backup = make.group(company), make.group(company)
    agent = make.user(company, groups=[main], status="online")
    make.user(company, groups=[backup], status="online")
    channel = make.channel(company, main)
    _publish(
        company, "routing", _rule("ovf", None, ("overflow", {"group": backup.id, "when": "none_online"}))
    )
    conv = _open(make, channel)
    assert conv.skill_group_id == main.id and conv.agent_id == agent.id


def test_round_robin_in_account_creation_order(make):
    """Round robin hands chats to the group's agents in account-creation order, wrapping around."""
    company = make.company()
    group = make.group(company)
    agents = [make.user(company, groups=[group], status="online", max_concurrent=10) for _ in range(3)]
    channel = make.channel(company, group)
    _publish(company, "routing", _rule("rr", None, ("strategy", {"strategy": "round_robin"})))
    got = [_open(make, channel).agent_id for _ in range(5)]
    ids = [a.id for a in agents]
    assert got == [ids[0], ids[1], ids[2], ids[0], ids[1]]


def test_last_agent_first_within_the_window(make):
    """A returning visitor goes back to the agent who served them, even if busier than others."""
    from kefu.visitors.actions import check_open_session

    company = make.company()
    group = make.group(company)
    served = make.user(company, groups=[group], status="online", max_concurrent=10)
    other = make.user(company, groups=[group], status="offline", max_concurrent=10)
    channel = make.channel(company, group)
    _publish(company, "routing", _rule("sticky", None, ("strategy", {"strategy": "last_agent", "hours": 24})))
    _visitor, token = make.visitor_token(channel)
    first_msg, _ = check_visitor_message(verify(token), {"text": "hi"})
    assert db.session.get(Conversation, first_msg.conversation_id).agent_id == served.id
    check_close(served, {"conversation_id": first_msg.conversation_id})
    busy = [_open(make, channel) for _ in range(2)]  # the other agent is offline: both to `served`
    assert {c.agent_id for c in busy} == {served.id}
    do_set_status(other, "online")  # least saturation alone would now pick `other`
    again_token = check_open_session(channel, {"token": token}, "127.0.0.1", "pytest")["token"]
    msg, _ = check_visitor_message(verify(again_token), {"text": "back again"})
    assert db.session.get(Conversation, msg.conversation_id).agent_id == served.id
    assert _open(make, channel).agent_id == other.id  # a new visitor: least saturation


def test_designated_agent_must_serve_and_does_not_block_the_queue(make):
    """A designated agent without fallback: the chat waits for them, others in the group are still served."""
    company = make.company()
    group = make.group(company)
    designated = make.user(company, groups=[group], status="offline")
    other = make.user(company, groups=[group], status="online")
    channel = make.channel(company, group)
    _publish(
        company,
        "routing",
        _rule(
            "vip",
            {"all": [{"field": "vip_level", "op": "gte", "value": 5}]},
            ("strategy", {"strategy": "designated", "agent": designated.id, "fallback": False}),
        ),
    )
    vip = _open(make, channel, vip=5)
    assert vip.status == "queued"
    normal = _open(make, channel)
    assert normal.agent_id == other.id
    do_set_status(designated, "online")
    db.session.expire_all()
    assert db.session.get(Conversation, vip.id).agent_id == designated.id


def test_designated_agent_may_fall_back(make):
    """With fallback, an unavailable designated agent does not keep the visitor waiting."""
    company = make.company()
    group = make.group(company)
    designated = make.user(company, groups=[group], status="offline")
    other = make.user(company, groups=[group], status="online")
    channel = make.channel(company, group)
    _publish(
        company,
        "routing",
        _rule("d", None, ("strategy", {"strategy": "designated", "agent": designated.id, "fallback": True})),
    )
    assert _open(make, channel).agent_id == other.id


def test_reception_picks_group_and_records_mode(make):
    """The reception plan picks the skill group and the mode, and both decisions are on the timeline."""
    company = make.company()
    general, english = make.group(company), make.group(company)
    agent = make.user(company, groups=[english], status="online")
    channel = make.channel(company, general)
    _publish(
        company,
        "reception",
        _rule(
            "en",
            {"all": [{"field": "vip_level", "op": "gte", "value": 1}]},
            ("skill_group", {"group": english.id}),
            ("mode", {"mode": "human_first"}),
            ("greeting", {"text": "Hello"}),
        ),
    )
    conv = _open(make, channel, vip=1)
    assert conv.skill_group_id == english.id and conv.agent_id == agent.id
    assert conv.reception_mode == "human_first"
    reception = _decisions(conv)[0]
    assert reception["rule_id"] == "en" and reception["actions"]["greeting"] == {"text": "Hello"}


def test_rule_pointing_at_a_deleted_group_keeps_the_channel_group(make):
    """A published rule whose group was deleted since does not lose the conversation."""
    company = make.company()
    general, doomed = make.group(company), make.group(company)
    agent = make.user(company, groups=[general], status="online")
    channel = make.channel(company, general)
    _publish(company, "routing", _rule("r", None, ("route", {"group": doomed.id})))
    # The console refuses this delete; a row removed behind its back (SQL, an old version) must
    # still not strand conversations.
    db.session.execute(doomed.__table__.delete().where(doomed.__table__.c.id == doomed.id))
    db.session.commit()
    conv = _open(make, channel)
    assert conv.skill_group_id == general.id and conv.agent_id == agent.id


def test_off_hours_turns_into_a_leave_message_offer(make):
    """With the group closed, the shipped routing rules offer the leave-message form instead of a queue."""
    from kefu.org.models import WorkSchedule
    from kefu.settings.actions import do_save

    company = make.company()
    group = make.group(company)
    make.user(company, groups=[group], status="online")
    channel = make.channel(company, group)
    do_save(None, WorkSchedule(company_id=company.id, name="never", timezone="UTC", weekly={}), created=True)
    conv = _open(make, channel)
    assert conv.status == "closed" and conv.end_reason == "leave_message" and conv.agent_id is None
    points = [(d["point"], d["rule_id"]) for d in _decisions(conv)]
    assert points == [
        ("reception", "office_closed"),
        ("routing", "off_hours"),
        ("leave_message", "off_hours"),
    ]


def test_agent_reply_sets_the_session_deadlines_and_close_clears_them(make):
    """After an agent's reply the shipped session rules set a reminder and an auto-close; close drops them."""
    from kefu.conversations.actions import check_agent_message
    from kefu.decisions.models import ConversationDeadline

    desk = make.desk()
    msg, _ = check_visitor_message(verify(desk.token), {"text": "hello"})
    def kinds():
        query = select(ConversationDeadline.kind).where(
            ConversationDeadline.conversation_id == msg.conversation_id
        )
        return sorted(db.session.scalars(query))

    assert kinds() == ["agent_alert"]
    check_agent_message(desk.agent, {"conversation_id": msg.conversation_id, "text": "hi"})
    assert kinds() == ["auto_close", "remind_visitor"]
    check_close(desk.agent, {"conversation_id": msg.conversation_id})
    assert kinds() == []


def test_visitor_repeats_do_not_push_back_the_agent_alert_but_agent_messages_restart_the_reminder(make):
    """The no-reply alert counts from the first unanswered visitor message; visitor silence from
    the agent's latest message."""
    from datetime import timedelta

    from kefu.conversations.actions import check_agent_message
    from kefu.decisions.models import ConversationDeadline

    desk = make.desk()
    msg, _ = check_visitor_message(verify(desk.token), {"text": "hello"})
    conv_id = msg.conversation_id

    def due(kind):
        db.session.expire_all()
        return db.session.scalar(select(ConversationDeadline.due_at).where(
            ConversationDeadline.conversation_id == conv_id, ConversationDeadline.kind == kind))

    def age_all():  # as if 30 s had passed since the deadlines were set
        for row in db.session.scalars(select(ConversationDeadline).where(
                ConversationDeadline.conversation_id == conv_id)):
            row.due_at -= timedelta(seconds=30)
        db.session.commit()

    age_all()
    alert = due("agent_alert")
    check_visitor_message(verify(desk.token), {"text": "在吗?"})
    assert due("agent_alert") == alert
    check_agent_message(desk.agent, {"conversation_id": conv_id, "text": "在的"})
    age_all()
    reminder = due("remind_visitor")
    check_agent_message(desk.agent, {"conversation_id": conv_id, "text": "请问有什么可以帮您?"})
    assert due("remind_visitor") > reminder
