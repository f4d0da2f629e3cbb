"""`kefu bench messages`: visitor→agent delivery latency and throughput over real sockets.

Each run builds its own system: a fresh database, the server processes of the mode, seeded
agents and visitors; drives it with real Socket.IO clients; checks every message arrived exactly
once and is in the database; and always stops its servers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from . import stack as stacks
from .load import Load, run_load
from .procs import CpuMeter, pids_named
from .profile import Profiler
from .seed import count_rows, login_all, make_app, seed

P99_GOAL_MS = 50.0
THROUGHPUT_GOAL = 500.0


class BenchFailed(RuntimeError):
    """The run lost, duplicated or failed to store messages: its figures cannot be trusted."""

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message)
        self.report = report


def run_bench(mode: str, conversations: int, messages: int, rate: float, database_url: str,
              redis_url: str, *, client: str = "auto", server: str = "gunicorn",
              phased: bool = True, hard_timeout: float | None = None,
              open_rate: float | None = None, spread: bool = False,
              keep_logs: bool | None = None) -> dict[str, Any]:
    """Run one benchmark in `mode` ("embedded" or "distributed"); return its report.

    `client` is "auto", "asyncio" or "threads"; `server` ("gunicorn" or "threading") picks the
    distributed web processes; `phased` separates the opening round from the steady phase.
    Server logs are kept (and their folder named on stderr) on failure or with
    KEFU_BENCH_KEEP_LOGS=1; KEFU_BENCH_PYSPY=dir samples the servers with py-spy.
    """
    if keep_logs is None:
        keep_logs = os.environ.get("KEFU_BENCH_KEEP_LOGS", "") not in ("", "0")
    if mode not in ("embedded", "distributed"):
        raise ValueError(f"unknown mode {mode!r}")
    if conversations < 1 or messages < 1 or rate <= 0:
        raise ValueError("conversations, messages and rate must be positive")
    budget = hard_timeout or (120 + 2 * conversations * messages / rate
                              + 2 * conversations / (open_rate or rate))
    deadline = time.monotonic() + budget
    workdir = Path(tempfile.mkdtemp(prefix=f"kefu-bench-{mode}-"))
    stack: stacks.Stack | None = None
    watchdog: threading.Timer | None = None
    failed = True
    try:
        if mode == "embedded":
            stack = stacks.embedded(workdir)
        else:
            stack = stacks.distributed(workdir, database_url, redis_url, server)
        # A hung server or client must not outlive the budget: kill the servers, clients fail.
        watchdog = threading.Timer(budget + 10, stack.stop)
        watchdog.daemon = True
        watchdog.start()
        app = make_app(stack.app_config, workdir / "instance")
        seeded = seed(app, conversations)
        stack.start()
        cookies = login_all(stack.agent_server.base, seeded.agent_emails)
        groups: dict[str, Any] = {s.name: s.pids for s in stack.servers}
        groups["bench_client"] = lambda: [os.getpid()]
        if mode == "distributed":
            groups["postgres"] = lambda: pids_named("postgres")
            groups["redis"] = lambda: pids_named("redis-server")
        meter = CpuMeter(groups)
        profiler = Profiler(stack.servers, os.environ.get("KEFU_BENCH_PYSPY"), mode)

        def start() -> None:
            profiler.start()
            meter.start()

        def end() -> None:
            meter.stop()
            profiler.stop()

        bases = [srv.base for srv in stack.servers]
        if spread:
            # As behind a balancer: clients round-robin over the web processes, agents offset by
            # one, so about half the messages still cross processes through Redis.
            visitor_bases, agent_bases = ",".join(bases), ",".join(bases[1:] + bases[:1])
        else:
            visitor_bases, agent_bases = stack.visitor_server.base, stack.agent_server.base
        load = Load(visitor_bases, agent_bases, seeded.visitor_tokens,
                    cookies, messages, rate, phased, open_rate)
        try:
            tracker, kind = run_load(load, deadline, start, end, client)
        finally:
            profiler.stop()
        rows = count_rows(app)
        report = _report(stack, conversations, messages, rate, len(cookies), seeded.max_concurrent,
                         kind, phased, tracker.summary(), rows, meter.result)
        report["config"]["open_rate"] = open_rate or rate
        report["config"]["placement"] = (
            "spread" if spread and len(bases) > 1 else "visitors on A, agents on B"
            if len(bases) > 1 else "one process")
        _check(report)
        failed = False
        return report
    except Exception as exc:
        if stack is not None and not isinstance(exc, BenchFailed):
            tails = "\n".join(f"--- {s.name} log ---\n{s.log_tail()}" for s in stack.servers)
            raise RuntimeError(f"bench {mode} failed: {exc}\n{tails}") from exc
        raise
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if stack is not None:
            stack.stop()
        if keep_logs or failed:
            print(f"kefu bench: server logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _gevent_checks(stack: stacks.Stack) -> list[str]:
    """What each gunicorn worker logged about monkey patching and psycopg's wait function."""
    out: list[str] = []
    for s in stack.servers:
        found = re.findall(r"kefu-bench-check (.*)", s.log_tail(200_000))
        out.extend(f"{s.name}: {line.strip()}" for line in found)
    return out


