"""Every robot write: start serving a chat, answer, hand over to a human, feedback, robots themselves."""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select

from ..conversations import store
from ..conversations.models import Conversation, ConversationEvent, Message
from ..conversations.serialize import message_dict
from ..conversations.store import ConvRow, StoredMessage
from ..dblock import serialized
from ..decisions.models import ConversationDeadline
from ..errors import KefuError
from ..extensions import db
from ..knowledge.html import plain_text
from ..knowledge.models import KnowledgeEntry
from ..knowledge.queries import related_entries, visitor_scope
from ..realtime.events import publish
from ..timeutil import utcnow
from ..visitors.models import Visitor
from ..visitors.token import VisitorClaims
from .answer import KINDS, Match, match
from .models import (
    DEFAULT_CONFIDENT,
    DEFAULT_KEYWORDS,
    DEFAULT_SUGGEST,
    KEYWORD_MAX,
    KEYWORDS_MAX,
    Robot,
    RobotAnswer,
    RobotSession,
)
from .queries import choose_robot
from .schemas import FeedbackSchema, TransferSchema, load
from .texts import language_of, robot_text

ROBOT_MODES = ("robot_first", "robot_only")
# A robot chat nobody writes in ends after this long (Sobot's robot sessions time out alike);
# a stored deadline, swept like the session rules' ones, so a restart loses none.
IDLE_SECONDS = 600
IDLE_KIND = "robot_idle"
RELATED_MAX = 5
HTML_MAX = 20_000  # characters of an answer's HTML sent along with its text
_PUNCT = string.punctuation + " 　，。！？、；：“”‘’（）《》…"


# --- starting and talking ---------------------------------------------------------------------

def start_robot(conv: Conversation, mode: str, robot_id: Any = None) -> bool:
    """Let a robot serve a just-opened conversation (caller flushes and commits); False: no robot."""
    robot = choose_robot(conv.company_id, robot_id)
    if robot is None:
        return False
    conv.status = "robot"
    conv.queued_at = None  # the wait for a human starts at the hand-over
    db.session.add(RobotSession(conversation_id=conv.id, company_id=conv.company_id,
                                robot_id=robot.id, mode=mode, started_at=utcnow()))
    db.session.add(ConversationEvent(company_id=conv.company_id, conversation_id=conv.id,
                                     kind="robot_started", data={"robot_id": robot.id, "mode": mode}))
    greeting = robot_text(robot, "greeting", language_of("", conv.language or ""))
    _say(conv, robot, greeting, {"outcome": "greeting_auto"})
    _idle_deadline(conv.company_id, conv.id, utcnow())
    return True


def _say(conv: Conversation | ConvRow, robot: Robot | None, text: str,
         info: dict[str, Any]) -> Message:
    """Add one robot message (its event goes out after commit)."""
    from ..conversations.actions import conversation_targets

    info = {"name": (robot.display_name or robot.name) if robot else "", **info}
    msg = Message(company_id=conv.company_id, conversation_id=conv.id, channel_id=conv.channel_id,
                  sender_kind="robot", content_type="text", body=text, payload={"robot": info},
                  created_at=utcnow())
    db.session.add(msg)
    db.session.flush()
    publish({"type": "message.created", "message": message_dict(msg)}, *conversation_targets(conv))
    return msg


def _idle_deadline(company_id: int, conversation_id: int, now: datetime) -> None:
    """(Re)start the robot chat's idle clock."""
    table = ConversationDeadline.__table__
    db.session.execute(delete(table).where(table.c.conversation_id == conversation_id,
                                           table.c.kind == IDLE_KIND))
    db.session.execute(insert(table), [{
        "company_id": company_id, "conversation_id": conversation_id, "kind": IDLE_KIND,
        "due_at": now + timedelta(seconds=IDLE_SECONDS), "params": {}, "rule_id": "", "version": None}])


def wants_human(text: str, keywords: list[str]) -> bool:
    """Whether a message asks for a human: a keyword alone, or in a short message (我要转人工)."""
    said = text.strip(_PUNCT).casefold()
    for kw in keywords:
        kw = kw.strip().casefold()
        if not kw:
            continue
        if said == kw:
            return True
        # A keyword inside a short message (我要转人工, "talk to a human"): a longer one that
        # mentions it (人工智能产品的保修?) is a question for the robot. English: whole words.
        if kw.isascii():
            words = [w.strip(_PUNCT) for w in said.split()]
            if kw in words and len(words) <= 6:
                return True
        elif kw in said and len(said) <= len(kw) + 6:
            return True
    return False


