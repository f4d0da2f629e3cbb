"""Each figure of 知识使用统计 on small hand-built data, with the numbers worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from kefu.errors import KefuError
from kefu.knowledge.usage_stats import (
    Period,
    check_period,
    no_hit_queries,
    robot_summary,
    search_summary,
)

from .helpers import answer, conversation, entry, search_row

SHANGHAI = "Asia/Shanghai"  # UTC+8, no daylight saving
MARCH = Period(date(2026, 3, 1), date(2026, 3, 3), SHANGHAI)


def seed_searches(make):
    """Two companies' searches around 1-3 March 2026 in Shanghai (UTC+8)."""
    a, b = make.company(), make.company()
    search_row(a, "agent", "before", 0, "2026-02-28T15:59")  # 23:59 on 28 Feb: outside
    search_row(a, "agent", "运费", 3, "2026-02-28T16:00")  # 00:00 on 1 Mar
    search_row(a, "agent", "退款多久到账", 0, "2026-03-01T10:00")  # 18:00 on 1 Mar
    search_row(a, "robot", "退款多久到账", 0, "2026-03-01T16:30")  # 00:30 on 2 Mar
    search_row(a, "visitor", "发票", 2, "2026-03-02T01:00")  # 09:00 on 2 Mar
    search_row(a, "robot", "发票抬头", 0, "2026-03-03T15:59")  # 23:59 on 3 Mar
    search_row(a, "robot", "after", 0, "2026-03-03T16:00")  # 00:00 on 4 Mar: outside
    search_row(b, "robot", "别家的问题", 0, "2026-03-02T02:00")
    return a, b


def test_searches_per_local_day_by_source_and_hit_rate(make):
    """Searches fall on the company's local day; the hit rate is searches with a hit ÷ searches."""
    a, _ = seed_searches(make)
    s = search_summary(a.id, MARCH)
    assert s["days"] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert s["per_source"] == {"agent": [2, 0, 0], "robot": [0, 1, 1], "visitor": [0, 1, 0]}
    assert (s["searches"], s["with_hits"], s["no_hits"], s["hit_rate"]) == (5, 2, 3, 0.4)
    assert s["hit_rate_per_day"] == [0.5, 0.5, 0.0]
    assert s["by_source"] == {
        "agent": {"searches": 2, "hits": 1, "hit_rate": 0.5},
        "robot": {"searches": 2, "hits": 0, "hit_rate": 0.0},
        "visitor": {"searches": 1, "hits": 1, "hit_rate": 1.0},
    }


def test_no_hit_list_most_frequent_first_with_last_seen(make):
    """Queries without results, counted, most frequent first, last seen in local time."""
    a, b = seed_searches(make)
    rows = no_hit_queries(a.id, MARCH)
    assert [(r["query"], r["count"]) for r in rows] == [("退款多久到账", 2), ("发票抬头", 1)]
    assert rows[0]["last_seen"].strftime("%Y-%m-%d %H:%M") == "2026-03-02 00:30"
    assert rows[1]["last_seen"].strftime("%Y-%m-%d %H:%M") == "2026-03-03 23:59"
    assert [r["query"] for r in no_hit_queries(b.id, MARCH)] == ["别家的问题"]


def test_an_empty_company_or_range_shows_zeros_not_errors(make):
    """No searches: every count is 0 and every rate is empty (not a division by zero)."""
    company = make.company()
    s = search_summary(company.id, MARCH)
    assert s["searches"] == 0 and s["hit_rate"] is None and s["hit_rate_per_day"] == [None] * 3
    r = robot_summary(company.id, MARCH)
    assert r["questions"] == 0 and r["answer_rate"] is None and r["transfer_rate"] is None
    assert no_hit_queries(company.id, MARCH) == []


def test_days_follow_daylight_saving_in_the_company_zone(make):
    """New York: EST (UTC-5) until 8 Mar 2026 02:00, then EDT (UTC-4); each search on its own day."""
    company = make.company()
    search_row(company, "agent", "a", 1, "2026-03-07T04:59")  # 23:59 EST on 6 Mar: outside
    search_row(company, "agent", "b", 1, "2026-03-08T04:30")  # 23:30 EST on 7 Mar
    search_row(company, "agent", "c", 1, "2026-03-08T05:30")  # 00:30 EST on 8 Mar
    search_row(company, "agent", "d", 1, "2026-03-09T04:30")  # 00:30 EDT on 9 Mar (23:30 in EST)
    search_row(company, "agent", "e", 1, "2026-03-10T03:59")  # 23:59 EDT on 9 Mar
    search_row(company, "agent", "f", 1, "2026-03-10T04:00")  # 00:00 EDT on 10 Mar: outside
    period = Period(date(2026, 3, 7), date(2026, 3, 9), "America/New_York")
    assert len(period.spans()) == 2
    s = search_summary(company.id, period)
    assert s["per_source"]["agent"] == [1, 1, 2]
    assert s["searches"] == 4


