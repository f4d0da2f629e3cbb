"""`kefu bench rules` runs and prints its JSON report (a smoke test: no timing asserts)."""

from __future__ import annotations

import json
import subprocess
import sys

from kefu.bench.procs import clean_env


def test_bench_rules_throughput_prints_json() -> None:
    """A one-second throughput pass over a small ruleset reports rate and latency."""
    done = subprocess.run(
        [sys.executable, "-m", "kefu.cli", "bench", "rules", "--seconds", "1", "--only", "throughput",
         "--rules", "10"],
        env=clean_env(), capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["point"] == "routing" and report["rules"] == 10
    assert report["workload"]["facts"] > 0 and report["workload"]["matching_nothing"] > 0
    part = report["throughput"]
    for key in ("decisions", "seconds", "decisions_per_s", "p50_us", "p99_us", "max_us", "failures",
                "goal_ge_20000_per_s", "goal_p99_le_1ms"):
        assert key in part, key
    assert part["decisions"] > 0 and part["failures"] == 0
    assert "threads" not in report and "reload" not in report and "memory" not in report
