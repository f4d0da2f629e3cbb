"""Reads of quick replies."""

from __future__ import annotations

from sqlalchemy import or_, select

from ..extensions import db
from ..org.models import User
from .models import QuickReply


def quick_replies_for(user: User) -> list[QuickReply]:
    """Shared replies of the user's company plus the user's own."""
    return list(
        db.session.scalars(
            select(QuickReply)
            .where(
                QuickReply.company_id == user.company_id,
                or_(QuickReply.owner_id.is_(None), QuickReply.owner_id == user.id),
            )
            .order_by(QuickReply.category, QuickReply.sort_order, QuickReply.id)
        )
    )
