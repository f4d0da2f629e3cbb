"""Business hours and overflow (issue 4 item 4): schedules per company and group with time zones,
holidays and extra workdays; overflow on none online / all saturated / closed / always; sticky last
agent only within its window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from kefu.conversations.actions import check_close, check_visitor_message
from kefu.conversations.models import Conversation
from kefu.decisions.actions import do_publish
from kefu.extensions import db
from kefu.org.hours import company_time, local_time, schedule_for
from kefu.org.models import WorkSchedule
from kefu.settings.actions import do_save
from kefu.timeutil import utcnow
from kefu.visitors.actions import check_open_session
from kefu.visitors.token import verify

WEEKDAYS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _schedule(company, group=None, tz="Asia/Shanghai", weekly=None, holidays=(), workdays=None):
    return do_save(None, WorkSchedule(
        company_id=company.id, skill_group_id=group.id if group else None, name=f"s-{tz}",
        timezone=tz, weekly=weekly if weekly is not None else WEEKDAYS, holidays=list(holidays),
        workdays=workdays or {}), created=True)


def _utc(*args):
    return datetime(*args, tzinfo=UTC)


def _open(make, channel, token=None):
    if token is None:
        _visitor, token = make.visitor_token(channel)
    msg, _ = check_visitor_message(verify(token), {"text": "hi"})
    return db.session.get(Conversation, msg.conversation_id, populate_existing=True)


def _overflow(company, to, when):
    do_publish(company.id, "routing", {"rules": [{
        "id": "ovf", "name": "ovf", "when": None,
        "then": [{"action": "overflow", "params": {"group": to.id, "when": when}}]}]})


def test_group_in_london_and_company_in_shanghai_keep_their_own_hours(make):
    """At 10:00 UTC on a Wednesday the London group is open (10:00 there) while the Shanghai
    company is closed (18:00 there); each follows its own zone."""
    company = make.company()
    london = make.group(company, "UK")
    _schedule(company)
    _schedule(company, london, tz="Europe/London")
    at = _utc(2026, 11, 25, 10, 0)
    assert company_time(company.id, london.id, at).is_open
    assert not company_time(company.id, None, at).is_open
    other = make.group(company, "CN")  # no schedule of its own: the company's applies
    assert schedule_for(company.id, other.id).skill_group_id is None
    assert company_time(company.id, other.id, at).hour == 18


def test_summer_time_moves_the_london_opening(make):
    """08:30 UTC is 09:30 in London in July (BST, open) but 08:30 in January (GMT, closed)."""
    company = make.company()
    sched = _schedule(company, tz="Europe/London")
    assert local_time(sched, _utc(2026, 7, 1, 8, 30)).is_open
    assert not local_time(sched, _utc(2027, 1, 6, 8, 30)).is_open


def test_a_holiday_closes_and_an_extra_workday_opens(make):
    """国庆 closes a weekday; a 调休 Sunday opens with its own hours (in the schedule's zone)."""
    company = make.company()
    sched = _schedule(company, holidays=["2026-10-01"], workdays={"2026-09-27": [["09:00", "18:00"]]})
    shanghai_noon = datetime(2026, 10, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert not local_time(sched, shanghai_noon.astimezone(UTC)).is_open  # a Thursday holiday
    assert local_time(sched, shanghai_noon.replace(day=2).astimezone(UTC)).is_open
    sunday = datetime(2026, 9, 27, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
    assert local_time(sched, sunday).is_open
    assert not local_time(sched, sunday + timedelta(hours=1)).is_open  # 18:30: past its hours
    assert not local_time(sched, sunday - timedelta(days=7)).is_open  # an ordinary Sunday


def test_an_overnight_range_runs_into_the_next_morning(make):
    """22:00–02:00 on a Friday is open from 22:00 that Friday to 02:00 on Saturday, nothing more."""
    company = make.company()
    sched = _schedule(company, tz="UTC", weekly={"fri": [["22:00", "02:00"]]})
    fri = 27  # 2026-11-27 is a Friday
    assert not local_time(sched, _utc(2026, 11, fri, 21, 59)).is_open
    assert local_time(sched, _utc(2026, 11, fri, 22, 0)).is_open
    assert local_time(sched, _utc(2026, 11, fri, 23, 59)).is_open
    assert local_time(sched, _utc(2026, 11, fri + 1, 1, 59)).is_open  # Saturday, still Friday's shift
    assert not local_time(sched, _utc(2026, 11, fri + 1, 2, 0)).is_open
    assert not local_time(sched, _utc(2026, 11, fri, 1, 0)).is_open  # Thursday has no shift
    # The part after midnight belongs to the day the range is listed on.
    friday_off = _schedule(company, tz="UTC", weekly={"fri": [["22:00", "02:00"]]}, holidays=["2026-11-27"])
    assert not local_time(friday_off, _utc(2026, 11, fri + 1, 1, 0)).is_open
    saturday_off = _schedule(company, tz="UTC", weekly={"fri": [["22:00", "02:00"]]}, holidays=["2026-11-28"])
    assert local_time(saturday_off, _utc(2026, 11, fri + 1, 1, 0)).is_open


def test_routing_counts_the_hours_after_midnight_as_open(make):
    """A chat in the after-midnight part of an overnight range is served, not offered the leave form."""
    now = utcnow()
    offset = (12 - now.hour + 12) % 24 - 12  # a zone where it is now 12:xx (Etc/GMT-N is UTC+N)
    tz = "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"
    assert local_time(None, now, tz).hour == 12
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group], status="online")
    channel = make.channel(company, group)
    _schedule(company, group, tz=tz, weekly={d: [["23:00", "14:00"]] for d in ALL_DAY})
    conv = _open(make, channel)
    assert conv.status == "active" and conv.agent_id == agent.id


def test_overflow_when_the_group_is_closed(make):
    """A group closed today (a holiday in its zone) overflows to the open backup group."""
    company = make.company()
    main, backup = make.group(company), make.group(company)
    make.user(company, groups=[main], status="online")
    backup_agent = make.user(company, groups=[backup], status="online")
    today = utcnow().astimezone(ZoneInfo("Europe/London")).date().isoformat()
    _schedule(company, main, tz="Europe/London", weekly=ALL_DAY, holidays=[today])
    _schedule(company, backup, weekly=ALL_DAY)
    channel = make.channel(company, main)
    _overflow(company, backup, "closed")
    conv = _open(make, channel)
    assert conv.skill_group_id == backup.id and conv.agent_id == backup_agent.id


def test_no_overflow_when_the_group_is_open(make):
    """The "closed" condition is checked: an open group keeps its chats."""
    company = make.company()
    main, backup = make.group(company), make.group(company)
    agent = make.user(company, groups=[main], status="online")
    make.user(company, groups=[backup], status="online")
    _schedule(company, main, tz="Europe/London", weekly=ALL_DAY)
    channel = make.channel(company, main)
    _overflow(company, backup, "closed")
    conv = _open(make, channel)
    assert conv.skill_group_id == main.id and conv.agent_id == agent.id


def test_overflow_when_everyone_is_saturated(make):
    """With every agent of the group at capacity, the next chat overflows; before that it stays."""
    company = make.company()
    main, backup = make.group(company), make.group(company)
    agent = make.user(company, groups=[main], status="online", max_concurrent=1)
    helper = make.user(company, groups=[backup], status="online")
    channel = make.channel(company, main)
    _overflow(company, backup, "all_saturated")
    first = _open(make, channel)
    assert first.skill_group_id == main.id and first.agent_id == agent.id
    second = _open(make, channel)
    assert second.skill_group_id == backup.id and second.agent_id == helper.id


def test_overflow_always(make):
    """"Always" sends every chat to the other group, staffed or not."""
    company = make.company()
    main, backup = make.group(company), make.group(company)
    make.user(company, groups=[main], status="online")
    helper = make.user(company, groups=[backup], status="online")
    channel = make.channel(company, main)
    _overflow(company, backup, "always")
    assert _open(make, channel).agent_id == helper.id


def test_last_agent_is_sticky_only_within_its_window(make):
    """A visitor who was served 3 hours ago does not go back to that agent under a 2-hour window."""
    company = make.company()
    group = make.group(company)
    served = make.user(company, groups=[group], status="online", max_concurrent=10)
    channel = make.channel(company, group)
    do_publish(company.id, "routing", {"rules": [{
        "id": "sticky", "name": "sticky", "when": None,
        "then": [{"action": "strategy", "params": {"strategy": "last_agent", "hours": 2}}]}]})
    _visitor, token = make.visitor_token(channel)
    first = _open(make, channel, token)
    assert first.agent_id == served.id
    check_close(served, {"conversation_id": first.id})
    for _ in range(2):
        _open(make, channel)  # `served` is now the busier agent
    fresh = make.user(company, groups=[group], status="online", max_concurrent=10)
    token = check_open_session(channel, {"token": token}, "127.0.0.1", "pytest")["token"]
    db.session.execute(update(Conversation).where(Conversation.id == first.id)
                       .values(assigned_at=utcnow() - timedelta(hours=3)))
    db.session.commit()
    late = _open(make, channel, token)
    assert late.agent_id == fresh.id  # outside the window: least saturation
