"""`kefu bench rules`: decisions through the real path, hot reload across processes, memory.

Every part goes through `RulesRuntime.decide` under an app context, with the ruleset published
by `do_publish` into a real database (the runtime's cache means the database is read only on a
reload). Parts:

- throughput: one thread, decisions/s and per-decision latency (SQLite, one process);
- threads: 4 threads in one process (the engine lock serialises them): aggregate and p99;
- reload: PostgreSQL + Redis, a second process deciding in a tight loop; the time from the
  start of a publish here to the first decision with the new version there;
- memory: 1,000 distinct versions published and decided in one process: RSS, engine counters.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Flask

from . import rules_gen
from .procs import clean_env

POINT = "routing"
PARTS = ("throughput", "threads", "reload", "memory")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """This process's resident set size in MB, from /proc/self/statm."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE / 1e6


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def make_app(config: dict[str, Any], instance: str) -> Flask:
    """A migrated app for the bench (no request handling, in-process jobs)."""
    from flask_migrate import upgrade

    from kefu import create_app

    app = create_app({"KEFU_JOBS": "inprocess", "SECRET_KEY": "bench-rules", **config},
                     instance_path=instance)
    with app.app_context():
        upgrade()
    return app


def seed(rules: int) -> tuple[int, dict[str, int], int]:
    """A company with the skill groups the ruleset names and a web channel (in an app context)."""
    from kefu.channels.models import Channel
    from kefu.org.actions import do_create_company
    from kefu.org.models import SkillGroup
    from kefu.settings.actions import do_save

    company = do_create_company(None, "Bench rules", "bench-rules", "owner@bench.test", "Owner",
                                "owner-pass-123")
    groups = {name: do_save(None, SkillGroup(company_id=company.id, name=name), created=True).id
              for name in rules_gen.group_names(rules)}
    channel = do_save(None, Channel(company_id=company.id, name="web", kind="web"), created=True)
    return company.id, groups, channel.id


def publish(company_id: int, rules: int, groups: dict[str, int], threshold: int = 0) -> int:
    """Publish a generated ruleset; return its version number."""
    from kefu.decisions.actions import do_publish

    definition = rules_gen.ruleset(rules, groups, threshold)
    return do_publish(company_id, POINT, definition, source="import", note=f"bench t={threshold}").version


def _latency(samples_ns: list[int]) -> dict[str, float]:
    us = [s / 1000 for s in samples_ns]
    return {"p50_us": round(pct(us, 50), 1), "p99_us": round(pct(us, 99), 1),
            "max_us": round(max(us) if us else 0.0, 1)}


def _loop(app: Flask, company_id: int, facts: list[dict[str, Any]], seconds: float,
          start: threading.Event | None = None) -> tuple[int, list[int], float, float]:
    """Decide over `facts` round robin for `seconds`; return (count, latencies ns, wall s, cpu s)."""
    from kefu.decisions.runtime import runtime

    with app.app_context():
        decide = runtime().decide
        decide(company_id, POINT, facts[0])  # loads the cache in this context
        if start is not None:
            start.wait()
        samples: list[int] = []
        n, size = 0, len(facts)
        clock = time.perf_counter_ns
        cpu0 = time.thread_time()
        t0 = clock()
        end = t0 + int(seconds * 1e9)
        now = t0
        while now < end:
            decide(company_id, POINT, facts[n % size])
            after = clock()
            samples.append(after - now)
            now = after
            n += 1
        return n, samples, (now - t0) / 1e9, time.thread_time() - cpu0


def part_throughput(app: Flask, company_id: int, facts: list[dict[str, Any]],
                    seconds: float) -> dict[str, Any]:
    """One thread through `RulesRuntime.decide`."""

    n, samples, wall, cpu = _loop(app, company_id, facts, seconds)
    # per CPU second of this thread: what the path costs, whatever else the host is running
    return {"decisions": n, "seconds": round(wall, 3), "decisions_per_s": round(n / wall),
            "cpu_s": round(cpu, 3), "decisions_per_cpu_s": round(n / cpu) if cpu else None,
            "cpu_us_per_decision": round(cpu * 1e6 / n, 1) if n else None,
            **_latency(samples), "failures": app.extensions["kefu_rules"].failures,
            "goal_ge_20000_per_s": n / wall >= 20000, "goal_p99_le_1ms": pct(samples, 99) <= 1e6}


