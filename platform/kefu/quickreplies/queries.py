"""Reads of quick replies: what an agent may pick from, searched and serialized."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from ..extensions import db
from ..org.models import User
from .models import QuickReply, QuickReplyGroup

SCOPES = ("all", "mine", "company")


def _library(model: Any, user: User, scope: str) -> Any:
    """The rows of a scope: the company library, the user's own, or both."""
    mine = model.owner_id == user.id
    shared = model.owner_id.is_(None)
    where = {"mine": mine, "company": shared}.get(scope, or_(shared, mine))
    return (model.company_id == user.company_id, where)


def groups_for(user: User, scope: str = "all") -> list[QuickReplyGroup]:
    """Groups the user may pick from: company groups first, then their own."""
    return list(db.session.scalars(
        select(QuickReplyGroup).where(*_library(QuickReplyGroup, user, scope))
        .order_by(QuickReplyGroup.owner_id.is_not(None), QuickReplyGroup.sort_order,
                  QuickReplyGroup.name, QuickReplyGroup.id)
    ))


def quick_replies_for(user: User, scope: str = "all", q: str = "") -> list[QuickReply]:
    """Shared replies of the user's company plus the user's own, optionally searched.

    The search matches the title, the text or the group's name, case-insensitively.
    """
    stmt = (select(QuickReply).outerjoin(QuickReplyGroup, QuickReply.group_id == QuickReplyGroup.id)
            .where(*_library(QuickReply, user, scope)))
    q = q.strip()
    if q:
        # LIKE wildcards in the search are literal characters.
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(
            func.lower(QuickReply.title).like(pattern, escape="\\"),
            func.lower(QuickReply.text).like(pattern, escape="\\"),
            func.lower(func.coalesce(QuickReplyGroup.name, "")).like(pattern, escape="\\"),
        ))
    return list(db.session.scalars(stmt.order_by(
        # Ungrouped replies last on both backends (NULLs sort first on SQLite, last on PostgreSQL).
        QuickReply.owner_id.is_not(None), QuickReply.group_id.is_(None), QuickReplyGroup.sort_order,
        QuickReplyGroup.name,
        QuickReply.sort_order, QuickReply.id,
    )))


def count_personal(user: User) -> tuple[int, int]:
    """How many replies and groups the user's own library holds."""
    replies = db.session.scalar(select(func.count(QuickReply.id)).where(QuickReply.owner_id == user.id))
    groups = db.session.scalar(
        select(func.count(QuickReplyGroup.id)).where(QuickReplyGroup.owner_id == user.id)
    )
    return int(replies or 0), int(groups or 0)


def group_dict(group: QuickReplyGroup) -> dict[str, Any]:
    """Serialize a group for the workbench."""
    return {"id": group.id, "name": group.name, "personal": group.owner_id is not None,
            "sort_order": group.sort_order}


def reply_dict(reply: QuickReply) -> dict[str, Any]:
    """Serialize a reply for the workbench (its text is inserted as text, never as HTML)."""
    return {"id": reply.id, "title": reply.title, "text": reply.text, "group_id": reply.group_id,
            "personal": reply.owner_id is not None, "sort_order": reply.sort_order}
