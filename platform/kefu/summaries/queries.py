"""Reads of summary categories, summaries and stars."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..timeutil import iso
from .models import ConversationStar, ConversationSummary, SummaryCategory


def summary_of(conversation_id: int) -> ConversationSummary | None:
    """Return the conversation's summary, if one was saved."""
    return db.session.scalar(
        select(ConversationSummary).where(ConversationSummary.conversation_id == conversation_id)
    )


def enabled_types(company_id: int) -> dict[int, SummaryCategory]:
    """Return the company's enabled types whose business unit is enabled too, by id."""
    rows = db.session.scalars(
        select(SummaryCategory).where(SummaryCategory.company_id == company_id,
                                      SummaryCategory.enabled.is_(True))
    ).all()
    units = {r.id for r in rows if r.parent_id is None}
    return {r.id: r for r in rows if r.parent_id in units}


def category_tree(company_id: int, lang: str) -> list[dict[str, Any]]:
    """Return the enabled business units with their enabled types, in the console's order."""
    rows = db.session.scalars(
        select(SummaryCategory).where(SummaryCategory.company_id == company_id,
                                      SummaryCategory.enabled.is_(True))
        .order_by(SummaryCategory.sort_order, SummaryCategory.id)
    ).all()

    def label(row: SummaryCategory) -> str:
        return (row.name_en or row.name) if lang.startswith("en") else row.name

    types: dict[int, list[dict[str, Any]]] = {r.id: [] for r in rows if r.parent_id is None}
    for row in rows:
        if row.parent_id in types:
            types[row.parent_id].append({"id": row.id, "name": label(row)})
    return [{"id": r.id, "name": label(r), "types": types[r.id]}
            for r in rows if r.parent_id is None and types[r.id]]


def summary_dict(summary: ConversationSummary | None) -> dict[str, Any] | None:
    """Serialize a summary for acks and the workbench."""
    if summary is None:
        return None
    return {
        "id": summary.id, "conversation_id": summary.conversation_id, "type_ids": list(summary.type_ids),
        "status": summary.status, "remark": summary.remark, "invalid": summary.invalid,
        "agent_id": summary.agent_id, "updated_by_id": summary.updated_by_id,
        "created_at": iso(summary.created_at), "updated_at": iso(summary.updated_at),
    }


def is_starred(user_id: int, conversation_id: int) -> bool:
    """Tell whether the agent starred the conversation."""
    return db.session.scalar(
        select(ConversationStar.id).where(ConversationStar.user_id == user_id,
                                          ConversationStar.conversation_id == conversation_id)
    ) is not None


def starred_ids(user_id: int, conversation_ids: list[int]) -> list[int]:
    """Return which of these conversations the agent starred."""
    if not conversation_ids:
        return []
    return list(db.session.scalars(
        select(ConversationStar.conversation_id).where(
            ConversationStar.user_id == user_id, ConversationStar.conversation_id.in_(conversation_ids))
    ))


def summary_missing(conversation_id: int, company_id: int) -> bool:
    """Tell whether the company requires a summary before an agent ends a chat and none exists."""
    from ..settings.queries import company_settings

    if not company_settings(company_id).summary_required:
        return False
    return summary_of(conversation_id) is None
