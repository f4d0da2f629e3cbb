"""The system under test: a fresh database, migrated, and the server processes of one mode."""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .procs import Server, clean_env, free_port, kefu_cmd, run_checked

# Plain HTTP on loopback (Secure cookies would never come back from the agents' logins), and
# every agent logs in from 127.0.0.1 within a second: lift the per-address login limit.
BENCH_ENV = {"KEFU_SECURE_COOKIES": "0", "KEFU_LOGIN_RATE_LIMIT": "10000 per minute",
             "KEFU_WIDGET_RATE_LIMIT": "10000 per minute"}


@dataclass
class Stack:
    """What a bench run talks to: the web processes and the database the app should bind."""

    mode: str
    workdir: Path
    secret: str
    app_config: dict[str, Any]  # create_app overrides for seeding and checking in this process
    servers: list[Server] = field(default_factory=list)
    async_mode: str = "threading"
    notes: list[str] = field(default_factory=list)

    @property
    def visitor_server(self) -> Server:
        """Where visitors connect (process A)."""
        return self.servers[0]

    @property
    def agent_server(self) -> Server:
        """Where agents connect (process B in distributed mode)."""
        return self.servers[-1]

    def start(self) -> None:
        """Start every server and wait until each answers /healthz."""
        for s in self.servers:
            s.start()
        for s in self.servers:
            s.wait_ready()

    def stop(self) -> None:
        """Stop every server (safe to call twice, or after a failed start)."""
        for s in self.servers:
            s.stop()

    def describe(self) -> list[dict[str, Any]]:
        """The processes, for the report."""
        return [{"name": s.name, "role": s.role, "port": s.port,
                 "cmd": " ".join(s.cmd[1:] if s.cmd[0] == sys.executable else s.cmd)}
                for s in self.servers]


def embedded(workdir: Path) -> Stack:
    """One `kefu serve` process (threading) on a fresh SQLite instance folder, no Redis."""
    secret = secrets.token_hex(24)
    instance = workdir / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = clean_env(KEFU_INSTANCE_PATH=str(instance), KEFU_SECRET_KEY=secret, **BENCH_ENV)
    run_checked(kefu_cmd("db", "upgrade"), env, workdir)
    port = free_port()
    server = Server("web", "visitors+agents", kefu_cmd("serve", "--host", "127.0.0.1",
                    "--port", str(port)), env, workdir, port, workdir / "web.log")
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'kefu.sqlite3'}",
              "KEFU_REDIS_URL": "", "KEFU_JOBS": "inprocess", "SECRET_KEY": secret}
    return Stack("embedded", workdir, secret, config, [server], "threading")


def _fresh_postgres(database_url: str) -> str:
    """Drop and create the bench database; return its SQLAlchemy URL."""
    import sqlalchemy as sa

    url = sa.make_url(database_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = url.database or "kefu_bench"
    if not name.replace("_", "").isalnum():
        raise ValueError(f"refusing an odd database name {name!r}")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.render_as_string(hide_password=False)


def distributed(workdir: Path, database_url: str, redis_url: str, server: str = "gunicorn") -> Stack:
    """Fresh PostgreSQL database and Redis db, two web processes joined by the Redis queue."""
    import redis

    secret = secrets.token_hex(24)
    db_url = _fresh_postgres(database_url)
    redis.Redis.from_url(redis_url).flushdb()
    instance = workdir / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = clean_env(KEFU_INSTANCE_PATH=str(instance), KEFU_SECRET_KEY=secret,
                    KEFU_DATABASE_URL=db_url, KEFU_REDIS_URL=redis_url, **BENCH_ENV)
    run_checked(kefu_cmd("db", "upgrade"), env, workdir)
    servers = []
    for name, role in (("web-a", "visitors"), ("web-b", "agents")):
        port = free_port()
        if server == "gunicorn":
            env_s = {**env, "KEFU_SOCKETIO_ASYNC_MODE": "gevent"}
            cmd = [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1",
                   "-b", f"127.0.0.1:{port}", "--graceful-timeout", "3",
                   "-c", "python:kefu.bench.gunicorn_conf", "kefu:create_app()"]
        else:  # threading fallback: the same `kefu serve` as the embedded mode
            env_s = {**env, "KEFU_SOCKETIO_ASYNC_MODE": "threading"}
            cmd = kefu_cmd("serve", "--host", "127.0.0.1", "--port", str(port))
        servers.append(Server(name, role, cmd, env_s, workdir, port, workdir / f"{name}.log"))
    config = {"SQLALCHEMY_DATABASE_URI": db_url, "KEFU_REDIS_URL": "", "KEFU_JOBS": "inprocess",
              "SECRET_KEY": secret, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 2}}
    mode = "gevent" if server == "gunicorn" else "threading"
    return Stack("distributed", workdir, secret, config, servers, mode)
