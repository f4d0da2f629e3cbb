"""Publishing reaches every process: a second process decides with the new version within 1 s.

The two-process test needs the distributed backend (PostgreSQL shared by both processes, Redis
pub/sub for the announcement); on SQLite kefu runs as one process and has nobody to tell.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from kefu.bench.procs import clean_env
from kefu.decisions.actions import do_publish
from kefu.decisions.runtime import decide_for, engine, runtime


def _vip(level: str, threshold: int = 2) -> dict[str, Any]:
    return {"rules": [{"id": "vip", "name": "vip",
                       "then": [{"action": "priority", "params": {"level": level}}],
                       "when": {"all": [{"field": "vip_level", "op": "gte", "value": threshold}]}}]}


class Worker:
    """`python -m kefu.bench.rules_worker`: one decision per line written to its stdin."""

    def __init__(self, app: Any, company_id: int, tmp_path: Any, facts: dict[str, Any]):
        cfg = app.config
        env = clean_env(KEFU_DATABASE_URL=cfg["SQLALCHEMY_DATABASE_URI"],
                        KEFU_REDIS_URL=cfg["KEFU_REDIS_URL"],
                        KEFU_SOCKETIO_CHANNEL=cfg["KEFU_SOCKETIO_CHANNEL"],
                        KEFU_INSTANCE_PATH=str(tmp_path), KEFU_SECRET_KEY="test-hot-reload")
        cmd = [sys.executable, "-m", "kefu.bench.rules_worker", str(company_id), "routing"]
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.send(json.dumps(facts))
        assert self.next(60) == "ready", self.stderr()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def next(self, timeout: float) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return ""

    def decide(self) -> dict[str, Any]:
        self.send("")
        line = self.next(10)
        assert line, self.stderr()
        return json.loads(line)  # type: ignore[no-any-return]

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read()[-3000:]

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def test_a_publish_reaches_another_process_within_a_second(app: Any, make: Any, tmp_path: Any) -> None:
    """Process B decides with the version process A just published, well before the recheck."""
    if not app.config["KEFU_REDIS_URL"]:
        pytest.skip("two processes need the distributed backend (PostgreSQL + Redis pub/sub); "
                    "on SQLite kefu is one process")
    company = make.company()
    first = do_publish(company.id, "routing", _vip("high"))
    worker = Worker(app, company.id, tmp_path, {"vip_level": 3})
    try:
        got = worker.decide()
        assert (got["version"], got["rule"]) == (first.version, "vip")
        for level in ("low", "high", "low"):
            version = do_publish(company.id, "routing", _vip(level, 3))
            t0 = time.monotonic()
            while (got := worker.decide())["version"] != version.version:
                assert time.monotonic() - t0 < 1.0, f"still deciding with v{got['version']} after 1 s"
                time.sleep(0.005)
            assert not got["fallback"]
    finally:
        worker.stop()


def test_many_publishes_keep_the_engine_bounded(make: Any) -> None:
    """200 distinct versions, each decided once: at most `keep` rulesets stay loaded."""
    company = make.company()
    eng = engine()
    unloads, failures = eng.unloads, runtime().failures
    peak = 0
    for n in range(200):
        version = do_publish(company.id, "routing", _vip("high", n))
        decision = decide_for(company.id, "routing", {"vip_level": n})
        assert (decision.version, decision.rule_id) == (version.version, "vip")
        peak = max(peak, len(eng.loaded()))
    assert peak <= eng._keep
    assert eng.unloads - unloads >= 200 - eng._keep
    assert runtime().failures == failures
