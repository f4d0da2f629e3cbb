"""Rate sweep: `python -m kefu.bench.sweep --mode distributed --rates 100,200,400,600`.

Runs `run_bench` once per rate and prints one summary line per run (JSON lines), failures
included, so the highest rate a mode sustains can be read off. Optionally waits for a quiet
host first: other processes' CPU skews every figure on a small shared machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from .messages import BenchFailed, run_bench
from .procs import machine_busy


def wait_quiet(max_busy_cores: float, max_wait: float) -> float:
    """Wait until the host's busy cores over 3 s fall under `max_busy_cores`; return them."""
    deadline = time.monotonic() + max_wait
    while True:
        b0, _t0, _s0 = machine_busy()
        time.sleep(3)
        b1, _t1, _s1 = machine_busy()
        busy = (b1 - b0) / 3
        if busy <= max_busy_cores or time.monotonic() > deadline:
            return round(busy, 2)


def line(report: dict[str, Any]) -> dict[str, Any]:
    """The figures of one run that a sweep compares."""
    lat = report["latency_ms"]
    return {
        "mode": report["mode"], "rate": report["config"]["rate"], "ok": report["ok"],
        "async_mode": report["config"]["async_mode"],
        "lost": report["lost"], "delivered_per_s": report["delivered_per_s"],
        "steady_delivered_per_s": report["steady"].get("delivered_per_s"),
        "p50": lat["all"].get("p50"), "p99": lat["all"].get("p99"),
        "follow_up_p50": lat["follow_up"].get("p50"), "follow_up_p99": lat["follow_up"].get("p99"),
        "first_p99": lat["first_message"].get("p99"),
        "server_cpu_per_wall": {k: v["cpu_per_wall"] for k, v in report["cpu"].items()
                                if isinstance(v, dict) and "cpu_per_wall" in v},
        "other_processes_cores": report["cpu"].get("machine", {}).get("other_processes_cores"),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the sweep."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mode", choices=["embedded", "distributed"], required=True)
    ap.add_argument("--rates", default="100,200,300,400,600")
    ap.add_argument("--conversations", type=int, default=200)
    ap.add_argument("--messages", type=int, default=20)
    ap.add_argument("--server", choices=["gunicorn", "threading"], default="gunicorn")
    ap.add_argument("--database-url", default="postgresql://postgres@127.0.0.1/kefu_bench")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    ap.add_argument("--quiet-cores", type=float, default=None,
                    help="Before each run, wait (up to --quiet-wait s) for the host to be this idle")
    ap.add_argument("--quiet-wait", type=float, default=120)
    args = ap.parse_args(argv)
    for rate in [float(r) for r in args.rates.split(",")]:
        busy = None
        if args.quiet_cores is not None:
            busy = wait_quiet(args.quiet_cores, args.quiet_wait)
        try:
            report = run_bench(args.mode, args.conversations, args.messages, rate,
                               args.database_url, args.redis_url, server=args.server)
        except BenchFailed as exc:
            report = exc.report
        out = line(report)
        out["host_busy_cores_before"] = busy
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
