"""Closing a conversation computes its segment metrics in the background (rq or in-process)."""

from __future__ import annotations

from datetime import timedelta

from kefu.conversations.actions import check_agent_message, check_close, check_visitor_message
from kefu.conversations.jobs import compute_conversation_metrics
from kefu.conversations.models import Conversation, ConversationSegment, Message
from kefu.extensions import db
from kefu.jobs import enqueue
from kefu.visitors.token import verify


def test_close_fills_segment_metrics_through_the_job_backend(app, make, run_jobs):
    """After close and a worker run, the agent's segment has first response, durations and counts."""
    d = make.desk()
    agent, claims = d.agent, verify(d.token)
    m, _ = check_visitor_message(claims, {"text": "q1"})
    conv_id = m.conversation_id
    check_agent_message(agent, {"conversation_id": conv_id, "text": "a1"})
    check_visitor_message(claims, {"text": "q2"})
    check_agent_message(agent, {"conversation_id": conv_id, "text": "a2"})
    # Shift times so durations are measurable and deterministic.
    conv = db.session.get(Conversation, conv_id)
    seg = conv.segments[0]
    base = seg.assigned_at - timedelta(seconds=100)
    seg.assigned_at = base
    conv.created_at = conv.queued_at = base - timedelta(seconds=5)
    for i, msg in enumerate(db.session.query(Message).filter_by(conversation_id=conv_id)
                            .order_by(Message.id)):
        msg.created_at = base + timedelta(seconds=10 * (i + 1))
    seg.first_response_at = None
    db.session.commit()
    check_close(agent, {"conversation_id": conv_id})
    run_jobs()
    db.session.expire_all()
    seg = db.session.get(ConversationSegment, seg.id)
    assert seg.first_response_seconds == 20.0
    assert seg.avg_response_seconds == 10.0
    assert (seg.visitor_messages, seg.agent_messages, seg.is_valid) == (2, 2, True)
    assert seg.duration_seconds is not None and seg.duration_seconds >= 100
    assert seg.queue_seconds == 5.0
    assert seg.end_kind == "closed"
    assert db.session.get(Conversation, conv_id).metrics_done is True
    # Idempotent: running again changes nothing.
    compute_conversation_metrics(conv_id)
    db.session.expire_all()
    assert db.session.get(ConversationSegment, seg.id).first_response_seconds == 20.0


def test_jobs_of_a_rolled_back_write_never_run(app, make, run_jobs):
    """A job enqueued in a transaction that rolls back is dropped."""
    backend = app.extensions["kefu_jobs"]
    before = backend.status()
    enqueue(compute_conversation_metrics, 123456)
    db.session.rollback()
    db.session.commit()
    run_jobs()
    after = backend.status()
    if backend.name == "inprocess":
        assert after["done"] == before["done"]
    else:
        assert after["queued"] == 0 and backend.queue.finished_job_registry.count == 0
