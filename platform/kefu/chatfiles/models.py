"""A file or image uploaded into a chat by an agent or the visitor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

UPLOADERS = ("agent", "visitor")


class ChatFile(db.Model):  # type: ignore[name-defined]
    """An upload kept privately; a message carries its id, downloads go by its random key."""

    __tablename__ = "chat_file"
    __table_args__ = (
        Index("ix_chat_file_conversation", "conversation_id", "id"),
        Index("ix_chat_file_company_created", "company_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    uploader_kind: Mapped[str] = mapped_column(String(16))  # one of UPLOADERS
    uploader_id: Mapped[int] = mapped_column(Integer)  # a user id or a visitor id, by the kind
    name: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(100))  # sniffed from the bytes, never the client's word
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(40), unique=True)
    path: Mapped[str] = mapped_column(String(255))  # relative to the upload directory
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