def robot_reply(row: ConvRow, msg: StoredMessage) -> None:
    """Answer a visitor's message in a robot chat (inside the caller's locked transaction)."""
    conv = db.session.get(Conversation, row.id, populate_existing=True)
    session = db.session.get(RobotSession, row.id)
    if conv is None or session is None:
        return
    robot = db.session.get(Robot, session.robot_id) if session.robot_id else None
    now = utcnow()
    _idle_deadline(conv.company_id, conv.id, now)
    question = msg.body if msg.content_type == "text" else ""
    if not question.strip():
        return  # a file or an image: nothing to look up
    lang = language_of(question, conv.language or "")
    keywords = list(robot.transfer_keywords) if robot and robot.transfer_keywords else DEFAULT_KEYWORDS
    if wants_human(question, keywords):
        do_transfer(conv, session, robot, "keyword", question)
        return
    visitor = db.session.get(Visitor, conv.visitor_id)
    scope = visitor_scope(conv.company_id, conv.channel_id, list(visitor.tags or []) if visitor else [],
                          kinds=KINDS)
    found = match(scope, question, robot.confident_score if robot else DEFAULT_CONFIDENT,
                  robot.suggest_score if robot else DEFAULT_SUGGEST)
    from ..knowledge.usage import do_log_search

    do_log_search(conv.company_id, "robot", question, found.hits, conversation_id=conv.id,
                  top_doc_id=found.top_doc_id)
    answer = _answer(conv, robot, session, question, found, lang)
    if answer.outcome == "unknown":
        session.unknown_streak += 1
        limit = robot.transfer_after_unknown if robot else 2
        if session.mode == "robot_first" and limit and session.unknown_streak >= limit:
            do_transfer(conv, session, robot, "unknown", question)
    else:
        session.unknown_streak = 0


def _answer(conv: Conversation, robot: Robot | None, session: RobotSession, question: str,
            found: Match, lang: str) -> RobotAnswer:
    """Say what the match decided and record it as a RobotAnswer."""
    row = RobotAnswer(company_id=conv.company_id, robot_id=robot.id if robot else None,
                      conversation_id=conv.id, visitor_id=conv.visitor_id, channel_id=conv.channel_id,
                      question=question[:2000], outcome=found.outcome, created_at=utcnow(),
                      suggested_ids=[c.entry_id for c in found.candidates])
    db.session.add(row)
    db.session.flush()
    info: dict[str, Any] = {"answer_id": row.id, "outcome": found.outcome,
                            "transfer_button": _button(robot, session)}
    if found.outcome == "answered" and found.best is not None:
        entry = db.session.get(KnowledgeEntry, found.best.entry_id)
        assert entry is not None
        row.entry_id, row.score = entry.id, found.best.confidence
        if entry.kind in ("greeting", "chitchat"):
            row.outcome = entry.kind
        text = plain_text(entry.answer)
        related = [e for e in related_entries(entry) if _usable(e, conv)][:RELATED_MAX]
        # The sanitised HTML too (lists, bold, links): the widget rebuilds it from an allow-list
        # of tags with DOM calls, never innerHTML; the text body is what every other client shows.
        if len(entry.answer) <= HTML_MAX:
            info["html"] = entry.answer
        info.update(outcome=row.outcome, entry_id=entry.id,
                    related=[{"entry_id": e.id, "question": e.question} for e in related],
                    feedback=row.outcome == "answered")
    elif found.outcome == "suggested":
        row.score = found.best.confidence if found.best else None
        text = robot_text(robot, "suggest", lang)
        info["suggestions"] = [{"entry_id": c.entry_id, "question": c.title} for c in found.candidates]
    else:
        text = robot_text(robot, "unknown", lang)
        info["feedback"] = False
    msg = _say(conv, robot, text, info)
    row.message_id = msg.id
    return row


def _usable(entry: KnowledgeEntry, conv: Conversation) -> bool:
    """A related question the visitor could be answered from (valid now, for their channel)."""
    now = utcnow()
    if entry.valid_from and entry.valid_from > now or entry.valid_until and entry.valid_until <= now:
        return False
    return not entry.channel_ids or conv.channel_id in entry.channel_ids


