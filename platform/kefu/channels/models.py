"""Channels a visitor can reach the company through (web widget, WhatsApp, Messenger, LINE, API)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..org.models import SkillGroup
from ..timeutil import UTCDateTime, utcnow

KINDS = ("web", "whatsapp", "messenger", "line", "api")


class Channel(db.Model):  # type: ignore[name-defined]
    """One entry point; `key` is public (widget URL), secrets are encrypted at rest."""

    __tablename__ = "channel"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="web")
    name: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(12)
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_group.id", ondelete="SET NULL"), nullable=True
    )
    # Fernet token of a JSON object (access tokens, app secrets); never stored in clear.
    secrets_encrypted: Mapped[str] = mapped_column(Text, default="")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    skill_group: Mapped[SkillGroup | None] = relationship()

    def __str__(self) -> str:
        return self.name
