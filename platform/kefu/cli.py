"""The `kefu` command: demo, serve, worker, db, seed, user, company, bench."""

from __future__ import annotations

import os
import sys
import webbrowser
from pathlib import Path
from typing import Any

import click
from flask import Flask


def _app(**overrides: Any) -> Flask:
    from . import create_app

    return create_app(overrides or None)


def _upgrade(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@click.group()
@click.option("--instance", envvar="KEFU_INSTANCE_PATH", default=None,
              help="Instance folder (SQLite file); default ./instance")
def main(instance: str | None) -> None:
    """kefu: self-hostable online customer service."""
    path = Path(instance or "instance").resolve()
    path.mkdir(parents=True, exist_ok=True)
    os.environ["KEFU_INSTANCE_PATH"] = str(path)


def _serve(app: Flask, host: str, port: int) -> None:
    from .extensions import socketio

    mode = app.config["KEFU_SOCKETIO_ASYNC_MODE"]
    kwargs: dict[str, Any] = {"host": host, "port": port, "use_reloader": False, "log_output": False}
    if mode == "threading":
        kwargs["allow_unsafe_werkzeug"] = True
    socketio.run(app, **kwargs)


def _print_urls(base: str, channel_key: str | None) -> None:
    click.echo(f"  console    {base}/admin/")
    click.echo(f"  workbench  {base}/workbench")
    if channel_key:
        click.echo(f"  widget     {base}/chat/{channel_key}")
        click.echo(f'  embed      <script src="{base}/widget/{channel_key}.js" async></script>')
    click.echo(f"  health     {base}/healthz")


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-browser", is_flag=True, help="Do not open a browser")
def demo(host: str, port: int, no_browser: bool) -> None:
    """Create the database, seed the demo company and serve it."""
    os.environ["KEFU_DEMO"] = "1"
    app = _app()
    _upgrade(app)
    from .seed import seed_demo

    with app.app_context():
        out = seed_demo()
        key = out["channel"].key if out["channel"] else None
        click.echo(("Seeded" if out["created"] else "Demo company found; passwords reset") + ":")
        for email, password in out["logins"].items():
            click.echo(f"  {email:32s} {password}")
    base = f"http://{host}:{port}"
    click.echo("kefu demo is running:")
    _print_urls(base, key)
    if not no_browser and not os.environ.get("CI"):
        try:
            webbrowser.open(base + "/admin/")
        except Exception:  # no browser on a server: the URLs above are enough
            pass
    _serve(app, host, port)


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app (Socket.IO included); run `kefu db upgrade` first."""
    app = _app()
    click.echo(f"kefu serving on http://{host}:{port}")
    _serve(app, host, port)


@main.command()
@click.option("--burst", is_flag=True, help="Run the queued jobs, then exit")
@click.option("--workers", default=1, type=int, help="Worker processes")
def worker(burst: bool, workers: int) -> None:
    """Run rq workers with the scheduler (needs KEFU_REDIS_URL)."""
    app = _app()
    if app.config["KEFU_JOBS"] != "rq":
        raise click.ClickException("KEFU_REDIS_URL is not set: the embedded mode runs jobs in-process")
    from .jobs.worker import run_workers

    run_workers(app, burst=burst, count=workers)


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration."""
    _upgrade(_app())
    click.echo("database is up to date")


@main.command()
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), default=None)
def seed(path: str | None) -> None:
    """Seed the demo company (idempotent; re-running resets demo passwords)."""
    from .seed import DEFAULT_FILE, seed_demo

    app = _app()
    with app.app_context():
        out = seed_demo(Path(path) if path else DEFAULT_FILE)
        for email, password in out["logins"].items():
            click.echo(f"{email:32s} {password}")


def _fail(exc: Exception) -> None:
    from .errors import KefuError

    if isinstance(exc, KefuError):
        detail = exc.fields or ""
        raise click.ClickException(f"{exc.to_dict('en')['error']['message']} {detail}") from exc
    raise exc


