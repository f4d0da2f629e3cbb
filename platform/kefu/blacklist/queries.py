"""Reads about the blacklist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from ..extensions import db
from ..timeutil import utcnow
from .models import BlacklistEntry


def active_entry(company_id: int, visitor_id: int, now: datetime | None = None) -> BlacklistEntry | None:
    """The blacklisting that keeps this visitor away from agents now (latest expiry first), or None."""
    now = now or utcnow()
    return db.session.scalars(
        select(BlacklistEntry)
        .where(BlacklistEntry.company_id == company_id, BlacklistEntry.visitor_id == visitor_id,
               BlacklistEntry.lifted_at.is_(None),
               or_(BlacklistEntry.expires_at.is_(None), BlacklistEntry.expires_at > now))
        .order_by(BlacklistEntry.expires_at.desc().nulls_first(), BlacklistEntry.id.desc())
        .limit(1)
    ).first()


def is_blacklisted(company_id: int, visitor_id: int, now: datetime | None = None) -> bool:
    """Whether the visitor is kept away from human agents now."""
    return active_entry(company_id, visitor_id, now) is not None