def _report(stack: stacks.Stack, conversations: int, messages: int, rate: float, agents: int,
            max_concurrent: int, kind: str, phased: bool, summary: dict[str, Any],
            rows: dict[str, Any], cpu: dict[str, Any]) -> dict[str, Any]:
    p99 = summary["latency_ms"]["all"].get("p99")
    p99_next = summary["latency_ms"]["follow_up"].get("p99")
    steady_rate = summary["steady"].get("delivered_per_s", summary["delivered_per_s"])
    config = {
        "mode": stack.mode, "conversations": conversations, "messages": messages, "rate": rate,
        "agents": agents, "max_concurrent": max_concurrent, "async_mode": stack.async_mode,
        "database": "postgresql" if stack.mode == "distributed" else "sqlite",
        "message_queue": "redis" if stack.mode == "distributed" else None,
        "client": f"python-socketio {kind}", "phased": phased,
        "processes": stack.describe(),
    }
    if stack.mode == "distributed" and stack.async_mode == "gevent":
        config["gevent_check"] = _gevent_checks(stack)
    return {
        "mode": stack.mode,
        "ok": True,
        "config": config,
        **summary,
        "database": rows,
        "cpu": cpu,
        "goals": {
            "p99_le_50ms": p99 is not None and p99 <= P99_GOAL_MS,
            "p99_le_50ms_follow_up": p99_next is not None and p99_next <= P99_GOAL_MS,
            # only meaningful when at least 500 msgs/s are offered
            "ge_500_msgs_per_s": steady_rate >= THROUGHPUT_GOAL if rate >= THROUGHPUT_GOAL else None,
        },
    }


def _check(report: dict[str, Any]) -> None:
    """Fail loudly when a message is lost, duplicated, unacked or missing from the database."""
    problems = []
    expected = report["expected"]
    if report["lost"]:
        problems.append(f"{report['lost']} of {expected} messages never reached an agent")
    if report["duplicates"]:
        problems.append(f"{report['duplicates']} duplicate deliveries to agents")
    if report["unexpected"]:
        problems.append(f"{report['unexpected']} deliveries of unknown messages")
    if report["acked"] != expected or report["ack_errors"]:
        problems.append(f"{report['acked']} of {expected} acked; errors {report['ack_errors'][:3]}")
    db = report["database"]
    if db["visitor_messages"] != expected or db["distinct_client_ids"] != expected:
        problems.append(f"database holds {db['visitor_messages']} visitor messages "
                        f"({db['distinct_client_ids']} distinct), expected {expected}")
    if db["conversations"] != report["config"]["conversations"]:
        problems.append(f"database holds {db['conversations']} conversations")
    if problems:
        report["ok"] = False
        report["problems"] = problems
        print(json.dumps(report, indent=2), file=sys.stderr)
        raise BenchFailed(f"kefu bench {report['mode']} FAILED: " + "; ".join(problems), report)
