"""The queue as a visitor lives it over Socket.IO: place and wait pushed, limits, the max-wait
prompt, leaving the queue (排队放弃) — each answer idempotent on replay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kefu.conversations.actions import do_close
from kefu.conversations.models import Conversation, ConversationEvent
from kefu.decisions.deadlines import sweep_due
from kefu.decisions.models import ConversationDeadline
from kefu.extensions import db
from kefu.org.actions import do_set_status
from kefu.queueing.policy import ANSWER_SECONDS, DEFAULT_HANDLE_SECONDS
from kefu.settings.actions import check_save_company_settings
from kefu.timeutil import utcnow

from ..realtime.helpers import Recorder, vip_arrives, vip_first


def _limits(company, length=0, wait=0, full_text="", timeout_text=""):
    check_save_company_settings(None, company.id, {
        "queue_max_length": length, "queue_max_wait_seconds": wait, "queue_full_text": full_text,
        "queue_timeout_text": timeout_text, "presence_grace_seconds": 180, "offline_chats": "stay",
    })


def _visitor(live, make, channel):
    _v, token = make.visitor_token(channel)
    return Recorder(live, "/visitor", auth={"token": token})


def _conv(conv_id):
    db.session.rollback()
    return db.session.get(Conversation, conv_id, populate_existing=True)


def _events(conv_id, kind):
    db.session.rollback()
    return [e.data for e in db.session.scalars(
        select(ConversationEvent).where(ConversationEvent.conversation_id == conv_id,
                                        ConversationEvent.kind == kind))]


def _deadlines(conv_id):
    db.session.rollback()
    return [(d.kind, d.due_at) for d in db.session.scalars(
        select(ConversationDeadline).where(ConversationDeadline.conversation_id == conv_id))]


def test_position_and_wait_are_pushed_and_updated(live, make):
    """Queued visitors hear place and estimated wait; when the agent frees up the next one hears 1."""
    d = make.desk(max_concurrent=1)
    served = Recorder(live, "/visitor", auth={"token": d.token})
    served.call("message", {"text": "first"})
    served.wait_for("conversation.assigned")
    second, third = _visitor(live, make, d.channel), _visitor(live, make, d.channel)
    conv2 = second.call("message", {"text": "二号"})["message"]["conversation_id"]
    ev = second.wait_for("conversation.queued")
    assert (ev["queue_position"], ev["eta_seconds"]) == (1, DEFAULT_HANDLE_SECONDS)
    third.call("message", {"text": "三号"})
    ev = third.wait_for("conversation.queued")
    assert (ev["queue_position"], ev["eta_seconds"]) == (2, 2 * DEFAULT_HANDLE_SECONDS)
    state = third.call("sync", {"after_id": 0})["conversation"]
    assert (state["queue_position"], state["eta_seconds"], state["queue_prompt"]) == (2, 360, False)
    first_conv = db.session.scalars(select(Conversation).where(Conversation.agent_id == d.agent.id)).one()
    do_close(first_conv, "agent_removed")  # a chat of a few seconds: the estimate learns from it
    assert second.wait_for("conversation.assigned")["conversation"]["id"] == conv2
    moved = third.wait_for("conversation.queued", where=lambda e: e["queue_position"] == 1)
    assert 0 < moved["eta_seconds"] < DEFAULT_HANDLE_SECONDS
    # Nobody online: the place is still told, the wait is unknown.
    do_set_status(d.agent, "offline")
    assert third.call("sync", {"after_id": 0})["conversation"]["eta_seconds"] is None
    for r in (served, second, third):
        r.close()


def test_full_queue_turns_the_visitor_to_a_leave_message(live, make):
    """With room for one in the queue, the second waiting visitor gets the text and the form."""
    d = make.desk(status="offline")
    _limits(d.company, length=1, full_text="排满了，请留言")
    first = Recorder(live, "/visitor", auth={"token": d.token})
    first.call("message", {"text": "one"})
    assert first.wait_for("conversation.queued")["queue_position"] == 1
    second = _visitor(live, make, d.channel)
    conv_id = second.call("message", {"text": "two"})["message"]["conversation_id"]
    note = second.wait_for("message.created", where=lambda e: e["message"]["sender"] == "system")
    assert note["message"]["text"] == "排满了，请留言"
    assert second.wait_for("leave_message.offer")["reason"] == "queue_full"
    assert second.wait_for("conversation.closed")["conversation"]["id"] == conv_id
    conv = _conv(conv_id)
    assert (conv.status, conv.end_reason) == ("closed", "leave_message")
    assert _events(conv_id, "queue_full") == [{"queued": 1, "max_length": 1}]
    # The group may lift the company's limit (0 = unlimited) for its own queue.
    d.group.queue_max_length = 0
    db.session.commit()
    third = _visitor(live, make, d.channel)
    third.call("message", {"text": "three"})
    assert third.wait_for("conversation.queued")["queue_position"] == 2
    for r in (first, second, third):
        r.close()


def test_max_wait_asks_then_keep_waiting_restarts_the_clock(live, make):
    """After the max wait the visitor is asked; keep waiting restarts the wait, a replay does nothing."""
    d = make.desk(status="offline")
    _limits(d.company, wait=60)
    v = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = v.call("message", {"text": "hello"})["message"]["conversation_id"]
    v.wait_for("conversation.queued")
    assert [k for k, _ in _deadlines(conv_id)] == ["queue_wait"]
    assert sweep_due(utcnow() + timedelta(seconds=30)) == 0  # not yet
    assert sweep_due(utcnow() + timedelta(seconds=61)) == 1
    prompt = v.wait_for("queue.timeout")
    assert prompt["conversation_id"] == conv_id and prompt["answer_seconds"] == ANSWER_SECONDS
    assert "继续排队" in prompt["text"] or "留言" in prompt["text"]
    assert v.call("sync", {"after_id": 0})["conversation"]["queue_prompt"] is True
    ack = v.call("queue.keep_waiting", {"conversation_id": conv_id})
    assert ack["ok"] and ack["changed"] and ack["conversation"]["status"] == "queued"
    [(kind, due)] = _deadlines(conv_id)
    assert kind == "queue_wait" and due > utcnow() + timedelta(seconds=50)
    replay = v.call("queue.keep_waiting", {"conversation_id": conv_id})
    assert replay["ok"] and not replay["changed"]
    assert _deadlines(conv_id) == [(kind, due)]
    assert len(_events(conv_id, "queue_keep_waiting")) == 1
    v.close()


def test_max_wait_then_leave_message(live, make):
    """Choosing to leave a message ends the wait with the form (reason queue_timeout), once."""
    d = make.desk(status="offline")
    _limits(d.company, wait=60)
    v = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = v.call("message", {"text": "hello"})["message"]["conversation_id"]
    sweep_due(utcnow() + timedelta(seconds=61))
    v.wait_for("queue.timeout")
    ack = v.call("queue.leave_message", {"conversation_id": conv_id})
    assert ack["ok"] and ack["changed"]
    assert ack["conversation"] == {"id": conv_id, "status": "closed", "end_reason": "leave_message"}
    assert v.wait_for("leave_message.offer")["reason"] == "queue_timeout"
    conv = _conv(conv_id)
    assert conv.queue_wait_seconds is not None and conv.queue_wait_seconds >= 0
    assert _deadlines(conv_id) == []
    replay = v.call("queue.leave_message", {"conversation_id": conv_id})
    assert replay["ok"] and not replay["changed"]
    assert len(_events(conv_id, "queue_left")) == 1
    v.close()


def test_no_answer_to_the_prompt_disconnects(live, make):
    """Without an answer the wait ends by itself (排队自动断开) as queue_abandoned, with its wait."""
    d = make.desk(status="offline")
    _limits(d.company, wait=60)
    v = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = v.call("message", {"text": "hello"})["message"]["conversation_id"]
    sweep_due(utcnow() + timedelta(seconds=61))
    v.wait_for("queue.timeout")
    assert sweep_due(utcnow() + timedelta(seconds=61 + ANSWER_SECONDS + 1)) == 1
    assert v.wait_for("conversation.closed")["conversation"]["end_reason"] == "queue_abandoned"
    conv = _conv(conv_id)
    assert conv.end_reason == "queue_abandoned" and conv.queue_wait_seconds is not None
    [abandoned] = _events(conv_id, "abandoned")
    assert abandoned["cause"] == "no_answer" and abandoned["wait_seconds"] >= 0
    assert sweep_due(utcnow() + timedelta(days=1)) == 0  # nothing left to fire
    v.close()


def test_leaving_the_queue_is_recorded_and_moves_the_others(live, make):
    """Leave queue ends the chat as 排队放弃 with its wait; the one behind moves up; replays are no-ops."""
    d = make.desk(status="offline")
    first = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = first.call("message", {"text": "one"})["message"]["conversation_id"]
    second = _visitor(live, make, d.channel)
    second.call("message", {"text": "two"})
    assert second.wait_for("conversation.queued")["queue_position"] == 2
    ack = first.call("queue.leave", {"conversation_id": conv_id})
    assert ack["ok"] and ack["changed"]
    assert ack["conversation"] == {"id": conv_id, "status": "closed", "end_reason": "queue_abandoned"}
    assert second.wait_for("conversation.queued", where=lambda e: e["queue_position"] == 1)
    [abandoned] = _events(conv_id, "abandoned")
    assert abandoned["cause"] == "visitor_left"
    assert _conv(conv_id).queue_wait_seconds == abandoned["wait_seconds"]
    replay = first.call("queue.leave", {"conversation_id": conv_id})
    assert replay["ok"] and not replay["changed"]
    assert len(_events(conv_id, "abandoned")) == 1
    for r in (first, second):
        r.close()


def test_bad_and_foreign_queue_answers_are_refused(live, make):
    """Bad input names the field; another visitor's chat is not found; a served chat cannot leave."""
    d = make.desk(max_concurrent=1)
    v = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = v.call("message", {"text": "hi"})["message"]["conversation_id"]
    v.wait_for("conversation.assigned")
    bad = v.call("queue.leave", {"conversation_id": "x"})
    assert not bad["ok"] and "conversation_id" in bad["error"]["fields"]
    assert not v.call("queue.leave", "nonsense")["ok"]
    other = _visitor(live, make, d.channel)
    foreign = other.call("queue.leave", {"conversation_id": conv_id})
    assert foreign["error"]["code"] == "not_found"
    served = v.call("queue.leave", {"conversation_id": conv_id})
    assert served["error"]["code"] == "not_queued" and served["error"]["message"]
    assert _conv(conv_id).status == "active"
    for r in (v, other):
        r.close()


