"""Business hours: whether a company or a skill group is open at a moment, in its time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from .models import Company, WorkSchedule

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class LocalTime:
    """A moment as the schedule sees it."""

    hour: int
    weekday: int  # 1 = Monday … 7 = Sunday
    is_open: bool


def _in_ranges(ranges: Any, hhmm: str) -> bool:
    for pair in ranges or []:
        if isinstance(pair, list | tuple) and len(pair) == 2 and str(pair[0]) <= hhmm < str(pair[1]):
            return True
    return False


def local_time(schedule: WorkSchedule | None, now: datetime, default_tz: str = "Asia/Shanghai") -> LocalTime:
    """Evaluate a schedule at `now` (UTC); no schedule means always open."""
    try:
        tz = ZoneInfo(schedule.timezone if schedule else default_tz)
    except Exception:  # noqa: BLE001 - a bad zone name falls back to the default
        tz = ZoneInfo(default_tz)
    local = now.astimezone(tz)
    weekday = local.isoweekday()
    if schedule is None:
        return LocalTime(local.hour, weekday, True)
    day, hhmm = local.date().isoformat(), local.strftime("%H:%M")
    if day in (schedule.workdays or {}):  # an extra working day (调休) overrides the week
        is_open = _in_ranges(schedule.workdays[day], hhmm)
    elif day in (schedule.holidays or []):
        is_open = False
    else:
        is_open = _in_ranges((schedule.weekly or {}).get(DAYS[weekday - 1]), hhmm)
    return LocalTime(local.hour, weekday, is_open)


def schedule_for(company_id: int, skill_group_id: int | None) -> WorkSchedule | None:
    """The group's own schedule, else the company-wide one, else None (always open)."""
    rows = db.session.scalars(
        select(WorkSchedule).where(WorkSchedule.company_id == company_id).order_by(WorkSchedule.id)
    ).all()
    own = next((s for s in rows if skill_group_id is not None and s.skill_group_id == skill_group_id), None)
    return own or next((s for s in rows if s.skill_group_id is None), None)


def company_time(company_id: int, skill_group_id: int | None, now: datetime) -> LocalTime:
    """Local hour, weekday and open/closed for a company (or one of its groups) at `now`."""
    schedule = schedule_for(company_id, skill_group_id)
    tz = db.session.scalar(select(Company.timezone).where(Company.id == company_id)) or "Asia/Shanghai"
    return local_time(schedule, now, tz)
