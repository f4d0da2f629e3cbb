"""Company-defined visitor fields (自定义字段) shown and edited in the workbench's visitor panel."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import KefuError
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

KINDS = ("text", "number", "date", "choice")
TEXT_MAX = 500


class VisitorField(db.Model):  # type: ignore[name-defined]
    """One custom field of a company's visitors: its key in Visitor.custom, label, type and choices."""

    __tablename__ = "visitor_field"
    __table_args__ = (UniqueConstraint("company_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="text")
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __str__(self) -> str:
        return self.label or self.key


def clean_value(field: VisitorField, value: Any) -> Any:
    """Return `value` checked against the field's type (None clears it); raise ValueError if wrong."""
    if value is None or value == "":
        return None
    if field.kind == "number":
        if isinstance(value, bool):
            raise ValueError("number")
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise ValueError("number") from exc
        if number != number or abs(number) > 1e15:  # NaN or absurd
            raise ValueError("number")
        return int(number) if number.is_integer() else number
    if not isinstance(value, str):
        raise ValueError("text")
    if field.kind == "date":
        if len(value) != 10:
            raise ValueError("date")
        return date.fromisoformat(value).isoformat()  # ValueError on a wrong date
    if field.kind == "choice":
        if value not in (field.choices or []):
            raise ValueError("choice")
        return value
    if len(value) > TEXT_MAX:
        raise ValueError("text")
    return value


def company_fields(company_id: int) -> list[VisitorField]:
    """Return a company's custom visitor fields in display order."""
    return list(db.session.scalars(
        db.select(VisitorField).where(VisitorField.company_id == company_id)
        .order_by(VisitorField.sort_order, VisitorField.id)
    ))


def field_dict(field: VisitorField) -> dict[str, Any]:
    """Serialize a field definition for the panel."""
    return {"key": field.key, "label": field.label, "kind": field.kind, "choices": list(field.choices or [])}


_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def check_field_row(field: VisitorField) -> None:
    """Refuse a field definition with a bad key, type or choice list (console writes call this)."""
    field.key = (field.key or "").strip()
    field.label = (field.label or "").strip()
    if not _KEY.match(field.key):
        raise KefuError("visitor_field_key", fields={"key": ["a-z, 0-9, _"]})
    if not field.label or len(field.label) > 64:
        raise KefuError("visitor_field_label", fields={"label": ["1-64 characters"]})
    if field.kind not in KINDS:
        raise KefuError("visitor_field_kind", fields={"kind": list(KINDS)})
    choices = [str(c).strip() for c in (field.choices or []) if str(c).strip()]
    if field.kind == "choice" and not 1 <= len(choices) <= 50:
        raise KefuError("visitor_field_choices", fields={"choices": ["1-50"]})
    if any(len(c) > 64 for c in choices):
        raise KefuError("visitor_field_choices", fields={"choices": ["1-50"]})
    field.choices = list(dict.fromkeys(choices)) if field.kind == "choice" else []
