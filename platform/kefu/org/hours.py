"""Business hours: whether a company or a skill group is open at a moment, in its time zone.

A range whose end is earlier than its start runs past midnight: ["22:00", "02:00"] on Friday
means open from 22:00 on Friday to 02:00 on Saturday. The part after midnight belongs to the day
the range is listed on, so Friday's holiday closes it and Saturday's holiday does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
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


def _pairs(ranges: Any) -> list[tuple[str, str]]:
    """The well-formed ["HH:MM", "HH:MM"] pairs of a day's ranges."""
    return [(str(p[0]), str(p[1])) for p in ranges or [] if isinstance(p, list | tuple) and len(p) == 2]


def _in_ranges(ranges: Any, hhmm: str) -> bool:
    """Whether a day's own ranges cover hhmm on that day (an overnight range: from its start)."""
    for start, end in _pairs(ranges):
        if start < end and start <= hhmm < end:
            return True
        if start > end and start <= hhmm:  # overnight: until midnight today (start == end: empty)
            return True
    return False


def _in_overnight_tail(ranges: Any, hhmm: str) -> bool:
    """Whether the day before's overnight ranges still cover hhmm after midnight."""
    return any(start > end and hhmm < end for start, end in _pairs(ranges))


def _day_ranges(schedule: WorkSchedule, day: date) -> Any:
    """The ranges a local date opens with: an extra working day (调休) overrides the week."""
    key = day.isoformat()
    if key in (schedule.workdays or {}):
        return schedule.workdays[key]
    if key in (schedule.holidays or []):
        return []
    return (schedule.weekly or {}).get(DAYS[day.isoweekday() - 1])


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
    day, hhmm = local.date(), local.strftime("%H:%M")
    is_open = (_in_ranges(_day_ranges(schedule, day), hhmm)
               or _in_overnight_tail(_day_ranges(schedule, day - timedelta(days=1)), hhmm))
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
