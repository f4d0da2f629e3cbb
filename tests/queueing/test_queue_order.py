"""No queue jumping, and queue limits set by the routing rules."""

from __future__ import annotations

from sqlalchemy import update

from kefu.conversations.actions import check_visitor_message
from kefu.conversations.models import Conversation
from kefu.conversations.queries import queue_position
from kefu.decisions.actions import do_publish
from kefu.extensions import db
from kefu.org.models import User
from kefu.routing.assign import drain_queue
from kefu.visitors.token import verify


def _open(make, channel):
    _visitor, token = make.visitor_token(channel)
    msg, _ = check_visitor_message(verify(token), {"text": "hi"})
    return db.session.get(Conversation, msg.conversation_id, populate_existing=True)


def test_a_newcomer_does_not_overtake_an_older_waiting_chat(make):
    """An agent frees up while an older chat still waits: a new visitor queues behind it, and the
    drain serves the older one first."""
    d = make.desk(status="offline", max_concurrent=1)
    older = _open(make, d.channel)
    assert older.status == "queued"
    # The agent came online in a transaction whose drain has not run yet (it raced the queueing).
    db.session.execute(update(User).where(User.id == d.agent.id).values(status="online"))
    db.session.commit()
    newer = _open(make, d.channel)
    assert newer.status == "queued" and queue_position(newer) == 2
    drain_queue(d.company.id, [d.group.id])  # the look at the queue that follows a second later
    db.session.expire_all()
    assert db.session.get(Conversation, older.id).agent_id == d.agent.id
    assert db.session.get(Conversation, newer.id).status == "queued"


def test_routing_rules_can_set_the_queue_limits(make):
    """A routing rule's queue_limits (max length 1) turns away the second waiting visitor."""
    d = make.desk(status="offline")
    do_publish(d.company.id, "routing", {"rules": [{
        "id": "short", "name": "short queue", "when": None,
        "then": [{"action": "queue_limits", "params": {"max_length": 1, "max_wait": 90}}]}]})
    first = _open(make, d.channel)
    assert first.status == "queued"
    assert (first.routing["queue_max_length"], first.routing["queue_max_wait"]) == (1, 90)
    second = _open(make, d.channel)
    assert (second.status, second.end_reason) == ("closed", "leave_message")
