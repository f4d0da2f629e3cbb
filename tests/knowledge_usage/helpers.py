"""Hand-built usage data: search-log rows and robot answers at chosen UTC instants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kefu.conversations.models import Conversation
from kefu.extensions import db
from kefu.knowledge.actions import check_save_entry
from kefu.knowledge.usage import KnowledgeSearchLog


def utc(text: str) -> datetime:
    """An aware UTC instant from 'YYYY-MM-DDTHH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def search_row(company: Any, source: str, query: str, hits: int, at: str) -> None:
    """Store one search as it happened at a given UTC time (committed)."""
    db.session.add(KnowledgeSearchLog(company_id=company.id, source=source, query=query, hits=hits,
                                      created_at=utc(at)))
    db.session.commit()


def entry(company: Any, question: str) -> Any:
    """A published Q&A entry, saved through the knowledge action."""
    return check_save_entry(None, company.id, {"question": question, "answer": f"<p>{question}</p>",
                                               "status": "published"})


def conversation(desk: Any) -> Any:
    """A conversation of the desk's visitor on its channel (committed)."""
    conv = Conversation(company_id=desk.company.id, channel_id=desk.channel.id,
                        visitor_id=desk.visitor.id, status="robot")
    db.session.add(conv)
    db.session.commit()
    return conv


def answer(conv: Any, outcome: str, at: str, *, entry_id: int | None = None,
           feedback: str | None = None, reason: str = "", robot_id: int | None = None) -> None:
    """One robot reply in a conversation at a given UTC time (committed)."""
    from kefu.robot.models import RobotAnswer

    db.session.add(RobotAnswer(company_id=conv.company_id, conversation_id=conv.id, robot_id=robot_id,
                               visitor_id=conv.visitor_id, channel_id=conv.channel_id,
                               question="q", outcome=outcome, entry_id=entry_id, feedback=feedback,
                               feedback_reason=reason, created_at=utc(at)))
    db.session.commit()
