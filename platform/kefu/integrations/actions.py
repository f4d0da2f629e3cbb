"""Writes of integration pages: validate a page, create or rotate the company's token secret."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..audit.actions import record
from ..crypto import encrypt_json
from ..errors import KefuError
from ..extensions import db
from ..org.models import SkillGroup
from .models import IntegrationPage, IntegrationSecret
from .urls import TemplateError, check_template


def check_page(page: IntegrationPage) -> None:
    """Refuse a page whose names, URL template or skill groups are unusable (nothing is saved)."""
    page.name_zh = (page.name_zh or "").strip()
    page.name_en = (page.name_en or "").strip()
    if not page.name_zh or len(page.name_zh) > 60 or len(page.name_en) > 60:
        raise KefuError("integration_name", fields={"name_zh": ["1-60 characters"]})
    try:
        page.url_template = check_template(page.url_template)
    except TemplateError as exc:
        error = KefuError(exc.code, fields={"url_template": [exc.code]})
        error.params = dict(exc.params)
        raise error from exc
    ids = sorted({int(i) for i in (page.group_ids or [])})
    if ids:
        known = set(db.session.scalars(
            select(SkillGroup.id).where(SkillGroup.company_id == page.company_id,
                                        SkillGroup.id.in_(ids))
        ))
        if known != set(ids):
            raise KefuError("cross_company", fields={"group_ids": ["another company"]})
    page.group_ids = ids


def do_create_secret(company_id: int) -> IntegrationSecret:
    """Store a fresh random secret for a company (the first of two racing requests wins)."""
    row = IntegrationSecret(company_id=company_id,
                            secret_encrypted=encrypt_json({"secret": secrets.token_urlsafe(32)}))
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        row = db.session.scalars(
            select(IntegrationSecret).where(IntegrationSecret.company_id == company_id)
        ).one()
    return row


def do_rotate_secret(company_id: int, actor_id: int | None = None) -> IntegrationSecret:
    """Replace a company's secret: every token issued so far stops verifying (audit-logged)."""
    db.session.execute(delete(IntegrationSecret).where(IntegrationSecret.company_id == company_id))
    db.session.commit()
    row = do_create_secret(company_id)
    if actor_id is not None:
        record(actor_id, "rotate_secret", row, company_id, {"secret": ["…", "…"]})
        db.session.commit()
    return row
