"""Gunicorn settings for the bench's web processes: log whether gevent reaches psycopg."""

from __future__ import annotations

from typing import Any

loglevel = "info"
accesslog = None
# gunicorn 27 opens a control socket at one fixed path; two masters would share it.
control_socket_disable = True


def post_worker_init(worker: Any) -> None:
    """Log the monkey-patch state and psycopg's wait function (wait_c would block the hub)."""
    import gevent.monkey
    import psycopg.waiting

    worker.log.info(
        "kefu-bench-check select_patched=%s socket_patched=%s psycopg_wait=%s",
        gevent.monkey.is_module_patched("select"),
        gevent.monkey.is_module_patched("socket"),
        getattr(psycopg.waiting.wait, "__name__", "?"),
    )
