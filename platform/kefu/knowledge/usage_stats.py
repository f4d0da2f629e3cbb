"""Knowledge usage statistics (知识使用统计): aggregate reads over the search log and robot answers.

Every figure is one GROUP BY over a company's rows in a date range; days are the company's local
days. Local days are computed in SQL by adding the zone's UTC offset, span by span: within a date
range the offset changes only at daylight-saving transitions, so a year is at most a few spans,
and SQLite (which has no time-zone database) and PostgreSQL bucket the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, Schema, ValidationError
from marshmallow import fields as mf
from sqlalchemy import Date, case, cast, distinct, func, select, text
from sqlalchemy.sql.elements import ColumnElement

from ..errors import KefuError
from ..extensions import db
from .models import KnowledgeEntry
from .usage import SOURCES, KnowledgeSearchLog

RANGE_MAX_DAYS = 366
NO_HIT_LIMIT = 100  # rows shown on the page; the csv export takes up to EXPORT_LIMIT
EXPORT_LIMIT = 10_000
TOP_ENTRIES = 10
REASONS_LIMIT = 20
# Outcomes that answer a business question; greetings and chit-chat are small talk, and a
# transfer is a handover, not an answer (robot/models.py OUTCOMES).
QUESTION_OUTCOMES = ("answered", "suggested", "unknown")
SMALL_TALK = ("greeting", "chitchat")


@dataclass(frozen=True)
class Span:
    """UTC interval [start, end) over which the company's zone keeps one offset (minutes)."""

    start: datetime
    end: datetime
    offset: int


