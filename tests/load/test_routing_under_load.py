"""Routing under a burst: 500 visitors, 20 agents of capacity 5 going off and on, two web processes
and a worker on PostgreSQL + Redis (kefu.bench.burst drives it, kefu.bench.burst_check judges).

The burst runs once for the module; each test states one guarantee. Needs PostgreSQL and Redis
on loopback (as in CI); skipped without them, or with KEFU_SKIP_LOAD=1.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

from kefu.bench import burst_check as check
from kefu.bench.burst import Observed, Plan, run_burst

from ..conftest import PG_ADMIN_URL

REDIS_URL = os.environ.get("KEFU_LOAD_REDIS", "redis://127.0.0.1:6379/15")
DATABASE = f"kefu_load_{os.getpid()}"
SERVE_WITHIN = 240.0


def _reachable() -> str | None:
    """Why the load test cannot run here, or None."""
    if os.environ.get("KEFU_SKIP_LOAD", "") not in ("", "0"):
        return "KEFU_SKIP_LOAD is set"
    import redis
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # any failure to reach them means: not this machine
        return f"PostgreSQL or Redis not reachable: {exc}"
    return None


@pytest.fixture(scope="module")
def burst() -> Iterator[Observed]:
    """One burst run; its database is dropped afterwards."""
    reason = _reachable()
    if reason:
        pytest.skip(reason)
    import sqlalchemy as sa

    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE
    # The time bound is one of liveness, not speed: a CI host two or three times slower than
    # this one took 122 s to serve everyone. `python -m kefu.bench.burst` reports the time.
    obs = run_burst(Plan(serve_within=SERVE_WITHIN), url, REDIS_URL, hard_timeout=420)
    print(json.dumps(check.summary(obs), indent=1))  # the figures, with -s
    yield obs
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    admin.dispose()


def _clean(found: list[str]) -> None:
    """Fail with the first problems found."""
    assert not found, "\n".join(check.first(found))


def test_no_agent_ever_above_capacity(burst: Observed) -> None:
    """No agent held more than 5 chats at any instant: overlapping segments, every committed
    snapshot the poller read, and what each agent's socket was handed."""
    assert burst.segments and burst.polls > 10
    _clean(check.check_capacity(burst))


def test_every_conversation_assigned_once(burst: Observed) -> None:
    """Each conversation had one agent at a time, its conversation.assigned reached exactly that
    agent's socket once, and its visitor heard it once."""
    _clean(check.check_assigned_once(burst))


def test_nothing_lost(burst: Observed) -> None:
    """Every visitor's first message was acknowledged and stored exactly once, in one
    conversation per visitor, which an agent served and closed."""
    assert len(burst.conversations) == burst.plan.visitors
    _clean(check.check_nothing_lost(burst))


def test_queue_order_within_priority(burst: Observed) -> None:
    """No chat was assigned while one ahead of it in its queue (a VIP, or the same priority
    queued earlier) had visibly waited 0.5 s and went on waiting 0.5 s more."""
    assert sum(burst.vip) > 0 and burst.seen_queued, "the burst must queue, VIPs included"
    _clean(check.check_order(burst))


def test_no_chat_for_an_agent_who_went_offline(burst: Observed) -> None:
    """Agents went offline and online during the burst, and none was assigned a chat between
    their acknowledged going offline and their going online again."""
    assert sum(len(w) for w in burst.offline_windows.values()) >= 10
    _clean(check.check_offline(burst))


def test_every_queued_visitor_served(burst: Observed) -> None:
    """All 500 visitors were served once capacity freed (within a generous liveness bound)."""
    _clean(check.check_served(burst))
