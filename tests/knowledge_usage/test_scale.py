"""A year of usage (200,000 searches, 100,000 robot answers) read by the page's aggregate queries."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text

from kefu.conversations.models import Conversation
from kefu.extensions import db
from kefu.knowledge.models import KnowledgeEntry
from kefu.knowledge.usage_stats import Period, usage_report

SEARCHES = 200_000
ANSWERS = 100_000
CONVERSATIONS = 2_000
ENTRIES = 50
OUTCOMES = ("answered",) * 6 + ("suggested", "suggested", "unknown", "greeting", "chitchat", "transfer")
SOURCES = ("agent", "robot", "robot", "visitor")


# One INSERT … SELECT over a generated series per table, so seeding stays a few seconds.
SERIES = {
    "postgresql": "SELECT g FROM generate_series(0, :n - 1) AS g",
    "sqlite": "WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g < :n - 1) "
              "SELECT g FROM s",
}
WHEN = {  # the seed's first instant plus g * :step seconds, stored as each database stores UTC
    "postgresql": "CAST(:start AS timestamptz) + g * :step * interval '1 second'",
    "sqlite": "strftime('%Y-%m-%d %H:%M:%f', :start, '+' || (g * :step) || ' seconds')",
}
STEP_SEARCH = 157  # seconds: 200,000 searches over 363 days
STEP_ANSWER = 314  # seconds: 100,000 answers over the same days


def _seed(desk, first: date) -> None:
    """Bulk-insert a year of searches and robot answers for the desk's company."""
    cid = desk.company.id
    # A minute after local midnight: no row sits on the range's edge.
    start = datetime.combine(first, datetime.min.time(), ZoneInfo("Asia/Shanghai")) + timedelta(minutes=1)
    db.session.execute(insert(KnowledgeEntry), [
        {"company_id": cid, "question": f"常见问题 {i}", "status": "published", "created_at": start,
         "updated_at": start} for i in range(ENTRIES)])
    db.session.execute(insert(Conversation), [
        {"company_id": cid, "channel_id": desk.channel.id, "visitor_id": desk.visitor.id,
         "status": "closed", "created_at": start} for _ in range(CONVERSATIONS)])
    entries = sorted(db.session.scalars(select(KnowledgeEntry.id).where(KnowledgeEntry.company_id == cid)))
    convs = sorted(db.session.scalars(select(Conversation.id).where(Conversation.company_id == cid)))
    assert entries == list(range(entries[0], entries[0] + ENTRIES))
    assert convs == list(range(convs[0], convs[0] + CONVERSATIONS))
    dialect = db.engine.dialect.name
    series, when = SERIES[dialect], WHEN[dialect]
    utc_start = start.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    sources = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(SOURCES))
    outcomes = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(OUTCOMES))
    db.session.execute(text(
        "INSERT INTO knowledge_search_log (company_id, source, query, hits, created_at) "
        f"SELECT :cid, CASE g % 4 {sources} END, '问题 ' || (g * 7919 % 5000), "
        f"CASE WHEN g % 10 < 3 THEN 0 ELSE 1 + g % 5 END, {when.replace(':step', str(STEP_SEARCH))} "
        f"FROM ({series}) AS gen"), {"cid": cid, "n": SEARCHES, "start": utc_start})
    db.session.execute(text(
        "INSERT INTO robot_answer (company_id, conversation_id, visitor_id, channel_id, question, "
        "outcome, entry_id, suggested_ids, feedback, feedback_reason, created_at) "
        f"SELECT :cid, :c0 + g % {CONVERSATIONS}, :vid, :chid, 'q', CASE g % {len(OUTCOMES)} {outcomes} END, "
        f":e0 + g % {ENTRIES}, '[]', CASE g % 4 WHEN 0 THEN 'useful' WHEN 1 THEN 'useless' END, "
        f"CASE g % 4 WHEN 1 THEN 'wrong' ELSE '' END, {when.replace(':step', str(STEP_ANSWER))} "
        f"FROM ({series}) AS gen"),
        {"cid": cid, "c0": convs[0], "vid": desk.visitor.id, "chid": desk.channel.id,
         "e0": entries[0], "n": ANSWERS, "start": utc_start})
    db.session.commit()
    if dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE knowledge_search_log")
            conn.exec_driver_sql("ANALYZE robot_answer")


def test_a_year_of_usage_is_read_by_aggregates(make, backend, capsys):
    """The page's queries over 366 days of 300,000 rows give exact totals; their time is printed."""
    desk = make.desk()
    first = date(2025, 1, 1)
    t0 = time.perf_counter()
    _seed(desk, first)
    seeded = time.perf_counter() - t0
    period = Period(first, first + timedelta(days=365), "Asia/Shanghai")
    timings = []
    for _ in range(3):
        db.session.rollback()
        t0 = time.perf_counter()
        report = usage_report(desk.company.id, period)
        timings.append(time.perf_counter() - t0)
    assert report["search"]["searches"] == SEARCHES
    assert report["search"]["no_hits"] == SEARCHES * 3 // 10
    assert len(report["no_hits"]) == 100
    outcomes = Counter(OUTCOMES[i % len(OUTCOMES)] for i in range(ANSWERS))
    assert report["robot"]["outcomes"] == dict(outcomes)
    assert report["robot"]["questions"] == outcomes["answered"] + outcomes["suggested"] + outcomes["unknown"]
    assert report["robot"]["conversations"] == CONVERSATIONS
    per_entry = Counter(i % ENTRIES for i in range(ANSWERS) if OUTCOMES[i % len(OUTCOMES)] == "answered")
    assert [e["count"] for e in report["robot"]["top_entries"]] == [n for _, n in per_entry.most_common(10)]
    with capsys.disabled():
        print("\nknowledge usage page queries:", json.dumps({
            "backend": backend, "searches": SEARCHES, "robot_answers": ANSWERS, "days": 366,
            "seed_s": round(seeded, 2), "report_s": [round(t, 3) for t in timings]}))
