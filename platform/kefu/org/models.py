"""Tenants and people: companies, departments, skill groups, agents, schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

ROLES = ("owner", "admin", "manager", "agent")
STATUSES = ("online", "busy", "offline")


class Company(db.Model):  # type: ignore[name-defined]
    """A tenant: every other row belongs to exactly one company."""

    __tablename__ = "company"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __str__(self) -> str:
        return self.name


class Department(db.Model):  # type: ignore[name-defined]
    """A node in the company's department tree; scopes what managers see."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("company_id", "parent_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    company: Mapped[Company] = relationship()
    parent: Mapped[Department | None] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return self.name


class SkillGroup(db.Model):  # type: ignore[name-defined]
    """A group of agents that conversations are routed to (技能组)."""

    __tablename__ = "skill_group"
    __table_args__ = (UniqueConstraint("company_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(120))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # 排队设置 of this group; None means "as the company's settings", 0 means unlimited.
    queue_max_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    queue_max_wait_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    company: Mapped[Company] = relationship()
    department: Mapped[Department | None] = relationship()
    members: Mapped[list[SkillGroupMember]] = relationship(
        back_populates="skill_group", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A person who logs in: an operator (no company) or a company's owner/admin/manager/agent."""

    __tablename__ = "user"
    __table_args__ = (Index("ix_user_company_status", "company_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), nullable=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(16), default="agent")
    max_concurrent: Mapped[int] = mapped_column(Integer, default=5)
    status: Mapped[str] = mapped_column(String(16), default="offline")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The busy reason (presence.BusyReason) while busy; no foreign key because SQLite cannot add
    # one to an existing table, and reasons are only ever unset here before they are deleted.
    busy_reason_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    company: Mapped[Company | None] = relationship()
    department: Mapped[Department | None] = relationship()
    memberships: Mapped[list[SkillGroupMember]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.is_active_account

    @property
    def shown_name(self) -> str:
        """Name shown to visitors."""
        return self.display_name or self.name

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class SkillGroupMember(db.Model):  # type: ignore[name-defined]
    """An agent's membership in a skill group, with a routing priority (lower first)."""

    __tablename__ = "skill_group_member"
    __table_args__ = (UniqueConstraint("skill_group_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    skill_group_id: Mapped[int] = mapped_column(ForeignKey("skill_group.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)

    skill_group: Mapped[SkillGroup] = relationship(back_populates="members")
    user: Mapped[User] = relationship(back_populates="memberships")

    def __str__(self) -> str:
        return f"{self.user_id}@{self.skill_group_id}"


class AgentStatusLog(db.Model):  # type: ignore[name-defined]
    """One status change of an agent: the basis of work-log statistics."""

    __tablename__ = "agent_status_log"
    __table_args__ = (Index("ix_agent_status_log_agent_at", "user_id", "changed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    old_status: Mapped[str] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(50), default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who made the change and how (presence.models.SOURCES), and the busy reason chosen; plain
    # ids (no foreign keys: added to an existing table, and the log outlives what it names).
    source: Mapped[str] = mapped_column(String(16), default="self")
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    busy_reason_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class WorkSchedule(db.Model):  # type: ignore[name-defined]
    """Weekly hours, holidays and time zone for a company or one of its skill groups."""

    __tablename__ = "work_schedule"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_group.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # {"mon": [["09:00", "18:00"]], ...}; a missing day means closed.
    weekly: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # ["2026-10-01", ...] closed days; {"2026-09-27": [["09:00","18:00"]]} extra working days.
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    workdays: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    skill_group: Mapped[SkillGroup | None] = relationship()

    def __str__(self) -> str:
        return self.name
