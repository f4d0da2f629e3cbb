"""Reads of company settings."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import CompanySettings


def company_settings(company_id: int) -> CompanySettings:
    """The company's settings row, or an unsaved one holding the defaults."""
    row = db.session.scalars(
        select(CompanySettings).where(CompanySettings.company_id == company_id)
    ).first()
    if row is not None:
        return row
    defaults = {c.key: c.default.arg for c in CompanySettings.__table__.columns  # type: ignore[attr-defined]
                if c.default is not None and not callable(c.default.arg)}
    return CompanySettings(company_id=company_id, **defaults)