@main.group()
def user() -> None:
    """Account commands."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", default="agent", type=click.Choice(["owner", "admin", "manager", "agent"]))
@click.option("--company", "slug", default=None, help="Company slug; omit with --operator")
@click.option("--operator", is_flag=True, help="An installation operator (manages companies)")
@click.option("--max-concurrent", default=5, type=int)
def user_create(email: str, name: str, password: str, role: str, slug: str | None,
                operator: bool, max_concurrent: int) -> None:
    """Create an account."""
    from sqlalchemy import select

    from .extensions import db as sa
    from .org.actions import check_create_user
    from .org.models import Company

    app = _app()
    with app.app_context():
        company_id = None
        if not operator:
            if not slug:
                raise click.ClickException("--company is required (or --operator)")
            company_id = sa.session.scalar(select(Company.id).where(Company.slug == slug))
            if company_id is None:
                raise click.ClickException(f"no company {slug!r}")
        try:
            u = check_create_user(None, company_id, {
                "email": email, "name": name, "password": password, "role": role,
                "max_concurrent": max_concurrent})
        except Exception as exc:
            _fail(exc)
            return
        if operator:
            u.is_operator = True
            sa.session.commit()
        click.echo(f"created user {u.id} {u.email}")


@main.group()
def company() -> None:
    """Company (tenant) commands."""


@company.command("create")
@click.option("--name", required=True)
@click.option("--slug", required=True)
@click.option("--owner-email", required=True)
@click.option("--owner-name", default="Owner")
@click.option("--owner-password", prompt=True, hide_input=True, confirmation_prompt=True)
def company_create(name: str, slug: str, owner_email: str, owner_name: str,
                   owner_password: str) -> None:
    """Create a company with its owner account."""
    from .org.actions import check_create_company

    app = _app()
    with app.app_context():
        try:
            c = check_create_company(None, {
                "name": name, "slug": slug, "owner_email": owner_email,
                "owner_name": owner_name, "owner_password": owner_password})
        except Exception as exc:
            _fail(exc)
            return
        click.echo(f"created company {c.id} {c.slug}")


def _register_rules() -> None:
    from .decisions.cli import rules

    main.add_command(rules)


_register_rules()


@main.group()
def bench() -> None:
    """Benchmarks that print JSON."""


@bench.command("messages")
@click.option("--conversations", default=200, type=int)
@click.option("--messages", default=20, type=int)
@click.option("--rate", default=100.0, type=float,
              help="Latency pass: visitor messages per second, all together (0 skips the pass)")
@click.option("--max-rate", default=600.0, type=float,
              help="Throughput pass: offered messages per second (0 skips the pass)")
@click.option("--open-rate", default=50.0, type=float,
              help="New conversations per second while they open (the first round)")
@click.option("--mode", type=click.Choice(["embedded", "distributed", "both"]), default="both")
@click.option("--placement", type=click.Choice(["spread", "split"]), default="spread",
              help="distributed: clients round-robin over both web processes (spread), or all "
                   "visitors on one and all agents on the other (split: every message crosses)")
@click.option("--database-url", default="postgresql://postgres@127.0.0.1/kefu_bench")
@click.option("--redis-url", default="redis://127.0.0.1:6379/14")
def bench_messages(conversations: int, messages: int, rate: float, max_rate: float,
                   open_rate: float, mode: str, placement: str, database_url: str,
                   redis_url: str) -> None:
    """Visitor→agent delivery latency and throughput with real Socket.IO clients.

    Each mode runs a latency pass at --rate and a throughput pass at --max-rate, each on a
    fresh server and database; every report says which pass it is.
    """
    import json

    from .bench.messages import BenchFailed, run_bench

    modes = ["embedded", "distributed"] if mode == "both" else [mode]
    passes = [(name, r) for name, r in (("latency", rate), ("throughput", max_rate)) if r > 0]
    results, failed = [], False
    for m in modes:
        for name, pass_rate in passes:
            try:
                report = run_bench(m, conversations, messages, pass_rate, database_url,
                                   redis_url, open_rate=open_rate, spread=placement == "spread")
            except BenchFailed as exc:  # keep its figures, go on with the rest, then fail
                report, failed = exc.report, True
            results.append({"pass": name, **report})
    click.echo(json.dumps(results, indent=2))
    if failed:
        raise SystemExit(1)


@bench.command("rules")
@click.option("--only", "only", type=click.Choice(["throughput", "threads", "reload", "memory"]),
              multiple=True, help="Run only these parts (repeatable); default: all four")
@click.option("--rules", default=50, type=int, help="Rules in the generated routing ruleset")
@click.option("--seconds", default=5.0, type=float, help="Length of the throughput and threads passes")
@click.option("--repeats", default=20, type=int, help="Publishes timed by the reload part")
@click.option("--publishes", default=1000, type=int, help="Versions published by the memory part")
@click.option("--database-url", default="postgresql://postgres@127.0.0.1/kefu_bench_rules",
              help="reload part: dropped and re-created")
@click.option("--redis-url", default="redis://127.0.0.1:6379/13", help="reload part: flushed")
def bench_rules(only: tuple[str, ...], rules: int, seconds: float, repeats: int, publishes: int,
                database_url: str, redis_url: str) -> None:
    """Rules decisions/s and latency, publish-to-effect across processes, memory over publishes."""
    import json

    from .bench.rules import PARTS, run

    report = run(only or PARTS, rules=rules, seconds=seconds, database_url=database_url,
                 redis_url=redis_url, repeats=repeats, publishes=publishes)
    click.echo(json.dumps(report, indent=2, ensure_ascii=False))


@bench.command("ui")
@click.option("--runs", default=5, type=click.IntRange(min=1), help="Measured runs of each (median)")
@click.option("--chats", default=50, type=click.IntRange(min=1), help="Open chats of the agent")
@click.option("--history", default=5000, type=click.IntRange(min=1),
              help="Messages in the long-history chat (one of the open chats)")
def bench_ui(runs: int, chats: int, history: int) -> None:
    """Widget snippet weight and widget/workbench time-to-interactive in headless Chromium."""
    import json

    from .bench.ui import run

    click.echo(json.dumps(run(runs=runs, chats=chats, history=history), indent=2, ensure_ascii=False))


_POSITIVE = click.FloatRange(min=0, min_open=True)


@bench.command("routing")
@click.option("--agents", default=10, type=click.IntRange(min=1))
@click.option("--capacity", default=1, type=click.IntRange(min=1), help="Concurrent chats per agent")
@click.option("--arrival-rate", default=0.08, type=_POSITIVE, help="New chats per second (Poisson)")
@click.option("--handle-time", default=100.0, type=_POSITIVE, help="Mean seconds per chat (exponential)")
@click.option("--duration", default=36000.0, type=_POSITIVE, help="Simulated seconds of arrivals")
@click.option("--seed", default=1, type=int)
@click.option("--patience", default=0.0, type=click.FloatRange(min=0),
              help="Mean seconds a visitor waits before leaving the queue (0: forever)")
@click.option("--max-queue", default=0, type=click.IntRange(min=0), help="Queue length limit (0: none)")
@click.option("--max-wait", default=0, type=click.IntRange(min=0),
              help="Seconds before the keep-waiting prompt (0: none)")
@click.option("--keep-waiting", default=0.5, type=click.FloatRange(0, 1),
              help="Share who keep waiting when asked")
@click.option("--vip-share", default=0.0, type=click.FloatRange(0, 1), help="Share of high-priority arrivals")
def bench_routing(**options: Any) -> None:
    """Simulated traffic through the real queue and routing code; prints JSON."""
    import json

    from .bench.routing import Params, simulate

    click.echo(json.dumps(simulate(Params(**options)), indent=2))


@bench.command("knowledge")
@click.option("--entries", default=20000, type=click.IntRange(min=1), help="Generated Q&A entries")
@click.option("--queries", default=500, type=click.IntRange(min=1), help="Timed searches per database")
@click.option("--backend", "backends", type=click.Choice(["sqlite", "postgresql"]), multiple=True,
              help="Run only on these databases (repeatable); default: both")
@click.option("--database-url", default="postgresql://postgres@127.0.0.1/kefu_bench_knowledge",
              help="PostgreSQL database for the bench: dropped and re-created")
def bench_knowledge(entries: int, queries: int, backends: tuple[str, ...], database_url: str) -> None:
    """Knowledge search: index build time, search p50/p99 and top-1/top-3 on the shipped test set."""
    import json

    from .bench.knowledge import run

    report = run(entries=entries, n_queries=queries, backends=backends or ("sqlite", "postgresql"),
                 database_url=database_url)
    click.echo(json.dumps(report, indent=2, ensure_ascii=False))

if __name__ == "__main__":
    sys.exit(main())
