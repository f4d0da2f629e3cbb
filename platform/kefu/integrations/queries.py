"""Reads: the integration tabs an agent sees for one conversation, URLs filled in server-side."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..conversations.models import Conversation
from ..extensions import db
from ..org.models import Company, SkillGroupMember, User
from ..visitors.handoff import partner_id_of
from ..visitors.models import Visitor
from . import tokens
from .models import IntegrationPage
from .urls import render


def company_pages(company_id: int, *, enabled_only: bool = True) -> list[IntegrationPage]:
    """The company's pages in tab order."""
    query = select(IntegrationPage).where(IntegrationPage.company_id == company_id)
    if enabled_only:
        query = query.where(IntegrationPage.enabled.is_(True))
    return list(db.session.scalars(query.order_by(IntegrationPage.sort_order, IntegrationPage.id)))


def shown_to(page: IntegrationPage, member_of: set[int]) -> bool:
    """A page limited to skill groups is shown only to their members."""
    if not page.group_ids:
        return True
    return bool(member_of & set(page.group_ids))


def pages_for(user: User, conv: Conversation, lang: str) -> list[dict[str, Any]]:
    """Return [{id, name, url}] for the tabs `user` sees beside `conv` (access checked by caller)."""
    member_of = set(db.session.scalars(
        select(SkillGroupMember.skill_group_id).where(SkillGroupMember.user_id == user.id)
    ))
    pages = [p for p in company_pages(conv.company_id) if shown_to(p, member_of)]
    if not pages:
        return []
    visitor = db.session.get(Visitor, conv.visitor_id)
    company = db.session.get(Company, conv.company_id)
    slug = company.slug if company else ""
    values = {
        "visitor_id": str(conv.visitor_id), "visitor_name": visitor.name if visitor else "",
        "partner_id": partner_id_of(conv.visitor_id, conv.company_id) or "",
        "conversation_id": str(conv.id), "agent_id": str(user.id), "agent_email": user.email,
        "company": slug,
    }
    if any("{token}" in p.url_template for p in pages):
        values["token"] = tokens.issue(conv.company_id, slug, user.id, conv.visitor_id, conv.id)
    out = []
    for page in pages:
        name = page.name_en if lang.startswith("en") and page.name_en else page.name_zh
        out.append({"id": page.id, "name": name, "url": render(page.url_template, values)})
    return out