def test_higher_priority_is_told_it_is_first(live, make):
    """A VIP who arrives later hears place 1 from the routing rules' priority; the earlier one is
    told it is now 2."""
    d = make.desk(status="offline")
    vip_first(d.company.id)
    normal = Recorder(live, "/visitor", auth={"token": d.token})
    normal.call("message", {"text": "normal"})
    assert normal.wait_for("conversation.queued")["queue_position"] == 1
    vip = vip_arrives(live, make, d.channel)
    moved = normal.wait_for("conversation.queued", where=lambda e: e["queue_position"] == 2)
    assert moved["eta_seconds"] is None  # nobody online
    assert normal.call("sync", {"after_id": 0})["conversation"]["queue_position"] == 2
    for r in (normal, vip):
        r.close()


def test_wait_is_pushed_again_when_an_agent_leaves(live, make):
    """Two busy agents give half the wait of one: when one goes offline the visitor hears it."""
    d = make.desk(max_concurrent=1)
    other = make.user(d.company, groups=[d.group], status="online", max_concurrent=1)
    busy = [_visitor(live, make, d.channel) for _ in range(2)]
    for r in busy:
        r.call("message", {"text": "busy"})
        r.wait_for("conversation.assigned")
    waiting = _visitor(live, make, d.channel)
    waiting.call("message", {"text": "wait"})
    assert waiting.wait_for("conversation.queued")["eta_seconds"] == DEFAULT_HANDLE_SECONDS / 2
    do_set_status(other, "offline")
    ev = waiting.wait_for("conversation.queued", where=lambda e: e["eta_seconds"] == DEFAULT_HANDLE_SECONDS)
    assert ev["queue_position"] == 1
    for r in (*busy, waiting):
        r.close()
