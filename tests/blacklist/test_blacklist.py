"""Blacklist (黑名单): an agent blacklists a visitor from a chat; no human serves them until it ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kefu.audit.models import AuditLog
from kefu.blacklist.actions import check_blacklist, do_lift
from kefu.blacklist.models import BlacklistEntry
from kefu.blacklist.queries import is_blacklisted
from kefu.conversations.actions import check_visitor_message
from kefu.conversations.models import Conversation, ConversationEvent, Message
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.timeutil import utcnow
from kefu.visitors.token import verify


def _chat(d, text="你好"):
    msg, _ = check_visitor_message(verify(d.token), {"text": text})
    return db.session.get(Conversation, msg.conversation_id, populate_existing=True)


def _kinds(conv_id):
    db.session.expire_all()
    return [e.kind for e in db.session.scalars(
        select(ConversationEvent).where(ConversationEvent.conversation_id == conv_id)
        .order_by(ConversationEvent.id))]


def test_blacklisting_ends_the_chat_records_and_keeps_the_visitor_away(make):
    """Blacklisting ends the chat as "blacklisted", is on the timeline and in the audit log; the
    visitor's next message is stored on a conversation that no agent receives."""
    d = make.desk()
    conv = _chat(d)
    entry, created = check_blacklist(d.agent, {"conversation_id": conv.id, "reason": "辱骂客服",
                                               "duration": "7d"})
    assert created and entry.reason == "辱骂客服" and entry.created_by_id == d.agent.id
    assert timedelta(days=6, hours=23) < entry.expires_at - utcnow() <= timedelta(days=7)
    db.session.expire_all()
    conv = db.session.get(Conversation, conv.id)
    assert conv.status == "closed" and conv.end_reason == "blacklisted"
    assert "blacklisted" in _kinds(conv.id)
    assert db.session.scalars(select(AuditLog).where(AuditLog.action == "blacklist")).one()
    later = _chat(d, "我又来了")
    assert later.id != conv.id and later.status == "closed" and later.end_reason == "blacklisted"
    assert later.agent_id is None and later.queued_at is None
    texts = [m.body for m in db.session.scalars(
        select(Message).where(Message.conversation_id == later.id).order_by(Message.id))]
    assert texts[0] == "我又来了"  # nothing the visitor sends is lost
    assert "无法联系人工客服" in texts[1]
    assert "decision" not in _kinds(later.id)  # never reached the routing rules


def test_lifting_lets_the_visitor_reach_an_agent_again(make):
    """解除拉黑: after the lift the visitor's next chat goes to an agent; lift is audited and timelined."""
    d = make.desk()
    conv = _chat(d)
    entry, _ = check_blacklist(d.agent, {"conversation_id": conv.id, "reason": "spam",
                                         "duration": "permanent"})
    assert entry.expires_at is None
    admin = make.user(d.company, role="admin")
    do_lift(admin, entry)
    assert not is_blacklisted(d.company.id, d.visitor.id)
    assert "blacklist_lifted" in _kinds(conv.id)
    assert db.session.scalars(select(AuditLog).where(AuditLog.action == "unblacklist")).one()
    again = _chat(d, "重新咨询")
    assert again.status == "active" and again.agent_id == d.agent.id
    with pytest.raises(KefuError) as err:
        do_lift(admin, entry)
    assert err.value.code == "blacklist_lifted"


def test_blacklisting_expires(make):
    """A 1-day blacklisting stops keeping the visitor away once it expires."""
    d = make.desk()
    conv = _chat(d)
    entry, _ = check_blacklist(d.agent, {"conversation_id": conv.id, "reason": "spam", "duration": "1d"})
    assert _chat(d, "still blocked").status == "closed"
    db.session.execute(update(BlacklistEntry).where(BlacklistEntry.id == entry.id)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert _chat(d, "after expiry").status == "active"


@pytest.mark.parametrize("data, code", [
    ({"reason": "", "duration": "7d"}, "blacklist_reason"),
    ({"reason": "   ", "duration": "7d"}, "blacklist_reason"),
    ({"reason": "x" * 201, "duration": "7d"}, "blacklist_reason"),
    ({"reason": "spam", "duration": "2d"}, "blacklist_duration"),
    ({"reason": "spam"}, "blacklist_duration"),
])
def test_bad_reason_or_duration_is_refused_and_changes_nothing(make, data, code):
    """An empty or over-long reason, or a duration other than 1/7/30 days or permanent, is refused."""
    d = make.desk()
    conv = _chat(d)
    with pytest.raises(KefuError) as err:
        check_blacklist(d.agent, {"conversation_id": conv.id, **data})
    assert err.value.code == code
    db.session.rollback()
    assert db.session.get(Conversation, conv.id).status == "active"
    assert not db.session.scalars(select(BlacklistEntry)).all()


def test_foreign_or_unassigned_conversation_is_refused(make):
    """Another company's agent gets not-found; a colleague who does not hold the chat is refused."""
    d = make.desk()
    conv = _chat(d)
    other = make.desk()
    with pytest.raises(KefuError) as err:
        check_blacklist(other.agent, {"conversation_id": conv.id, "reason": "x", "duration": "1d"})
    assert err.value.code == "not_found"
    colleague = make.user(d.company, role="admin", groups=[d.group])
    with pytest.raises(KefuError) as err:
        check_blacklist(colleague, {"conversation_id": conv.id, "reason": "x", "duration": "1d"})
    assert err.value.code == "not_assigned"
    db.session.rollback()
    assert not db.session.scalars(select(BlacklistEntry)).all()


def test_replay_changes_nothing(make):
    """The same blacklist request sent twice makes one entry and one timeline event."""
    d = make.desk()
    conv = _chat(d)
    data = {"conversation_id": conv.id, "reason": "spam", "duration": "30d"}
    first, created = check_blacklist(d.agent, data)
    again, created_again = check_blacklist(d.agent, data)
    assert created and not created_again and again.id == first.id
    assert len(db.session.scalars(select(BlacklistEntry)).all()) == 1
    assert _kinds(conv.id).count("blacklisted") == 1


def test_a_blacklisted_visitor_cannot_leave_a_message(make):
    """A blacklisted visitor's leave message (and file) is refused with a clear zh/en error; none stored."""
    import io

    from kefu.leavemessages.actions import check_submit, check_upload
    from kefu.leavemessages.models import LeaveMessage

    d = make.desk()
    conv = _chat(d)
    check_blacklist(d.agent, {"conversation_id": conv.id, "reason": "spam", "duration": "7d"})
    with pytest.raises(KefuError) as err:
        check_submit(verify(d.token), {"client_id": "lm-1", "name": "王五", "phone": "13800000000",
                                       "content": "让我跟人说话"})
    assert err.value.code == "leave_blacklisted" and err.value.status == 403
    body = err.value.to_dict("zh")["error"]
    assert body["message_zh"] == "暂时无法留言：人工客服目前无法为您服务"
    assert body["message_en"] == "You cannot leave a message for now: no agent can serve you"
    with pytest.raises(KefuError) as err:
        check_upload(verify(d.token), "photo", "a.txt", io.BytesIO(b"hello"))
    assert err.value.code == "leave_blacklisted"
    assert db.session.scalars(select(LeaveMessage)).all() == []
