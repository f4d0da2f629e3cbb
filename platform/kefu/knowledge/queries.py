"""Reads of the knowledge base: who may search what, the category tree, related entries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..org.models import SkillGroupMember, User
from ..timeutil import utcnow
from .models import KnowledgeCategory, KnowledgeEntry
from .search import Scope

# Roles that see every internal article whatever its skill groups (they manage the agents).
SEE_ALL_ROLES = frozenset({"owner", "admin", "manager"})


def agent_scope(user: User, kinds: tuple[str, ...] = ("article", "qa")) -> Scope:
    """What an agent's 内部知识库 panel searches: published, valid now, their groups' articles."""
    groups: tuple[int, ...] | None = None
    if user.role not in SEE_ALL_ROLES:
        groups = tuple(db.session.scalars(select(SkillGroupMember.skill_group_id).where(
            SkillGroupMember.user_id == user.id)))
    # An operator (no company) has no knowledge base of their own: company 0 matches nothing.
    return Scope(user.company_id or 0, kinds=kinds, valid_at=utcnow(), skill_group_ids=groups)


def visitor_scope(company_id: int, channel_id: int | None, tags: list[str] | None,
                  kinds: tuple[str, ...] = ("qa",)) -> Scope:
    """What the robot may answer a visitor from: published, valid now, for their channel and groups."""
    return Scope(company_id, kinds=kinds, valid_at=utcnow(), channel_id=channel_id,
                 customer_groups=tuple(tags or ()))


def category_tree(company_id: int) -> list[dict[str, Any]]:
    """The company's categories as nested dicts (id, name, name_en, children), in display order."""
    rows = db.session.scalars(select(KnowledgeCategory).where(
        KnowledgeCategory.company_id == company_id).order_by(
        KnowledgeCategory.sort_order, KnowledgeCategory.id)).all()
    nodes: dict[int, dict[str, Any]] = {
        c.id: {"id": c.id, "name": c.name, "name_en": c.name_en, "children": []} for c in rows}
    roots: list[dict[str, Any]] = []
    for c in rows:
        parent = nodes.get(c.parent_id) if c.parent_id else None
        siblings: list[dict[str, Any]] = parent["children"] if parent else roots
        siblings.append(nodes[c.id])
    return roots


def related_entries(entry: KnowledgeEntry, published_only: bool = True) -> list[KnowledgeEntry]:
    """The entry's related questions that still exist (and are published), in the stored order."""
    if not entry.related_ids:
        return []
    stmt = select(KnowledgeEntry).where(KnowledgeEntry.id.in_(entry.related_ids),
                                        KnowledgeEntry.company_id == entry.company_id)
    if published_only:
        stmt = stmt.where(KnowledgeEntry.status == "published")
    found = {e.id: e for e in db.session.scalars(stmt)}
    return [found[i] for i in entry.related_ids if i in found]
