"""Gunicorn settings for one kefu web process in the distributed mode (gevent, one worker).

Run several such processes on different ports behind a sticky load balancer (nginx ip_hash),
all with the same KEFU_SECRET_KEY, KEFU_DATABASE_URL and KEFU_REDIS_URL:

    KEFU_SOCKETIO_ASYNC_MODE=gevent KEFU_BIND=127.0.0.1:8001 \\
        gunicorn -c deploy/gunicorn.conf.py 'kefu:create_app()'

The gevent worker monkey-patches before it imports the app, so psycopg 3 picks its cooperative
wait function (wait_poll) instead of the C one that would block the hub; the worker logs which.
"""

from __future__ import annotations

import os
from typing import Any

bind = os.environ.get("KEFU_BIND", "127.0.0.1:8000")
worker_class = "gevent"
workers = 1  # Socket.IO needs sticky sessions, which gunicorn's own balancing cannot give
worker_connections = int(os.environ.get("KEFU_WORKER_CONNECTIONS", "2000"))
timeout = 60
graceful_timeout = 10
accesslog = None
loglevel = "info"
# gunicorn 27 opens a control socket at one fixed path: several masters on a host would share it.
control_socket_disable = True


def post_worker_init(worker: Any) -> None:
    """Log the monkey-patch state and psycopg's wait function; warn if it would block the hub."""
    import gevent.monkey
    import psycopg.waiting

    wait = getattr(psycopg.waiting.wait, "__name__", "?")
    patched = gevent.monkey.is_module_patched("select")
    worker.log.info("kefu: select patched=%s, psycopg wait=%s", patched, wait)
    if wait == "wait_c":
        worker.log.warning("kefu: psycopg was imported before monkey patching; queries block")
