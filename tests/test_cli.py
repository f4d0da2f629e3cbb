"""The `kefu` command on a fresh instance folder: demo, db upgrade, seed, company, user, worker."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import free_port

KEFU = [sys.executable, "-m", "kefu.cli"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env.update({"KEFU_INSTANCE_PATH": str(tmp_path), "KEFU_SECRET_KEY": "cli-test-" + "x" * 32,
                "CI": "1"})
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(KEFU + args, env=env, input=stdin, capture_output=True, text=True,
                          timeout=120)


def test_demo_starts_the_whole_product_on_a_fresh_folder(tmp_path):
    """`kefu demo` migrates, seeds, prints logins and URLs, and serves widget, workbench, console."""
    port = free_port()
    env = _env(tmp_path)
    env.pop("KEFU_SECRET_KEY")  # the demo must run without any configuration
    proc = subprocess.Popen(KEFU + ["demo", "--no-browser", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any("health" in line for line in lines):
            assert time.monotonic() < deadline, "".join(lines)
            lines.append(proc.stdout.readline())
        output = "".join(lines)
        assert re.search(r"agent1@demo\.kefu\.local\s+\S{8,}", output)
        assert f"{base}/chat/demo-web" in output and f"{base}/workbench" in output
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=1).json()["ok"]:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert requests.get(f"{base}/chat/demo-web", timeout=5).status_code == 200
        assert "/login" in requests.get(f"{base}/workbench", timeout=5).url
        assert "/login" in requests.get(f"{base}/admin/", timeout=5).url
        assert (tmp_path / "kefu.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(10)


def test_company_and_user_commands(tmp_path):
    """Operators create companies and accounts from the shell; bad input gets a clear error."""
    env = _env(tmp_path)
    assert _run(["db", "upgrade"], env).returncode == 0
    out = _run(["company", "create", "--name", "ACME", "--slug", "acme",
                "--owner-email", "boss@acme.example.com", "--owner-password", "boss-pass-123"], env)
    assert out.returncode == 0 and "created company" in out.stdout
    dup = _run(["company", "create", "--name", "ACME 2", "--slug", "acme",
                "--owner-email", "b2@acme.example.com", "--owner-password", "boss-pass-123"], env)
    assert dup.returncode != 0 and "already taken" in dup.stderr
    ok = _run(["user", "create", "--email", "a1@acme.example.com", "--name", "A1", "--company",
               "acme", "--password", "agent-pass-123"], env)
    assert ok.returncode == 0 and "created user" in ok.stdout
    short = _run(["user", "create", "--email", "a2@acme.example.com", "--name", "A2", "--company",
                  "acme", "--password", "short"], env)
    assert short.returncode != 0 and "password" in short.stderr
    nocompany = _run(["user", "create", "--email", "a3@x.example.com", "--name", "A3",
                      "--company", "nope", "--password", "agent-pass-123"], env)
    assert nocompany.returncode != 0 and "no company" in nocompany.stderr
    op = _run(["user", "create", "--operator", "--email", "ops@x.example.com", "--name", "Ops",
               "--password", "ops-pass-1234"], env)
    assert op.returncode == 0


def test_production_start_without_secret_is_refused(tmp_path):
    """`kefu serve` without KEFU_SECRET_KEY stops with an explanation."""
    env = _env(tmp_path)
    env.pop("KEFU_SECRET_KEY")
    out = _run(["serve", "--port", str(free_port())], env)
    assert out.returncode != 0 and "KEFU_SECRET_KEY" in out.stderr


def test_worker_command_runs_queued_jobs(app, make, run_jobs):
    """`kefu worker --burst` runs the jobs a close enqueued (distributed mode)."""
    if not app.config["KEFU_REDIS_URL"]:
        pytest.skip("jobs run in-process without Redis")
    from kefu.conversations.actions import check_close, check_visitor_message
    from kefu.conversations.models import ConversationSegment
    from kefu.extensions import db
    from kefu.visitors.token import verify

    d = make.desk()
    msg, _ = check_visitor_message(verify(d.token), {"text": "hi"})
    check_close(d.agent, {"conversation_id": msg.conversation_id})
    env = _env(Path("."), KEFU_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               KEFU_REDIS_URL=app.config["KEFU_REDIS_URL"])
    out = _run(["worker", "--burst"], env)
    assert out.returncode == 0, out.stderr[-2000:]
    db.session.expire_all()
    seg = db.session.query(ConversationSegment).filter_by(conversation_id=msg.conversation_id).one()
    assert seg.duration_seconds is not None and seg.visitor_messages == 1
