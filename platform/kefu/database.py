"""Database binding: SQLite tuned for the embedded mode (WAL, NORMAL sync, foreign keys)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        cur = dbapi_conn.cursor()
        # WAL + NORMAL: ~10 µs a commit instead of 0.6 ms, still crash-safe for the database.
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()


def init_app(app: Flask) -> None:
    """Bind SQLAlchemy to the app and tune SQLite connections."""
    from . import models  # noqa: F401  (every model registered on the metadata)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        opts = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        opts.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
    db.init_app(app)
