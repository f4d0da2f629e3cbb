"""The browsing trail: pages a visitor viewed, as reported by the widget (the last 50 kept)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

TRAIL_MAX = 50
URL_MAX = 2048
TITLE_MAX = 200


class PageView(db.Model):  # type: ignore[name-defined]
    """One page a visitor viewed on the company's site, in which of their visits."""

    __tablename__ = "visitor_page_view"
    __table_args__ = (Index("ix_visitor_page_view_visitor", "visitor_id", "viewed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id", ondelete="CASCADE"))
    visit: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