def test_robot_rates_feedback_reasons_and_top_entries(make):
    """Answer/suggestion/unknown rates over questions, transfers over served chats, feedback."""
    desk, other = make.desk(), make.desk()
    e1, e2 = entry(desk.company, "退款多久到账"), entry(desk.company, "如何开发票")
    c1, c2, c3 = conversation(desk), conversation(desk), conversation(desk)
    answer(c1, "answered", "2026-03-01T02:00", entry_id=e1.id, feedback="useful")
    answer(c1, "answered", "2026-03-01T02:01", entry_id=e1.id, feedback="useless", reason="wrong")
    answer(c1, "suggested", "2026-03-01T02:02")
    answer(c1, "greeting", "2026-03-01T02:03")
    answer(c2, "unknown", "2026-03-02T02:00")
    answer(c2, "unknown", "2026-03-02T02:01")
    answer(c2, "transfer", "2026-03-02T02:02")
    answer(c3, "answered", "2026-03-03T02:00", entry_id=e2.id)
    answer(c3, "chitchat", "2026-03-03T02:01")
    answer(c3, "answered", "2026-03-03T15:59", entry_id=e1.id, feedback="useless", reason="看不懂")
    answer(c3, "answered", "2026-02-28T15:00", entry_id=e2.id)  # 23:00 on 28 Feb: outside
    foreign = conversation(other)
    answer(foreign, "answered", "2026-03-02T02:00")
    answer(foreign, "transfer", "2026-03-02T02:01")
    r = robot_summary(desk.company.id, MARCH)
    assert r["outcomes"] == {"answered": 4, "suggested": 1, "unknown": 2, "greeting": 1,
                             "chitchat": 1, "transfer": 1}
    assert r["questions"] == 7
    assert r["answer_rate"] == pytest.approx(4 / 7, abs=1e-4)
    assert r["suggest_rate"] == pytest.approx(1 / 7, abs=1e-4)
    assert r["unknown_rate"] == pytest.approx(2 / 7, abs=1e-4)
    assert (r["conversations"], r["transferred"]) == (3, 1)
    assert r["transfer_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert r["feedback"] == {"useful": 1, "useless": 2}
    assert {x["reason"]: x["count"] for x in r["reasons"]} == {"wrong": 1, "看不懂": 1}
    assert r["top_entries"] == [
        {"entry_id": e1.id, "question": "退款多久到账", "count": 3, "useful": 1, "useless": 2},
        {"entry_id": e2.id, "question": "如何开发票", "count": 1, "useful": 0, "useless": 0},
    ]
    assert r["per_day"]["answered"] == [2, 0, 2]
    assert r["per_day"]["unknown"] == [0, 2, 0]
    assert r["per_day"]["transfer"] == [0, 1, 0]


def test_date_range_is_validated():
    """Defaults to the last 30 days; a reversed, too long or malformed range is refused in zh/en."""
    today = date(2026, 11, 25)
    p = check_period({}, SHANGHAI, today)
    assert (p.first, p.last) == (date(2026, 10, 27), today)
    p = check_period({"from": "2026-01-01", "to": "2026-12-31"}, SHANGHAI, today)
    assert len(p.days()) == 365
    for bad in ({"from": "2026-03-02", "to": "2026-03-01"}, {"from": "2025-01-01", "to": "2026-03-01"},
                {"from": "yesterday"}, {"to": "2026-02-30"}):
        with pytest.raises(KefuError) as err:
            check_period(bad, SHANGHAI, today)
        assert err.value.code == "stats_range"
        assert "366" in err.value.to_dict("zh")["error"]["message"]


def test_robot_figures_narrow_to_one_robot(make):
    """With a robot chosen, only its answers count; another company's robot is refused."""
    from kefu.extensions import db
    from kefu.knowledge.usage_stats import check_robot
    from kefu.robot.models import Robot

    desk, other = make.desk(), make.desk()
    first, second = (Robot(company_id=desk.company.id, name=n) for n in ("售前", "售后"))
    foreign = Robot(company_id=other.company.id, name="别家")
    db.session.add_all([first, second, foreign])
    db.session.commit()
    conv = conversation(desk)
    answer(conv, "answered", "2026-03-01T02:00", robot_id=first.id)
    answer(conv, "unknown", "2026-03-01T02:01", robot_id=second.id)
    answer(conv, "unknown", "2026-03-01T02:02", robot_id=second.id)
    assert robot_summary(desk.company.id, MARCH)["questions"] == 3
    assert robot_summary(desk.company.id, MARCH, first.id)["answer_rate"] == 1.0
    assert robot_summary(desk.company.id, MARCH, second.id)["unknown_rate"] == 1.0
    assert check_robot(desk.company.id, {"robot": str(first.id)}) == first.id
    assert check_robot(desk.company.id, {}) is None
    for bad in (str(foreign.id), "x", "99999999"):
        with pytest.raises(KefuError):
            check_robot(desk.company.id, {"robot": bad})