def part_threads(app: Flask, company_id: int, facts: list[dict[str, Any]], seconds: float,
                 threads: int = 4) -> dict[str, Any]:
    """`threads` threads deciding at once in one process (the engine lock serialises them)."""
    start = threading.Event()
    results: list[tuple[int, list[int], float, float]] = []

    def work(offset: int) -> None:
        results.append(_loop(app, company_id, facts[offset:] + facts[:offset], seconds, start))

    pool = [threading.Thread(target=work, args=(i * 97,)) for i in range(threads)]
    for t in pool:
        t.start()
    time.sleep(0.2)
    start.set()
    for t in pool:
        t.join()
    total = sum(r[0] for r in results)
    wall = max(r[2] for r in results)
    samples = [s for r in results for s in r[1]]
    return {"threads": threads, "decisions": total, "seconds": round(wall, 3),
            "decisions_per_s": round(total / wall), **_latency(samples),
            "per_thread_per_s": [round(r[0] / r[2]) for r in results],
            "cpu_s": round(sum(r[3] for r in results), 3)}


def part_memory(app: Flask, company_id: int, rules: int, groups: dict[str, int],
                facts: list[dict[str, Any]], publishes: int) -> dict[str, Any]:
    """Publish `publishes` distinct versions, deciding after each; RSS and engine counters."""
    import gc

    from kefu.decisions.runtime import engine, runtime

    eng = engine()
    with app.app_context():
        rt = runtime()
        # warm up: the first few versions allocate the steady-state structures
        for k in range(1, 6):
            publish(company_id, rules, groups, 1000 + k)
            rt.decide(company_id, POINT, facts[k % len(facts)])
        gc.collect()
        before = rss_mb()
        loads0, unloads0 = eng.loads, eng.unloads
        t0 = time.perf_counter()
        curve = []
        max_loaded = 0
        versions_seen = set()
        lru_full, unloads_full = before, eng.unloads
        for k in range(publishes):
            publish(company_id, rules, groups, 2000 + k)
            decision = rt.decide(company_id, POINT, facts[k % len(facts)])
            versions_seen.add(decision.version)
            max_loaded = max(max_loaded, len(eng.loaded()))
            if k + 1 == eng._keep:
                gc.collect()
                lru_full = rss_mb()
                unloads_full = eng.unloads
            if (k + 1) % max(1, publishes // 10) == 0:
                gc.collect()
                curve.append({"publishes": k + 1, "rss_mb": round(rss_mb(), 1)})
        wall = time.perf_counter() - t0
        gc.collect()
        after = rss_mb()
    loads, unloads = eng.loads - loads0, eng.unloads - unloads0
    # after the LRU is full each publish costs one load and one unload: any leak shows here
    late_unloads = eng.unloads - unloads_full
    return {"publishes": publishes, "seconds": round(wall, 1), "rss_before_mb": round(before, 1),
            "rss_after_mb": round(after, 1), "rss_growth_mb": round(after - before, 1),
            "rss_when_lru_full_mb": round(lru_full, 1),
            "rss_growth_after_lru_full_mb": round(after - lru_full, 1),
            "growth_per_unload_after_lru_full_kb": (round((after - lru_full) * 1000 / late_unloads, 1)
                                                    if late_unloads else None),
            "curve": curve, "engine_keep": eng._keep, "engine_loaded_max": max_loaded,
            "engine_loaded_now": len(eng.loaded()), "loads": loads, "unloads": unloads,
            "distinct_versions_decided": len(versions_seen),
            "goal_loaded_le_keep": max_loaded <= eng._keep}


def _fresh_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def part_reload(rules: int, database_url: str, redis_url: str, repeats: int,
                facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """Publish here, decide in another process; time until that process decides with it."""
    from .stack import _fresh_postgres

    db_url = _fresh_postgres(database_url)
    _fresh_redis(redis_url)
    channel = f"kefu-bench-rules-{os.getpid()}"
    config = {"SQLALCHEMY_DATABASE_URI": db_url, "KEFU_REDIS_URL": redis_url,
              "KEFU_SOCKETIO_CHANNEL": channel}
    with tempfile.TemporaryDirectory(prefix="kefu-bench-rules-") as tmp:
        app = make_app(config, tmp)
        with app.app_context():
            company_id, groups, channel_id = seed(rules)
            publish(company_id, rules, groups, 0)
            sample = facts or rules_gen.visit(__import__("random").Random(3), groups, channel_id)
        env = clean_env(KEFU_DATABASE_URL=db_url, KEFU_REDIS_URL=redis_url,
                        KEFU_SOCKETIO_CHANNEL=channel, KEFU_INSTANCE_PATH=tmp,
                        KEFU_SECRET_KEY="bench-rules")
        proc = subprocess.Popen([sys.executable, "-m", "kefu.bench.rules_worker", str(company_id), POINT,
                                 "--loop"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, start_new_session=True)
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None and proc.stdin is not None

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)

        threading.Thread(target=read, daemon=True).start()
        try:
            proc.stdin.write(json.dumps(sample) + "\n")
            proc.stdin.flush()
            first = lines.get(timeout=60)
            if first.strip() != "ready":
                raise RuntimeError(f"worker said {first!r}")
            effect, after_return, calls, misses = [], [], [], 0
            with app.app_context():
                for k in range(repeats):
                    time.sleep(0.2)
                    t0 = time.monotonic()
                    version = publish(company_id, rules, groups, k + 1)
                    t1 = time.monotonic()
                    calls.append((t1 - t0) * 1000)
                    seen = None
                    deadline = time.monotonic() + 5
                    while seen is None and time.monotonic() < deadline:
                        try:
                            data = json.loads(lines.get(timeout=0.5))
                        except queue.Empty:
                            continue
                        if data["version"] == version:
                            seen = data["t"]
                    if seen is None:
                        misses += 1
                    else:
                        effect.append((seen - t0) * 1000)
                        after_return.append((seen - t1) * 1000)
        finally:
            try:
                proc.stdin.close()
                proc.wait(10)
            except Exception:  # noqa: BLE001 - make sure it is gone
                proc.kill()
                proc.wait(5)
            with app.app_context():
                from kefu.extensions import db

                db.session.remove()
                db.engine.dispose()
    return {"repeats": repeats, "seen": len(effect), "missed_within_5s": misses,
            "publish_to_effect_ms": {"p50": round(pct(effect, 50), 1), "p99": round(pct(effect, 99), 1),
                                     "max": round(max(effect) if effect else 0.0, 1)},
            "publish_call_ms": {"p50": round(pct(calls, 50), 1), "max": round(max(calls), 1)},
            # negative: the other process already decided with it before do_publish returned here
            "publish_return_to_effect_ms": {"p50": round(pct(after_return, 50), 1),
                                            "p99": round(pct(after_return, 99), 1),
                                            "max": round(max(after_return) if after_return else 0.0, 1)},
            "goal_le_1s": bool(effect) and misses == 0 and max(effect) <= 1000,
            "note": "from the start of do_publish here to the first decision with that version in "
                    "the other process (deciding in a tight loop on PostgreSQL + Redis pub/sub)"}


def run(parts: tuple[str, ...] = PARTS, rules: int = 50, seconds: float = 5.0,
        database_url: str = "postgresql://postgres@127.0.0.1/kefu_bench_rules",
        redis_url: str = "redis://127.0.0.1:6379/13", repeats: int = 20,
        publishes: int = 1000, facts: int = 1000) -> dict[str, Any]:
    """Run the chosen parts; return the report."""
    report: dict[str, Any] = {"point": POINT, "rules": rules, "python": sys.version.split()[0],
                              "cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg()[0]}
    local = [p for p in parts if p in ("throughput", "threads", "memory")]
    if local:
        with tempfile.TemporaryDirectory(prefix="kefu-bench-rules-") as tmp:
            app = make_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/kefu.sqlite3",
                            "KEFU_REDIS_URL": ""}, tmp)
            from kefu.decisions.runtime import runtime

            with app.app_context():
                company_id, groups, channel_id = seed(rules)
                publish(company_id, rules, groups, 0)
                rt = runtime()
                pool, spread = rules_gen.workload(
                    lambda f: rt.decide(company_id, POINT, f), facts, groups, channel_id)
            report["workload"] = spread
            report["database"] = "sqlite (read on reload only)"
            if "throughput" in local:
                report["throughput"] = part_throughput(app, company_id, pool, seconds)
            if "threads" in local:
                report["threads"] = part_threads(app, company_id, pool, seconds)
            if "memory" in local:
                report["memory"] = part_memory(app, company_id, rules, groups, pool, publishes)
            with app.app_context():
                from kefu.extensions import db

                db.session.remove()
                db.engine.dispose()
    if "reload" in parts:
        report["reload"] = part_reload(rules, database_url, redis_url, repeats)
    return report
