"""Configuration comes from KEFU_* variables and refuses unsafe defaults."""

from __future__ import annotations

import pytest

from kefu.config import DEFAULT_SECRET, ConfigError, load


def test_refuses_default_secret_outside_debug_and_demo(monkeypatch, tmp_path):
    """Without KEFU_SECRET_KEY, a production start is refused with a clear message."""
    for var in ("KEFU_SECRET_KEY", "KEFU_DEBUG", "KEFU_DEMO"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ConfigError, match="KEFU_SECRET_KEY"):
        load(str(tmp_path))


def test_demo_mode_allows_default_secret(monkeypatch, tmp_path):
    """`kefu demo` may run with the default secret."""
    monkeypatch.delenv("KEFU_SECRET_KEY", raising=False)
    monkeypatch.setenv("KEFU_DEMO", "1")
    assert load(str(tmp_path))["SECRET_KEY"] == DEFAULT_SECRET


def test_embedded_default_is_sqlite_in_instance_and_inprocess_jobs(monkeypatch, tmp_path):
    """With no database or Redis configured: SQLite in the instance folder, in-process jobs."""
    for var in ("KEFU_DATABASE_URL", "KEFU_REDIS_URL", "KEFU_JOBS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KEFU_SECRET_KEY", "x" * 40)
    cfg = load(str(tmp_path))
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/kefu.sqlite3"
    assert cfg["KEFU_JOBS"] == "inprocess"


def test_distributed_settings_pick_postgres_driver_and_rq(monkeypatch, tmp_path):
    """KEFU_DATABASE_URL=postgresql://… uses psycopg 3; KEFU_REDIS_URL switches jobs to rq."""
    monkeypatch.setenv("KEFU_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("KEFU_DATABASE_URL", "postgresql://u@db/kefu")
    monkeypatch.setenv("KEFU_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("KEFU_JOBS", raising=False)
    cfg = load(str(tmp_path))
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/kefu"
    assert cfg["KEFU_JOBS"] == "rq"
    assert cfg["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 8


def test_session_cookies_are_secure_in_production(monkeypatch, tmp_path):
    """Outside demo/debug, session cookies are Secure, HttpOnly and SameSite=Lax."""
    for var in ("KEFU_DEBUG", "KEFU_DEMO", "KEFU_SECURE_COOKIES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KEFU_SECRET_KEY", "x" * 40)
    cfg = load(str(tmp_path))
    assert cfg["SESSION_COOKIE_SECURE"] and cfg["REMEMBER_COOKIE_SECURE"]
    assert cfg["SESSION_COOKIE_HTTPONLY"] and cfg["SESSION_COOKIE_SAMESITE"] == "Lax"
    monkeypatch.setenv("KEFU_DEMO", "1")
    assert load(str(tmp_path))["SESSION_COOKIE_SECURE"] is False


def test_deadline_tick_and_rulesets_dir_come_from_the_environment(monkeypatch, tmp_path):
    """KEFU_DEADLINE_TICK and KEFU_RULESETS_DIR reach the ticker and the shipped-ruleset loader."""
    from flask import Flask

    from kefu.decisions.jobs import tick_seconds

    monkeypatch.setenv("KEFU_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("KEFU_DEADLINE_TICK", "0")
    monkeypatch.setenv("KEFU_RULESETS_DIR", str(tmp_path))
    cfg = load(str(tmp_path))
    app = Flask("t")
    app.config.update(cfg)
    assert tick_seconds(app) == 0.0
    assert cfg["KEFU_RULESETS_DIR"] == str(tmp_path)
