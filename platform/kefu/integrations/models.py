"""Integration pages (对接页面设置) and each company's token-signing secret."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

TEMPLATE_MAX = 2000


class IntegrationPage(db.Model):  # type: ignore[name-defined]
    """One iframe tab of the workbench: a URL template filled in per conversation."""

    __tablename__ = "integration_page"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60), default="")
    url_template: Mapped[str] = mapped_column(String(TEMPLATE_MAX))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Skill-group ids whose agents see the tab; empty means everyone of the company.
    group_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __str__(self) -> str:
        return self.name_zh


class IntegrationSecret(db.Model):  # type: ignore[name-defined]
    """The key that signs a company's {token}; Fernet-encrypted like channel secrets."""

    __tablename__ = "integration_secret"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), unique=True)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
