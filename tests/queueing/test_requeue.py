"""Chats sent back to the queue (the "requeue" offline setting) follow the queue's rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from kefu.conversations.actions import check_visitor_message, do_agent_message
from kefu.conversations.models import Conversation
from kefu.decisions.models import ConversationDeadline
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.presence.actions import check_change_status
from kefu.settings.actions import check_save_company_settings
from kefu.transfers.actions import do_invite
from kefu.visitors.token import verify

from ..conftest import login
from ..realtime.helpers import Recorder


def _conv(conv_id: int) -> Conversation:
    db.session.rollback()
    found = db.session.get(Conversation, conv_id, populate_existing=True)
    assert found is not None
    return found


def _first_message(make, channel, text: str) -> int:
    _v, token = make.visitor_token(channel)
    msg, _ = check_visitor_message(verify(token), {"text": text})
    return msg.conversation_id


def test_released_chat_gets_the_max_wait_loses_its_helper_and_beats_a_full_queue(live, make):
    """An agent going offline with "requeue" on: the chat waits with a max-wait clock even in a full
    queue, and its helper is told they left and can no longer write in it."""
    d = make.desk(max_concurrent=1)
    helper = make.user(d.company, status="online")
    check_save_company_settings(None, d.company.id, {
        "queue_max_length": 1, "queue_max_wait_seconds": 300, "queue_full_text": "",
        "queue_timeout_text": "", "presence_grace_seconds": 180, "offline_chats": "requeue"})
    conv_id = _first_message(make, d.channel, "我要退货")
    assert _conv(conv_id).agent_id == d.agent.id
    waiting_id = _first_message(make, d.channel, "排队")  # the queue (max 1) is now full
    assert _conv(waiting_id).status == "queued"
    bench = Recorder(live, "/agent", session=login(live, helper.email, "agent-pass-123"))
    do_invite(d.agent, conv_id, helper.id)
    bench.wait_for("conversation.invited")
    check_change_status(d.agent, {"status": "offline"})
    conv = _conv(conv_id)
    assert (conv.status, conv.agent_id, conv.participant_ids) == ("queued", None, [])
    kinds = db.session.scalars(select(ConversationDeadline.kind).where(
        ConversationDeadline.conversation_id == conv_id)).all()
    assert kinds == ["queue_wait"]
    assert bench.wait_for("conversation.left")["conversation_id"] == conv_id
    with pytest.raises(KefuError):
        do_agent_message(helper, conv_id, "我来帮忙", None)
    bench.close()


def test_a_helper_cannot_write_into_a_chat_that_is_not_being_served(make):
    """A helper whose chat went back to the queue is refused as "not being served"."""
    d = make.desk()
    helper = make.user(d.company, status="online")
    conv_id = _first_message(make, d.channel, "你好")
    do_invite(d.agent, conv_id, helper.id)
    db.session.execute(update(Conversation).where(Conversation.id == conv_id)
                       .values(status="queued", agent_id=None))  # as a requeue that kept the stay
    db.session.commit()
    with pytest.raises(KefuError) as err:
        do_agent_message(helper, conv_id, "我来帮忙", None)
    assert err.value.code == "not_active"
