"""After any end the visitor starts a new chat by writing again; a quick reconnect keeps the chat."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kefu.blacklist.actions import check_blacklist, do_lift
from kefu.conversations.actions import check_close, check_visitor_message, do_close
from kefu.conversations.models import Conversation
from kefu.ending.actions import check_visitor_end, do_visitor_left, socket_closed, socket_opened
from kefu.ending.models import VisitorPresence
from kefu.ending.texts import AGENT_TEXTS, VISITOR_TEXTS, end_text
from kefu.extensions import db
from kefu.timeutil import iso
from kefu.visitors.token import VisitorClaims, issue, verify


def _say(token, text):
    msg, _ = check_visitor_message(verify(token), {"text": text})
    return db.session.get(Conversation, msg.conversation_id, populate_existing=True)


def _end(d, conv, reason, make):
    """Reach `reason` the way the product does (or through do_close for the other parts' reasons)."""
    if reason == "agent_removed":
        check_close(d.agent, {"conversation_id": conv.id})
    elif reason == "visitor_closed":
        check_visitor_end(verify(d.token), {"conversation_id": conv.id})
    elif reason == "blacklisted":
        entry, _ = check_blacklist(d.agent, {"conversation_id": conv.id, "reason": "r", "duration": "1d"})
        do_lift(make.user(d.company, role="admin"), entry)
    elif reason == "visitor_new_page":
        other = make.channel(d.company, d.group)
        _say(issue(VisitorClaims(d.visitor.id, other.id, d.company.id)), "elsewhere")
    else:
        do_close(conv, reason)


@pytest.mark.parametrize("reason", sorted(set(AGENT_TEXTS) - {"queue_abandoned", "leave_message"}))
def test_writing_again_after_any_end_opens_a_new_chat(make, reason):
    """重建会话: whatever ended the chat, the visitor's next message opens a new one that an agent gets."""
    d = make.desk()
    first = _say(d.token, "第一次")
    _end(d, first, reason, make)
    db.session.expire_all()
    ended = db.session.get(Conversation, first.id)
    assert ended.status == "closed" and ended.end_reason == reason
    again = _say(d.token, "我又来了")
    assert again.id != first.id and again.status == "active" and again.agent_id == d.agent.id


def test_writing_again_after_leaving_the_queue_opens_a_new_chat(make):
    """A visitor who left the queue is queued afresh when they write again."""
    d = make.desk(status="offline")
    first = _say(d.token, "有人吗")
    assert check_visitor_end(verify(d.token), {}).end_reason == "queue_abandoned"
    again = _say(d.token, "再试一次")
    assert again.id != first.id and again.status == "queued"


def test_every_end_reason_has_both_texts():
    """Each of the conversation model's end reasons has a visitor and an agent text in zh and en."""
    from kefu.conversations.models import END_REASONS

    for reason in END_REASONS:
        assert reason in AGENT_TEXTS and reason in VISITOR_TEXTS
        texts = end_text(reason)
        assert texts and all(texts[side][lang] for side in ("visitor", "agent") for lang in ("zh", "en"))
    assert AGENT_TEXTS["agent_offline"][0] == "客服离线，本次会话结束"


def test_a_reconnect_within_the_grace_period_keeps_the_chat(make):
    """Leaving one page for another (socket gone, back within the grace period) does not end the chat."""
    d = make.desk()
    conv = _say(d.token, "hi")
    socket_opened(d.visitor.id, d.channel.id)
    socket_opened(d.visitor.id, d.channel.id)  # two tabs
    socket_closed(d.visitor.id, d.channel.id)
    row = db.session.scalars(select(VisitorPresence)).one()
    assert row.sockets == 1 and row.gone_at is None  # one tab still open: no clock
    socket_closed(d.visitor.id, d.channel.id)
    db.session.expire_all()
    gone = iso(db.session.scalars(select(VisitorPresence)).one().gone_at)
    socket_opened(d.visitor.id, d.channel.id)  # the next page connected
    assert do_visitor_left(d.visitor.id, d.channel.id, gone) is False
    socket_closed(d.visitor.id, d.channel.id)
    db.session.expire_all()
    later = iso(db.session.scalars(select(VisitorPresence)).one().gone_at)
    assert do_visitor_left(d.visitor.id, d.channel.id, gone) is False  # an older departure's check
    assert do_visitor_left(d.visitor.id, d.channel.id, later) is True
    db.session.expire_all()
    assert db.session.get(Conversation, conv.id).end_reason == "visitor_closed"
    assert do_visitor_left(d.visitor.id, d.channel.id, later) is False  # idempotent


def test_ending_a_foreign_conversation_is_not_found(make):
    """A visitor cannot end another visitor's chat by naming its id."""
    from kefu.errors import KefuError

    d = make.desk()
    conv = _say(d.token, "mine")
    _other, token = make.visitor_token(d.channel)
    with pytest.raises(KefuError) as err:
        check_visitor_end(verify(token), {"conversation_id": conv.id})
    assert err.value.code == "not_found"
    assert db.session.get(Conversation, conv.id).status == "active"


def test_a_chat_closed_at_once_elsewhere_keeps_the_served_chat(make):
    """A visitor served on one channel who writes once on a closed-hours channel keeps the served chat."""
    from kefu.org.models import WorkSchedule
    from kefu.settings.actions import do_save

    d = make.desk()
    served = _say(d.token, "在吗")
    assert served.status == "active"
    night = make.group(d.company)
    make.user(d.company, groups=[night], status="online")
    do_save(None, WorkSchedule(company_id=d.company.id, skill_group_id=night.id, name="never",
                               timezone="UTC", weekly={}), created=True)
    elsewhere = _say(issue(VisitorClaims(d.visitor.id, make.channel(d.company, night).id, d.company.id)),
                     "还有一个问题")
    assert elsewhere.status == "closed" and elsewhere.end_reason == "leave_message"
    db.session.expire_all()
    assert db.session.get(Conversation, served.id).status == "active"