@dataclass
class Period:
    """A date range in a company's zone and the UTC instants that bound it."""

    first: date
    last: date
    tz: str
    start: datetime = field(init=False)
    end: datetime = field(init=False)

    def __post_init__(self) -> None:
        zone = ZoneInfo(self.tz)
        self.start = datetime.combine(self.first, time(), zone).astimezone(UTC)
        self.end = datetime.combine(self.last + timedelta(days=1), time(), zone).astimezone(UTC)

    def days(self) -> list[date]:
        """Every local day of the range, in order."""
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def spans(self) -> list[Span]:
        """The range cut where the zone's offset changes (daylight saving)."""
        zone = ZoneInfo(self.tz)

        def offset(at: datetime) -> int:
            delta = at.astimezone(zone).utcoffset() or timedelta()
            return int(delta.total_seconds() // 60)

        spans: list[Span] = []
        begin, current = self.start, offset(self.start)
        probe = self.start
        while probe < self.end:
            nxt = min(probe + timedelta(hours=6), self.end)
            if nxt < self.end and offset(nxt) != current:
                lo, hi = probe, nxt  # offset(lo) == current != offset(hi): find the second it turns
                while hi - lo > timedelta(seconds=1):
                    mid = lo + (hi - lo) / 2
                    if offset(mid) == current:
                        lo = mid
                    else:
                        hi = mid
                spans.append(Span(begin, hi, current))
                begin, current = hi, offset(hi)
            probe = nxt
        spans.append(Span(begin, self.end, current))
        return spans


class RangeSchema(Schema):
    """The page's date range: ISO dates, both optional (default: the last 30 days)."""

    class Meta:
        unknown = EXCLUDE

    first = mf.Date(data_key="from", load_default=None)
    last = mf.Date(data_key="to", load_default=None)


DEFAULT_DAYS = 30


def check_period(args: Any, tz: str, today: date | None = None) -> Period:
    """Validate a date range from untrusted query arguments, in the company's zone."""
    today = today or datetime.now(ZoneInfo(tz)).date()
    data = {k: args.get(k) for k in ("from", "to") if args.get(k)}
    try:
        loaded = RangeSchema().load(data)
    except ValidationError as exc:
        raise KefuError("stats_range", fields=exc.normalized_messages(),
                        limit=RANGE_MAX_DAYS) from exc
    last = loaded["last"] or today
    first = loaded["first"] or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last or (last - first).days + 1 > RANGE_MAX_DAYS:
        raise KefuError("stats_range", fields={"from": ["range"]}, limit=RANGE_MAX_DAYS)
    return Period(first, last, tz)


def local_day(column: Any, minutes: int) -> ColumnElement[Any]:
    """SQL for the local calendar day of a UTC timestamp column shifted by a fixed offset."""
    if db.engine.dialect.name == "postgresql":
        # timezone('UTC', timestamptz) is the UTC wall time, so the session's TimeZone never counts.
        shifted = func.timezone("UTC", column) + text(f"interval '{int(minutes)} minutes'")
        return cast(shifted, Date)
    # SQLite stores UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'; date() applies the modifier.
    return func.date(column, f"{int(minutes):+d} minutes")


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _grouped_by_day(period: Period, model: Any, key: Any,
                    where: Iterable[Any], measures: list[Any]) -> list[tuple[Any, ...]]:
    """Run one GROUP BY (local day, key) per offset span and return (day, key, *measures) rows."""
    rows: list[tuple[Any, ...]] = []
    for span in period.spans():
        day = local_day(model.created_at, span.offset).label("day")
        stmt = (select(day, key, *measures)
                .where(*where, model.created_at >= span.start, model.created_at < span.end)
                .group_by(day, key))
        rows.extend((_as_date(r[0]), *r[1:]) for r in db.session.execute(stmt))
    return rows


# -- searches -------------------------------------------------------------------------------

def search_summary(company_id: int, period: Period) -> dict[str, Any]:
    """Searches per local day and source, searches with at least one hit, and the totals."""
    log = KnowledgeSearchLog
    hit = func.sum(case((log.hits > 0, 1), else_=0))
    rows = _grouped_by_day(period, log, log.source, [log.company_id == company_id],
                           [func.count(log.id), hit])
    days = [d.isoformat() for d in period.days()]
    index = {d: i for i, d in enumerate(days)}
    per_source = {s: [0] * len(days) for s in SOURCES}
    hits_per_source = {s: 0 for s in SOURCES}
    hits_per_day = [0] * len(days)
    for day, source, count, hits in rows:
        i = index.get(day.isoformat())
        if i is None or source not in per_source:
            continue
        per_source[source][i] += int(count)
        hits_per_source[source] += int(hits or 0)
        hits_per_day[i] += int(hits or 0)
    totals = {s: sum(v) for s, v in per_source.items()}
    searches = sum(totals.values())
    found = sum(hits_per_source.values())
    daily_total = [sum(per_source[s][i] for s in SOURCES) for i in range(len(days))]
    return {
        "days": days,
        "per_source": per_source,
        "hit_rate_per_day": [_rate(hits_per_day[i], daily_total[i]) for i in range(len(days))],
        "by_source": {s: {"searches": totals[s], "hits": hits_per_source[s],
                          "hit_rate": _rate(hits_per_source[s], totals[s])} for s in SOURCES},
        "searches": searches,
        "with_hits": found,
        "no_hits": searches - found,
        "hit_rate": _rate(found, searches),
    }


def no_hit_page(company_id: int, period: Period,
                limit: int = NO_HIT_LIMIT) -> tuple[list[dict[str, Any]], int]:
    """Queries that found nothing, most frequent first (ties: latest first), and how many differ."""
    log = KnowledgeSearchLog
    count = func.count(log.id).label("n")
    last = func.max(log.created_at).label("last")
    groups = func.count().over().label("groups")  # counted over the groups, before LIMIT
    stmt = (select(log.query, count, last, groups)
            .where(log.company_id == company_id, log.hits == 0,
                   log.created_at >= period.start, log.created_at < period.end)
            .group_by(log.query).order_by(count.desc(), last.desc(), log.query).limit(limit))
    zone = ZoneInfo(period.tz)
    out, distinct_queries = [], 0
    for query, n, seen, total in db.session.execute(stmt):
        out.append({"query": query, "count": int(n), "last_seen": _aware(seen).astimezone(zone)})
        distinct_queries = int(total)
    return out, distinct_queries


def no_hit_queries(company_id: int, period: Period, limit: int = NO_HIT_LIMIT) -> list[dict[str, Any]]:
    """Queries that found nothing, most frequent first (ties: most recently seen first)."""
    return no_hit_page(company_id, period, limit)[0]


def _aware(value: Any) -> datetime:
    # max() comes back as the raw column value: a naive string or datetime on SQLite.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# -- robot ----------------------------------------------------------------------------------

def _robot_filter(company_id: int, robot_id: int | None) -> list[Any]:
    from ..robot.models import RobotAnswer as ans

    where = [ans.company_id == company_id]
    if robot_id is not None:
        where.append(ans.robot_id == robot_id)
    return where


def check_robot(company_id: int, args: Any) -> int | None:
    """The robot the page is narrowed to (a query argument), which must be the company's."""
    from ..robot.models import Robot

    raw = str(args.get("robot") or "")
    if not raw:
        return None
    robot = db.session.get(Robot, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if robot is None or robot.company_id != company_id:
        raise KefuError("not_found", fields={"robot": ["unknown"]})
    return robot.id


def robot_summary(company_id: int, period: Period, robot_id: int | None = None) -> dict[str, Any]:
    """Answer, suggestion, unknown and transfer rates, feedback, reasons and top entries."""
    from ..robot.models import RobotAnswer as ans

    in_range = [*_robot_filter(company_id, robot_id), ans.created_at >= period.start,
                ans.created_at < period.end]
    outcomes = {o: 0 for o in (*QUESTION_OUTCOMES, *SMALL_TALK, "transfer")}
    feedback = {"useful": 0, "useless": 0}
    for outcome, verdict, n in db.session.execute(
            select(ans.outcome, ans.feedback, func.count(ans.id)).where(*in_range)
            .group_by(ans.outcome, ans.feedback)):
        outcomes[outcome] = outcomes.get(outcome, 0) + int(n)
        if verdict in feedback:
            feedback[verdict] += int(n)
    served, transferred = db.session.execute(select(
        func.count(distinct(ans.conversation_id)),
        func.count(distinct(case((ans.outcome == "transfer", ans.conversation_id)))),
    ).where(*in_range)).one()
    n_reason = func.count(ans.id).label("n")
    reasons = [{"reason": r or "", "count": int(n)} for r, n in db.session.execute(
        select(ans.feedback_reason, n_reason).where(*in_range, ans.feedback == "useless")
        .group_by(ans.feedback_reason).order_by(n_reason.desc(), ans.feedback_reason)
        .limit(REASONS_LIMIT))]
    questions = sum(outcomes[o] for o in QUESTION_OUTCOMES)
    rated = feedback["useful"] + feedback["useless"]
    return {
        "outcomes": outcomes,
        "questions": questions,
        "answer_rate": _rate(outcomes["answered"], questions),
        "suggest_rate": _rate(outcomes["suggested"], questions),
        "unknown_rate": _rate(outcomes["unknown"], questions),
        "conversations": int(served),
        "transferred": int(transferred),
        "transfer_rate": _rate(int(transferred), int(served)),
        "feedback": feedback,
        "useful_rate": _rate(feedback["useful"], rated),
        "reasons": reasons,
        "top_entries": top_entries(company_id, period, robot_id=robot_id),
        "per_day": robot_per_day(company_id, period, robot_id),
    }


def top_entries(company_id: int, period: Period, limit: int = TOP_ENTRIES, *,
                robot_id: int | None = None) -> list[dict[str, Any]]:
    """Entries the robot answered with most often, with their feedback counts."""
    from ..robot.models import RobotAnswer as ans

    n = func.count(ans.id).label("n")
    useful = func.sum(case((ans.feedback == "useful", 1), else_=0))
    useless = func.sum(case((ans.feedback == "useless", 1), else_=0))
    stmt = (select(ans.entry_id, KnowledgeEntry.question, n, useful, useless)
            .join(KnowledgeEntry, KnowledgeEntry.id == ans.entry_id)
            .where(*_robot_filter(company_id, robot_id), ans.outcome == "answered",
                   ans.created_at >= period.start, ans.created_at < period.end)
            .group_by(ans.entry_id, KnowledgeEntry.question)
            .order_by(n.desc(), ans.entry_id).limit(limit))
    return [{"entry_id": e, "question": q, "count": int(c), "useful": int(u or 0),
             "useless": int(x or 0)} for e, q, c, u, x in db.session.execute(stmt)]


def robot_per_day(company_id: int, period: Period,
                  robot_id: int | None = None) -> dict[str, list[int]]:
    """Robot replies per local day and outcome."""
    from ..robot.models import RobotAnswer as ans

    days = [d.isoformat() for d in period.days()]
    index = {d: i for i, d in enumerate(days)}
    series = {o: [0] * len(days) for o in (*QUESTION_OUTCOMES, *SMALL_TALK, "transfer")}
    for day, outcome, n in _grouped_by_day(period, ans, ans.outcome,
                                           _robot_filter(company_id, robot_id),
                                           [func.count(ans.id)]):
        i = index.get(day.isoformat())
        if i is not None and outcome in series:
            series[outcome][i] += int(n)
    return series


def usage_report(company_id: int, period: Period, robot_id: int | None = None) -> dict[str, Any]:
    """Everything the 知识使用统计 page shows."""
    no_hits, distinct_queries = no_hit_page(company_id, period)
    return {
        "search": search_summary(company_id, period),
        "no_hits": no_hits,
        "no_hit_distinct": distinct_queries,
        "robot": robot_summary(company_id, period, robot_id),
    }

