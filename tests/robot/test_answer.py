"""The robot answers from the published, valid, audience-matching Q&A: answer, suggest, unknown."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kefu.conversations.actions import check_visitor_message
from kefu.conversations.models import Conversation, Message
from kefu.extensions import db
from kefu.knowledge.actions import check_save_entry, check_set_status
from kefu.knowledge.usage import KnowledgeSearchLog
from kefu.timeutil import utcnow

from .helpers import answers, robot_desk


def _ask(d, text):
    msg, _ = check_visitor_message(d.claims, {"text": text})
    db.session.rollback()
    return msg.conversation_id


def _robot_messages(conv_id):
    db.session.rollback()
    return list(db.session.scalars(select(Message).where(
        Message.conversation_id == conv_id, Message.sender_kind == "robot").order_by(Message.id)))


def test_robot_greets_and_answers_a_paraphrase(make):
    """A robot-first chat opens with the robot's greeting and a paraphrase gets the entry's answer."""
    d = robot_desk(make)
    conv_id = _ask(d, "快递丢了怎么处理")
    conv = db.session.get(Conversation, conv_id)
    assert conv.status == "robot" and conv.agent_id is None and conv.queued_at is None
    said = _robot_messages(conv_id)
    assert "小K" in said[0].body  # the greeting, before the visitor's question
    answer = said[-1]
    assert answer.payload["robot"]["outcome"] == "answered"
    assert answer.payload["robot"]["name"] == "智能客服小K"
    assert "<" not in answer.body  # plain text, not the stored HTML
    [row] = answers(conv_id)
    assert (row.outcome, row.message_id, row.visitor_id) == ("answered", answer.id, d.visitor.id)
    assert row.entry_id is not None and row.score >= d.robot.confident_score
    logged = db.session.scalars(select(KnowledgeSearchLog).where(
        KnowledgeSearchLog.conversation_id == conv_id)).all()
    assert [(s.source, s.hits > 0) for s in logged] == [("robot", True)]


def test_close_candidates_are_offered_and_nonsense_is_unknown(make):
    """A vague question gets "did you mean" buttons; an unrelated one the unknown-answer text."""
    d = robot_desk(make)
    conv_id = _ask(d, "发票")
    last = _robot_messages(conv_id)[-1].payload["robot"]
    assert last["outcome"] == "suggested" and 1 <= len(last["suggestions"]) <= 3
    assert all("发票" in s["question"] for s in last["suggestions"])
    _ask(d, "今天天气怎么样")
    said = _robot_messages(conv_id)[-1]
    assert said.payload["robot"]["outcome"] == "unknown"
    assert "换个说法" in said.body
    assert [a.outcome for a in answers(conv_id)] == ["suggested", "unknown"]


def test_greeting_entries_and_english(make):
    """你好 is answered from the greeting entries (outcome greeting); English gets English texts."""
    d = robot_desk(make)
    conv_id = _ask(d, "你好")
    assert answers(conv_id)[-1].outcome == "greeting"
    _ask(d, "what is the meaning of life")
    assert _robot_messages(conv_id)[-1].body.startswith("Sorry")


def test_audience_and_validity_are_respected(make):
    """An entry for another channel, or out of its validity period, or a draft, is never answered."""
    d = robot_desk(make)
    other = make.channel(d.company)
    base = {"question": "火星上能收到包裹吗", "answer": "<p>可以，火星专线。</p>", "status": "published"}
    check_save_entry(None, d.company.id, {**base, "channel_ids": [other.id]})
    check_save_entry(None, d.company.id, {**base, "question": "月球上能收到包裹吗",
                                          "valid_until": (utcnow() - timedelta(days=1)).isoformat()})
    draft = check_save_entry(None, d.company.id, {**base, "question": "金星上能收到包裹吗"})
    check_set_status(None, d.company.id, "entry", draft.id, "draft")
    conv_id = _ask(d, "火星上能收到包裹吗")
    _ask(d, "月球上能收到包裹吗")
    _ask(d, "金星上能收到包裹吗")
    assert "火星专线" not in " ".join(m.body for m in _robot_messages(conv_id))
    assert all(a.entry_id is None or a.outcome != "answered" for a in answers(conv_id)[:3])


def test_what_counts_as_asking_for_a_human():
    """Keywords alone or in a short message ask for a human; longer questions that mention them do not."""
    from kefu.robot.actions import wants_human
    from kefu.robot.models import DEFAULT_KEYWORDS as kws

    for said in ("转人工", "人工！", "我要转人工", "帮我转人工客服", "Human", "talk to a human please",
                 "agent?"):
        assert wants_human(said, kws), said
    for said in ("人工智能音箱的保修期是多久呢请告诉我", "what does the user agent string of my browser mean",
                 "humane society", "退款"):
        assert not wants_human(said, kws), said
