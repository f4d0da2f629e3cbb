"""Reads about a company's people and groups that other packages share."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from ..extensions import db
from .models import Company, SkillGroup, User


def _an_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def company_group(company_id: int, group_id: Any) -> int | None:
    """Return `group_id` if it is a skill group of the company (a rule may name a deleted one)."""
    if not _an_id(group_id):
        return None
    found = db.session.scalar(
        select(SkillGroup.id).where(SkillGroup.id == group_id, SkillGroup.company_id == company_id)
    )
    return int(found) if found is not None else None


def company_agent(company_id: int, agent_id: Any) -> int | None:
    """Return `agent_id` if it is an active account of the company, else None."""
    if not _an_id(agent_id):
        return None
    found = db.session.scalar(
        select(User.id).where(User.id == agent_id, User.company_id == company_id,
                              User.is_active_account.is_(True))
    )
    return int(found) if found is not None else None


def company_zone(company_id: int | None) -> ZoneInfo:
    """The company's time zone (its setting; UTC when unknown or unreadable)."""
    name = db.session.scalar(select(Company.timezone).where(Company.id == company_id)) if company_id else None
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
