"""The robot as a widget lives it over Socket.IO: answers, 转人工 by button, keyword, unknown answers
and asking, robot-only refusal, feedback once, the idle end — and the agent receives the transcript."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from kefu.conversations.models import Conversation, ConversationEvent
from kefu.decisions.deadlines import sweep_due
from kefu.decisions.models import ConversationDeadline
from kefu.extensions import db
from kefu.robot.actions import do_save_robot
from kefu.robot.models import Robot
from kefu.timeutil import utcnow

from ..conftest import login
from ..realtime.helpers import Recorder
from .helpers import answers, reception, robot_desk

PASSWORD = "agent-pass-123"


def _conv(conv_id):
    db.session.rollback()
    return db.session.get(Conversation, conv_id, populate_existing=True)


def _events(conv_id, kind):
    db.session.rollback()
    return [e.data for e in db.session.scalars(select(ConversationEvent).where(
        ConversationEvent.conversation_id == conv_id, ConversationEvent.kind == kind))]


def _robot_says(widget, outcome):
    return widget.wait_for("message.created", where=lambda e: e["message"]["sender"] == "robot"
                           and e["message"]["payload"]["robot"]["outcome"] == outcome)["message"]


def test_button_hands_over_with_the_transcript(live, make):
    """After a robot answer, 转人工 queues the chat for the agent, who gets it with the robot's messages."""
    d = robot_desk(make)
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, PASSWORD))
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    info = widget.call("robot.info")
    assert info["ok"] and info["robot"] is None  # no chat yet
    conv_id = widget.call("message", {"text": "快递丢了怎么处理"})["message"]["conversation_id"]
    answer = _robot_says(widget, "answered")
    assert answer["conversation_id"] == conv_id and answer["text"]
    info = widget.call("robot.info")
    assert info["robot"]["name"] == "智能客服小K" and info["robot"]["transfer_button"] is True
    assert info["conversation"] == {"id": conv_id, "status": "robot"}
    assert _conv(conv_id).agent_id is None  # nothing reached the agent while the robot served
    ack = widget.call("robot.transfer", {"conversation_id": conv_id})
    assert ack == {"ok": True, "status": "active", "conversation_id": conv_id}
    assigned = bench.wait_for("conversation.assigned", where=lambda e: e["conversation"]["id"] == conv_id)
    assert assigned["conversation"]["agent_id"] == d.agent.id
    widget.wait_for("conversation.assigned")
    synced = bench.call("sync", {"after_id": 0})
    mine = [m for m in synced["messages"] if m["conversation_id"] == conv_id]
    senders = [m["sender"] for m in mine]
    assert senders[:3] == ["robot", "visitor", "robot"] and senders[-1] == "robot"  # greeting … 转接
    assert [a.outcome for a in answers(conv_id)] == ["answered", "transfer"]
    assert _events(conv_id, "robot_transfer") == [{"reason": "button", "robot_id": d.robot.id}]
    # A second press (another tab) changes nothing.
    assert widget.call("robot.transfer", {})["status"] == "active"
    for r in (widget, bench):
        r.close()


def test_keyword_unknowns_and_asking_transfer(live, make):
    """转人工 typed, or two unknown answers in a row, hand the chat over as configured."""
    d = robot_desk(make, status="offline")  # nobody online: handed-over chats wait in the queue
    asks = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = asks.call("message", {"text": "我要转人工"})["message"]["conversation_id"]
    asks.wait_for("conversation.queued")
    assert _conv(conv_id).status == "queued"
    assert _events(conv_id, "robot_transfer")[0]["reason"] == "keyword"

    _v, token = make.visitor_token(d.channel)
    lost = Recorder(live, "/visitor", auth={"token": token})
    conv2 = lost.call("message", {"text": "今天天气怎么样"})["message"]["conversation_id"]
    _robot_says(lost, "unknown")
    assert _conv(conv2).status == "robot"
    lost.call("message", {"text": "火星上有水吗"})
    lost.wait_for("conversation.queued")
    assert _events(conv2, "robot_transfer")[0]["reason"] == "unknown"
    assert [a.outcome for a in answers(conv2)] == ["unknown", "unknown", "transfer"]

    # Configured off: no count, and other keywords.
    robot = db.session.get(Robot, d.robot.id)
    robot.transfer_after_unknown, robot.transfer_keywords = 0, ["真人"]
    do_save_robot(None, robot, created=False)
    _v, token = make.visitor_token(d.channel)
    third = Recorder(live, "/visitor", auth={"token": token})
    conv3 = third.call("message", {"text": "今天天气怎么样"})["message"]["conversation_id"]
    third.call("message", {"text": "火星上有水吗"})
    third.call("message", {"text": "人工"})
    _robot_says(third, "unknown")
    assert _conv(conv3).status == "robot"
    third.call("message", {"text": "真人"})
    third.wait_for("conversation.queued")
    for r in (asks, lost, third):
        r.close()


