"""Shared fixtures: every app-level test runs on SQLite (in-process jobs) and PostgreSQL+Redis (rq)."""

from __future__ import annotations

import os
import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

PG_ADMIN_URL = os.environ.get("KEFU_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# Parallel test runs (several developers, CI) must not share a Redis database or pub/sub channel.
REDIS_URL = os.environ.get("KEFU_TEST_REDIS", f"redis://127.0.0.1:6379/{1 + os.getpid() % 12}")
CHANNEL = f"kefu-test-{os.getpid()}"
BACKENDS = [b for b in os.environ.get("KEFU_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_url(dbname: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test: "sqlite" or "postgresql"."""
    return str(request.param)


@pytest.fixture(scope="session")
def backend_config(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Config overrides (and a fresh database) for the backend."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "kefu.sqlite3"
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "KEFU_REDIS_URL": "",
               "KEFU_JOBS": "inprocess"}
        return
    import redis

    dbname = f"kefu_test_{os.getpid()}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{dbname}"'))
    redis.Redis.from_url(REDIS_URL).flushdb()
    yield {"SQLALCHEMY_DATABASE_URI": _pg_url(dbname), "KEFU_REDIS_URL": REDIS_URL,
           "KEFU_JOBS": "rq", "KEFU_SOCKETIO_CHANNEL": CHANNEL}
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def app(backend_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A migrated app bound to the backend."""
    from flask_migrate import upgrade

    from kefu import create_app

    overrides = {"KEFU_TESTING": True, "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
                 **backend_config}
    application = create_app(overrides, instance_path=str(tmp_path_factory.mktemp("instance")))
    with application.app_context():
        upgrade()
    yield application
    from kefu.extensions import db

    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _clean(app: Flask) -> None:
    from kefu.channels.queries import clear_channel_cache
    from kefu.extensions import db

    clear_channel_cache()  # ids restart with every test
    from kefu.chatpane.words import clear_word_cache

    clear_word_cache()  # sensitive-word lists are cached per company id too
    app.extensions["kefu_rules"].clear()  # so do company ids: no ruleset cached from an earlier test
    jobs = app.extensions["kefu_jobs"]
    if jobs.name == "inprocess":
        jobs.discard_pending()  # a delayed job of one test must not act on the next one's rows
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            with db.engine.begin() as conn:
                for t in tables:
                    conn.execute(sa.text(f'DELETE FROM "{t}"'))
    if app.config["KEFU_REDIS_URL"]:
        import redis

        redis.Redis.from_url(app.config["KEFU_REDIS_URL"]).flushdb()


@pytest.fixture()
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context over empty tables; cleaned again afterwards."""
    _clean(app)
    with app.app_context():
        yield app
    wait_jobs(app)
    _clean(app)


def wait_jobs(app: Flask) -> None:
    """Run every due job: the in-process runner drains, or a real rq SimpleWorker in burst mode."""
    backend = app.extensions["kefu_jobs"]
    if backend.name == "inprocess":
        assert backend.wait_idle(15), "in-process jobs did not finish"
        return
    from rq import Queue, SimpleWorker

    from kefu.jobs import QUEUE_NAME
    from kefu.jobs.runner import set_worker_app

    set_worker_app(app)
    with app.app_context():
        q = Queue(QUEUE_NAME, connection=backend.redis)
        SimpleWorker([q], connection=backend.redis).work(burst=True, with_scheduler=True)


@pytest.fixture()
def run_jobs(app: Flask) -> Callable[[], None]:
    """Run the queued background jobs now."""
    return lambda: wait_jobs(app)


class Factory:
    """Create companies, people and channels through kefu's actions."""

    def __init__(self) -> None:
        self.n = 0

    def _next(self) -> int:
        self.n += 1
        return self.n

    def company(self, slug: str | None = None) -> Any:
        from kefu.org.actions import do_create_company

        n = self._next()
        slug = slug or f"co{n}"
        return do_create_company(None, f"Company {slug}", slug, f"owner@{slug}.test", "Owner",
                                 "owner-pass-123")

    def group(self, company: Any, name: str | None = None, department_id: int | None = None) -> Any:
        from kefu.org.models import SkillGroup
        from kefu.settings.actions import do_save

        return do_save(None, SkillGroup(company_id=company.id, name=name or f"g{self._next()}",
                                        department_id=department_id), created=True)

    def user(self, company: Any, role: str = "agent", groups: list[Any] = (),  # type: ignore[assignment]
             status: str = "offline", max_concurrent: int = 5, department_id: int | None = None,
             password: str = "agent-pass-123") -> Any:
        from kefu.org.actions import do_create_user, do_set_status

        n = self._next()
        slug = company.slug if company else "op"
        user = do_create_user(None, company.id if company else None, f"u{n}@{slug}.test",
                              f"User {n}", password, role=role, max_concurrent=max_concurrent,
                              department_id=department_id, group_ids=[g.id for g in groups],
                              is_operator=company is None)
        if status != "offline":
            do_set_status(user, status)
        return user

    def channel(self, company: Any, group: Any = None, enabled: bool = True) -> Any:
        from kefu.channels.models import Channel
        from kefu.settings.actions import do_save

        return do_save(None, Channel(company_id=company.id, name=f"web{self._next()}", kind="web",
                                     skill_group_id=group.id if group else None, enabled=enabled),
                       created=True)

    def desk(self, status: str = "online", max_concurrent: int = 5) -> SimpleNamespace:
        """A company with one skill group, one agent in it, a web channel and a visitor token."""
        company = self.company()
        group = self.group(company)
        agent = self.user(company, groups=[group], status=status, max_concurrent=max_concurrent)
        channel = self.channel(company, group)
        visitor, token = self.visitor_token(channel)
        return SimpleNamespace(company=company, group=group, agent=agent, channel=channel,
                               visitor=visitor, token=token)

    def visitor_token(self, channel: Any, uid: str | None = None) -> tuple[Any, str]:
        from kefu.visitors.actions import check_open_session

        out = check_open_session(channel, {"uid": uid} if uid else {}, "127.0.0.1", "pytest")
        return out["visitor"], out["token"]


@pytest.fixture()
def make(ctx: Flask) -> Factory:
    """Factory for test data, inside a clean app context."""
    return Factory()


@pytest.fixture()
def live(app: Flask, ctx: Flask) -> Iterator[str]:
    """A live HTTP + Socket.IO server for the app on a free loopback port; yields its base URL."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)


def login(base: str, email: str, password: str) -> requests.Session:
    """Log in through the real form (CSRF included); return the cookie-carrying session."""
    s = requests.Session()
    page = s.get(f"{base}/login", timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert token, "login page has a CSRF token"
    r = s.post(f"{base}/login", data={"csrf_token": token.group(1), "email": email,
                                      "password": password}, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text[:300]
    return s
