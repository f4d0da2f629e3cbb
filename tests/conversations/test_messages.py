"""Sending messages: validation, idempotent client ids, nothing lost or duplicated."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kefu.conversations.actions import check_agent_message, check_close, check_visitor_message
from kefu.conversations.models import Conversation, ConversationEvent, Message
from kefu.errors import KefuError, ValidationFailed
from kefu.extensions import db
from kefu.visitors.token import verify


@pytest.fixture()
def chat(make):
    """A company with one online agent, a channel and a visitor's token claims."""
    d = make.desk()
    return {"agent": d.agent, "channel": d.channel, "claims": verify(d.token), "company": d.company}


def _count(model=Message) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"text": ""}, "empty_message"),
        ({"text": "   \n "}, "empty_message"),
        ({"text": "x" * 5001}, "message_too_long"),
        ({}, "invalid_input"),
        ({"text": 42}, "invalid_input"),
        ("not an object", "invalid_input"),
        ({"text": "ok", "client_id": "x" * 65}, "invalid_input"),
    ],
)
def test_bad_visitor_messages_are_refused_and_nothing_is_stored(chat, data, code):
    """Empty, over-long or malformed messages get a clear bilingual error and store nothing."""
    with pytest.raises(KefuError) as err:
        check_visitor_message(chat["claims"], data)
    body = err.value.to_dict("en")["error"]
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"] and body["message_zh"] != body["message_en"]
    db.session.rollback()
    assert _count() == 0 and _count(Conversation) == 0


def test_exactly_5000_characters_is_accepted(chat):
    """The limit is inclusive: 5,000 characters are stored whole."""
    msg, created = check_visitor_message(chat["claims"], {"text": "字" * 5000})
    assert created and len(msg.body) == 5000


def test_repeated_client_id_is_stored_and_delivered_once(chat):
    """Resending with the same client id returns the first message and stores nothing new."""
    first, created = check_visitor_message(chat["claims"], {"text": "hello", "client_id": "c1"})
    again, created_again = check_visitor_message(chat["claims"], {"text": "hello", "client_id": "c1"})
    assert created and not created_again and again.id == first.id
    assert _count() == 1
    reply, _ = check_agent_message(chat["agent"], {"conversation_id": first.conversation_id,
                                                   "text": "hi", "client_id": "a1"})
    dup, dup_created = check_agent_message(chat["agent"], {"conversation_id": first.conversation_id,
                                                           "text": "hi", "client_id": "a1"})
    assert dup.id == reply.id and not dup_created and _count() == 2


def test_first_message_opens_one_conversation_assigned_to_the_agent(chat):
    """The first message opens a conversation (reception and routing decide, on the timeline);
    later ones join it; the agent gets it."""
    m1, _ = check_visitor_message(chat["claims"], {"text": "one"})
    m2, _ = check_visitor_message(chat["claims"], {"text": "two"})
    assert m1.conversation_id == m2.conversation_id and _count(Conversation) == 1
    conv = db.session.get(Conversation, m1.conversation_id)
    assert conv.status == "active" and conv.agent_id == chat["agent"].id
    assert conv.queued_at and conv.assigned_at and conv.queued_at <= conv.assigned_at
    events = list(db.session.scalars(select(ConversationEvent).order_by(ConversationEvent.id)))
    assert [e.kind for e in events] == ["decision", "decision", "queued", "assigned"]
    assert [e.data["point"] for e in events[:2]] == ["reception", "routing"]
    assert all(e.data["version"] == 1 for e in events[:2])  # the shipped rulesets, published


def test_agent_reply_records_first_response_once(chat):
    """The first agent reply sets first_response_at; later replies do not move it."""
    m, _ = check_visitor_message(chat["claims"], {"text": "q"})
    r1, _ = check_agent_message(chat["agent"], {"conversation_id": m.conversation_id, "text": "a1"})
    check_agent_message(chat["agent"], {"conversation_id": m.conversation_id, "text": "a2"})
    conv = db.session.get(Conversation, m.conversation_id)
    assert conv.first_response_at == r1.created_at
    assert conv.segments[0].first_response_at == r1.created_at


def test_closed_conversation_refuses_replies_and_next_message_opens_new(chat):
    """After close the agent cannot reply; the visitor's next message opens a new conversation."""
    m, _ = check_visitor_message(chat["claims"], {"text": "q"})
    conv = check_close(chat["agent"], {"conversation_id": m.conversation_id})
    assert conv.status == "closed" and conv.end_reason == "agent_removed"
    with pytest.raises(KefuError) as err:
        check_agent_message(chat["agent"], {"conversation_id": conv.id, "text": "late"})
    assert err.value.code == "conversation_closed"
    db.session.rollback()
    m2, _ = check_visitor_message(chat["claims"], {"text": "again"})
    assert m2.conversation_id != conv.id


def test_agent_message_schema_errors_name_the_field(chat):
    """A reply without conversation_id is refused with a field error."""
    with pytest.raises(ValidationFailed) as err:
        check_agent_message(chat["agent"], {"text": "hi"})
    assert "conversation_id" in err.value.fields


def test_disabled_channel_refuses_messages(chat):
    """A visitor of a disabled channel cannot send."""
    chat["channel"].enabled = False
    db.session.commit()
    with pytest.raises(KefuError) as err:
        check_visitor_message(chat["claims"], {"text": "hi"})
    assert err.value.code == "channel_disabled"


def test_events_are_published_only_after_commit(chat, monkeypatch):
    """A write that rolls back emits nothing; a committed one emits after commit."""
    from kefu.extensions import socketio
    from kefu.realtime.events import publish

    sent: list[str] = []
    monkeypatch.setattr(socketio, "emit", lambda event, *a, **k: sent.append(event))
    publish({"type": "probe"}, ("/visitor", "visitor:1"))
    assert sent == []
    db.session.rollback()  # discards the pending event
    db.session.commit()
    assert sent == []
    m, _ = check_visitor_message(chat["claims"], {"text": "committed"})
    assert sent == ["message.created", "conversation.assigned", "conversation.assigned"]
    assert _count() == 1 and m.id


def test_resend_after_close_does_not_open_a_new_conversation(chat):
    """A message resent (same client id) after its conversation closed is not stored again."""
    m, _ = check_visitor_message(chat["claims"], {"text": "q", "client_id": "late-1"})
    check_close(chat["agent"], {"conversation_id": m.conversation_id})
    again, created = check_visitor_message(chat["claims"], {"text": "q", "client_id": "late-1"})
    assert not created and again.id == m.id
    assert _count() == 1 and _count(Conversation) == 1
    fresh, created = check_visitor_message(chat["claims"], {"text": "new", "client_id": "late-2"})
    assert created and fresh.conversation_id != m.conversation_id
