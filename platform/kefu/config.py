"""Configuration: defaults plus KEFU_* environment variables, read only when the app is built."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_SECRET = "kefu-insecure-default-secret"


class ConfigError(RuntimeError):
    """Raised when the configuration cannot run safely."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the config dict from defaults, the environment and explicit overrides."""
    env = os.environ
    overrides = dict(overrides or {})
    db_file = Path(instance_path) / "kefu.sqlite3"
    cfg: dict[str, Any] = {
        "SECRET_KEY": env.get("KEFU_SECRET_KEY", DEFAULT_SECRET),
        "SQLALCHEMY_DATABASE_URI": env.get("KEFU_DATABASE_URL", f"sqlite:///{db_file}"),
        "KEFU_REDIS_URL": env.get("KEFU_REDIS_URL", ""),
        "KEFU_DEBUG": _bool(env.get("KEFU_DEBUG", "0")),
        "KEFU_DEMO": _bool(env.get("KEFU_DEMO", "0")),
        "KEFU_TESTING": False,
        "KEFU_VISITOR_TOKEN_TTL": int(env.get("KEFU_VISITOR_TOKEN_TTL", str(30 * 24 * 3600))),
        # Same origin by default: the widget's frame is served by kefu itself, and /agent trusts
        # its cookie, so a foreign page must not open sockets (cross-site WebSocket hijacking).
        "KEFU_CORS_ORIGINS": env.get("KEFU_CORS_ORIGINS", ""),
        # Behind N reverse proxies, trust N X-Forwarded-* hops (client address for rate limits).
        "KEFU_PROXY_HOPS": int(env.get("KEFU_PROXY_HOPS", "0")),
        "KEFU_JOBS": env.get("KEFU_JOBS", ""),  # "", "inprocess" or "rq"
        # Redis pub/sub channels are server-wide (not per database): installations sharing a
        # Redis need their own channel name.
        "KEFU_SOCKETIO_CHANNEL": env.get("KEFU_SOCKETIO_CHANNEL", "kefu-socketio"),
        "KEFU_SOCKETIO_ASYNC_MODE": env.get("KEFU_SOCKETIO_ASYNC_MODE", "threading"),
        # Flask-Limiter syntax, per client address; unset means the defaults in ratelimit.py.
        # Optional: KEFU_DEADLINE_TICK (seconds between deadline sweeps, 0 = off) and
        # KEFU_RULESETS_DIR (where the shipped rulesets are read from).
        **{k: env[k] for k in ("KEFU_LOGIN_RATE_LIMIT", "KEFU_WIDGET_RATE_LIMIT", "KEFU_DEADLINE_TICK",
                               "KEFU_RULESETS_DIR") if k in env},
        # Seconds every widget socket of a visitor must stay gone before their chat ends as
        # "closed the chat page" (default 90; ending/actions.py).
        **({"KEFU_VISITOR_GONE_SECONDS": float(env["KEFU_VISITOR_GONE_SECONDS"])}
           if "KEFU_VISITOR_GONE_SECONDS" in env else {}),
        # Leave-message attachments: where they are kept (default <instance>/uploads), the size
        # limit of one file in bytes (default 5 MiB), the accepted types (comma-separated), uploads
        # per address (default 30 per hour) and seconds an unsubmitted upload is kept (a day).
        **{k: env[k] for k in ("KEFU_UPLOAD_DIR", "KEFU_LEAVE_ATTACHMENT_MAX_BYTES",
                               "KEFU_LEAVE_ATTACHMENT_TYPES", "KEFU_UPLOAD_RATE_LIMIT",
                               "KEFU_UPLOAD_TTL") if k in env},
        # Seconds a web process that died without a goodbye still counts an agent's sockets
        # (kefu.presence.live; default 60).
        **{k: env[k] for k in ("KEFU_PRESENCE_TTL",) if k in env},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": None,  # decided below
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": env.get("KEFU_LOCALE", "zh"),
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "FLASK_ADMIN_RAISE_ON_INTEGRITY_ERROR": False,
    }
    cfg.update(overrides)
    uri: str = cfg["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would pick psycopg2.
        uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
        cfg["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("postgresql") and not cfg["SQLALCHEMY_ENGINE_OPTIONS"]:
        # 4-8 connections saturate commits on PostgreSQL; more only adds latency.
        # No pre-ping: it costs a round trip on every checkout of the message hot path;
        # recycling connections bounds how stale one can get instead. A request waits up to 30 s
        # for a connection: on a CPU-starved host (the load test on a slow CI machine) a 10 s
        # wait failed requests the clients then sent again, adding load to the overload.
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_size": 8, "max_overflow": 8, "pool_recycle": 1800, "pool_timeout": 30,
        }
    if not cfg["KEFU_JOBS"]:
        cfg["KEFU_JOBS"] = "rq" if cfg["KEFU_REDIS_URL"] else "inprocess"
    relaxed = cfg["KEFU_DEBUG"] or cfg["KEFU_DEMO"] or cfg["KEFU_TESTING"]
    if cfg["SESSION_COOKIE_SECURE"] is None:
        # Secure cookies (HTTPS only) in production; demo and debug run on plain http://127.0.0.1.
        secure = env.get("KEFU_SECURE_COOKIES")
        cfg["SESSION_COOKIE_SECURE"] = _bool(secure) if secure is not None else not relaxed
    cfg["REMEMBER_COOKIE_SECURE"] = cfg["SESSION_COOKIE_SECURE"]
    if cfg["SECRET_KEY"] == DEFAULT_SECRET and not relaxed:
        raise ConfigError(
            "KEFU_SECRET_KEY is not set: refusing to start with the default secret key "
            "outside debug/demo mode. Set KEFU_SECRET_KEY to a long random string."
        )
    return cfg