def _button(robot: Robot | None, session: RobotSession) -> bool:
    return bool(robot is None or robot.show_transfer_button) and session.mode != "robot_only"


# --- hand-over ----------------------------------------------------------------------------------

def do_transfer(conv: Conversation, session: RobotSession, robot: Robot | None, reason: str,
                question: str = "") -> str:
    """Hand a robot chat to the routing rules, transcript kept (caller holds the lock and commits).

    Returns "refused" (robot only: the visitor is told and offered the leave-message form),
    or the chat's status afterwards (queued, active, closed when nobody can serve it now).
    """
    from ..conversations.actions import place_new
    from ..decisions.apply import route_to_humans
    from ..decisions.facts import visit_facts

    now = utcnow()
    lang = language_of(question, conv.language or "")
    if session.mode == "robot_only":
        _say(conv, robot, robot_text(robot, "robot_only", lang), {"outcome": "refused"})
        db.session.add(ConversationEvent(company_id=conv.company_id, conversation_id=conv.id,
                                         kind="robot_transfer_refused", data={"reason": reason}))
        from ..leavemessages.actions import offer

        offer(conv, "visitor_choice")
        return "refused"
    db.session.add(RobotAnswer(
        company_id=conv.company_id, robot_id=robot.id if robot else None, conversation_id=conv.id,
        visitor_id=conv.visitor_id, channel_id=conv.channel_id, question=question[:2000],
        outcome="transfer", created_at=now, feedback_reason="", suggested_ids=[]))
    db.session.add(ConversationEvent(company_id=conv.company_id, conversation_id=conv.id,
                                     kind="robot_transfer",
                                     data={"reason": reason, "robot_id": robot.id if robot else None}))
    _say(conv, robot, robot_text(robot, "transfer", lang), {"outcome": "transfer"})
    session.transferred_at = now
    table = ConversationDeadline.__table__
    db.session.execute(delete(table).where(table.c.conversation_id == conv.id, table.c.kind == IDLE_KIND))
    conv.status, conv.queued_at = "queued", now
    from ..channels.models import Channel

    channel = db.session.get(Channel, conv.channel_id)
    visitor = db.session.get(Visitor, conv.visitor_id)
    assert channel is not None and visitor is not None
    leave_reason = route_to_humans(conv, visit_facts(conv, channel, visitor, now), now)
    if leave_reason is None:
        db.session.add(ConversationEvent(
            company_id=conv.company_id, conversation_id=conv.id, kind="queued",
            data={"skill_group_id": conv.skill_group_id, "priority": conv.priority,
                  "strategy": (conv.routing or {}).get("strategy"), "from": "robot"}))
    db.session.flush()
    place_new(conv, leave_reason)
    return conv.status


def check_transfer(claims: VisitorClaims, data: Any) -> dict[str, Any]:
    """The widget's 转人工 button: hand the visitor's robot chat over (a replay changes nothing)."""
    fields = load(TransferSchema(), data if data is not None else {})
    with serialized():
        row = store.lock_open_conversation(claims.visitor_id, claims.channel_id)
        if row is None or (fields["conversation_id"] and row.id != fields["conversation_id"]):
            db.session.rollback()
            raise KefuError("conversation_closed", status=409)
        if row.status != "robot":  # already with (or waiting for) a human
            db.session.rollback()
            return {"status": row.status, "conversation_id": row.id}
        conv = db.session.get(Conversation, row.id, populate_existing=True)
        session = db.session.get(RobotSession, row.id)
        assert conv is not None
        if session is None:
            session = RobotSession(conversation_id=conv.id, company_id=conv.company_id, mode="robot_first")
            db.session.add(session)
        robot = db.session.get(Robot, session.robot_id) if session.robot_id else None
        status = do_transfer(conv, session, robot, "button")
        conv_id = conv.id
        db.session.commit()
    return {"status": status, "conversation_id": conv_id}


def fire_idle(conv_row: ConvRow, now: datetime) -> bool:
    """End a robot chat whose visitor went quiet (its deadline row already deleted); commits."""
    if conv_row.status != "robot":
        db.session.commit()
        return False
    conv = db.session.get(Conversation, conv_row.id, populate_existing=True)
    assert conv is not None
    from ..conversations.actions import do_close

    do_close(conv, "visitor_timeout")  # commits
    return True


