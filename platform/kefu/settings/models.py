"""Company-wide conversation settings (会话设置) that are switches rather than rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

# What happens to an agent's open chats when they go offline: stay theirs, back to the queue, or
# end as 客服离线 (end reason agent_offline).
OFFLINE_CHATS = ("stay", "requeue", "close")
# The content types a chat accepts unless the company narrows or widens them.
DEFAULT_FILE_TYPES = ",".join((
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
))


class CompanySettings(db.Model):  # type: ignore[name-defined]
    """One row per company; a company without a row uses the defaults below."""

    __tablename__ = "company_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), unique=True)
    # 排队设置: 0 means no limit. A skill group may override both.
    queue_max_length: Mapped[int] = mapped_column(Integer, default=0)
    queue_max_wait_seconds: Mapped[int] = mapped_column(Integer, default=0)
    queue_full_text: Mapped[str] = mapped_column(String(500), default="")
    queue_timeout_text: Mapped[str] = mapped_column(String(500), default="")
    # 客服状态: status changes wait for an admin; a dropped agent stays for a grace period.
    status_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    presence_grace_seconds: Mapped[int] = mapped_column(Integer, default=180)
    offline_chats: Mapped[str] = mapped_column(String(16), default="stay")  # one of OFFLINE_CHATS
    # 满意度: whether agents see the ratings of their chats; invite when an agent ends a chat.
    agents_see_ratings: Mapped[bool] = mapped_column(Boolean, default=True)
    rating_on_close: Mapped[bool] = mapped_column(Boolean, default=True)
    # 消息撤回: how long after sending its sender may recall a message (0: never).
    recall_seconds: Mapped[int] = mapped_column(Integer, default=120)
    # 服务总结: an agent may end a chat only once its summary is saved (timeouts are not blocked).
    summary_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # 客服工作台设置 → 提醒: the defaults each agent's workbench starts from (an agent may turn
    # them off for their own browser).
    notify_sound: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_desktop: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_on_message: Mapped[bool] = mapped_column(Boolean, default=True)
    # 客服工作台设置 → 文件: files and images in chats, checked by content on upload.
    file_max_mb: Mapped[int] = mapped_column(Integer, default=10)
    file_types: Mapped[str] = mapped_column(String(1000), default=DEFAULT_FILE_TYPES)
    visitor_files: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return f"settings of company {self.company_id}"