def test_robot_only_refuses_politely(live, make):
    """Robot only: no 转人工 button, and asking for a human is answered with the leave-message offer."""
    d = robot_desk(make, mode="robot_only")
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = widget.call("message", {"text": "你好"})["message"]["conversation_id"]
    _robot_says(widget, "greeting")
    assert widget.call("robot.info")["robot"]["transfer_button"] is False
    widget.call("message", {"text": "转人工"})
    refused = _robot_says(widget, "refused")
    assert "留言" in refused["text"]
    widget.wait_for("leave_message.offer")
    assert widget.call("robot.transfer", {})["status"] == "refused"
    assert _conv(conv_id).status == "robot" and _conv(conv_id).agent_id is None
    assert "transfer" not in [a.outcome for a in answers(conv_id)]
    widget.close()


def test_feedback_once_and_validated(live, make):
    """有用/没用 is stored on the answer once; 没用 needs a reason; others' answers are not found."""
    d = robot_desk(make)
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    widget.call("message", {"text": "快递丢了怎么处理"})
    answer_id = _robot_says(widget, "answered")["payload"]["robot"]["answer_id"]
    bad = widget.call("robot.feedback", {"answer_id": answer_id, "verdict": "useless"})
    assert bad["ok"] is False and "reason" in bad["error"]["fields"]
    bad = widget.call("robot.feedback", {"answer_id": answer_id, "verdict": "great"})
    assert bad["ok"] is False and "verdict" in bad["error"]["fields"]
    ok = widget.call("robot.feedback", {"answer_id": answer_id, "verdict": "useless", "reason": "wrong"})
    assert ok == {"ok": True, "answer_id": answer_id, "feedback": "useless"}
    again = widget.call("robot.feedback", {"answer_id": answer_id, "verdict": "useful"})
    assert again["ok"] is False and again["error"]["code"] == "robot_feedback_given"
    [row] = answers(_robot_conv(d))
    assert (row.feedback, row.feedback_reason) == ("useless", "wrong")
    _v, token = make.visitor_token(d.channel)
    stranger = Recorder(live, "/visitor", auth={"token": token})
    other = stranger.call("robot.feedback", {"answer_id": answer_id, "verdict": "useful"})
    assert other["ok"] is False and other["error"]["code"] == "not_found"
    for r in (widget, stranger):
        r.close()


def _robot_conv(d):
    db.session.rollback()
    return db.session.scalars(select(Conversation.id).where(Conversation.visitor_id == d.visitor.id)).one()


def test_idle_robot_chat_ends_and_the_rule_picks_the_robot(live, make):
    """A reception rule names the robot; a robot chat nobody writes in ends as a visitor timeout."""
    d = robot_desk(make)
    other = do_save_robot(None, Robot(company_id=d.company.id, name="售后", display_name="售后小助手",
                                      transfer_keywords=[]), created=True)
    reception(d.company.id, "robot_first", other.id)
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = widget.call("message", {"text": "你好"})["message"]["conversation_id"]
    assert _robot_says(widget, "greeting")["payload"]["robot"]["name"] == "售后小助手"
    db.session.execute(update(ConversationDeadline).where(
        ConversationDeadline.conversation_id == conv_id, ConversationDeadline.kind == "robot_idle",
    ).values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert sweep_due() >= 1
    closed = widget.wait_for("conversation.closed")
    assert closed["conversation"]["end_reason"] == "visitor_timeout"
    assert _conv(conv_id).status == "closed"
    widget.close()


def test_visitor_ends_a_robot_chat(live, make):
    """The widget's "end chat" ends a robot chat like any other (visitor_closed), once."""
    d = robot_desk(make)
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = widget.call("message", {"text": "你好"})["message"]["conversation_id"]
    ended = widget.call("end", {"conversation_id": conv_id})
    assert ended["conversation"]["status"] == "closed"
    assert ended["conversation"]["end_reason"] == "visitor_closed"
    assert widget.call("end", {"conversation_id": conv_id})["conversation"]["status"] == "closed"
    assert not db.session.scalars(select(ConversationDeadline).where(
        ConversationDeadline.conversation_id == conv_id)).all()  # no idle clock left behind
    widget.close()


def test_managers_see_and_watch_robot_chats(live, make):
    """监控 lists a chat the robot is serving as such, and a manager can watch it: the transcript so
    far, then the robot's next answer live."""
    d = robot_desk(make)
    boss_user = make.user(d.company, role="manager", groups=[d.group], max_concurrent=0)
    boss = Recorder(live, "/agent", session=login(live, boss_user.email, PASSWORD))
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    conv_id = widget.call("message", {"text": "快递丢了怎么处理"})["message"]["conversation_id"]
    _robot_says(widget, "answered")
    listed = boss.call("monitor.live")["conversations"]
    assert [(c["id"], c["status"], c["agent_id"]) for c in listed] == [(conv_id, "robot", None)]
    watched = boss.call("monitor.watch", {"conversation_id": conv_id})
    assert watched["ok"] and [m["sender"] for m in watched["messages"]][:3] == ["robot", "visitor", "robot"]
    widget.call("message", {"text": "发票怎么开"})
    live_answer = boss.wait_for("message.created", where=lambda e: e["message"]["sender"] == "robot")
    assert live_answer["message"]["conversation_id"] == conv_id
    for r in (widget, boss):
        r.close()