# --- feedback -----------------------------------------------------------------------------------

def check_feedback(claims: VisitorClaims, data: Any) -> RobotAnswer:
    """Record a visitor's 有用 / 没用 (with a reason) on one of their robot answers, once."""
    fields = load(FeedbackSchema(), data if data is not None else {})
    answer = db.session.scalars(select(RobotAnswer).where(
        RobotAnswer.id == fields["answer_id"]).with_for_update()).first()
    if answer is None or answer.visitor_id != claims.visitor_id or answer.company_id != claims.company_id \
            or answer.outcome not in ("answered", "suggested"):
        db.session.rollback()
        raise KefuError("not_found", status=404)
    if answer.feedback is not None:
        db.session.rollback()
        raise KefuError("robot_feedback_given", status=409)
    answer.feedback = fields["verdict"]
    answer.feedback_reason = fields["reason"] if fields["verdict"] == "useless" else ""
    answer.feedback_at = utcnow()
    db.session.add(ConversationEvent(
        company_id=answer.company_id, conversation_id=answer.conversation_id, kind="robot_feedback",
        data={"answer_id": answer.id, "verdict": answer.feedback, "reason": answer.feedback_reason}))
    db.session.commit()
    return answer


# --- robots -------------------------------------------------------------------------------------

def do_save_robot(actor_id: int | None, robot: Robot, *, created: bool) -> Robot:
    """Store a robot (console or seed); one default per company; audited; commits."""
    from ..audit.actions import changes_of, record

    changes = changes_of(robot)
    if created:
        db.session.add(robot)
    robot.transfer_keywords = [k.strip() for k in robot.transfer_keywords or [] if k and k.strip()]
    db.session.flush()
    if robot.is_default:
        for other in db.session.scalars(select(Robot).where(
                Robot.company_id == robot.company_id, Robot.id != robot.id, Robot.is_default.is_(True))):
            other.is_default = False
    record(actor_id, "create" if created else "update", robot, robot.company_id, changes)
    db.session.commit()
    return robot


def do_seed_robot(company_id: int) -> Robot:
    """Give a company its default robot (the demo company's 小K), unless it has one."""
    existing = db.session.scalars(select(Robot).where(Robot.company_id == company_id).limit(1)).first()
    if existing is not None:
        return existing
    robot = Robot(
        company_id=company_id, name="小K", display_name="智能客服小K",
        greeting="您好！我是智能客服小K，退款、物流、发票、账号等问题都可以问我。需要人工服务请点击“转人工”。",
        greeting_en="Hello! I'm K, the virtual assistant. Ask me about refunds, shipping, invoices "
                    "or your account. Choose \"Talk to an agent\" for a person.",
        unknown_text="", unknown_text_en="", suggest_intro="", suggest_intro_en="",
        confident_score=DEFAULT_CONFIDENT, suggest_score=DEFAULT_SUGGEST, show_transfer_button=True,
        transfer_keywords=list(DEFAULT_KEYWORDS), transfer_after_unknown=2, is_default=True,
        enabled=True)
    return do_save_robot(None, robot, created=True)


def check_robot(robot: Robot) -> Robot:
    """Validate and tidy a robot the console filled in (caller saves): name, thresholds, keywords.

    Becoming the default takes the flag from the company's other robots in the same transaction.
    """
    robot.name = (robot.name or "").strip()
    clash = db.session.scalar(select(Robot.id).where(
        Robot.company_id == robot.company_id, Robot.name == robot.name,
        Robot.id != (robot.id or 0)).limit(1))
    if not robot.name or clash is not None:
        raise KefuError("robot_name_taken", fields={"name": ["taken"]})
    confident, suggest = float(robot.confident_score), float(robot.suggest_score)
    if not (0 <= suggest <= confident <= 1):
        raise KefuError("robot_thresholds", fields={"suggest_score": ["range"]})
    seen: dict[str, None] = {}
    for kw in robot.transfer_keywords or []:
        kw = str(kw).strip()[:KEYWORD_MAX]
        if kw:
            seen.setdefault(kw, None)
    robot.transfer_keywords = list(seen)[:KEYWORDS_MAX]
    if robot.is_default:
        for other in db.session.scalars(select(Robot).where(
                Robot.company_id == robot.company_id, Robot.id != (robot.id or 0),
                Robot.is_default.is_(True))):
            other.is_default = False
    return robot
