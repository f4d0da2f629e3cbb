"""Shared socket-handler plumbing: turn errors into clear acks and never leak a transaction."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import request

from ..errors import KefuError
from ..extensions import db
from .events import origin_socket

log = logging.getLogger(__name__)


def acked(lang_of: Callable[[], str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a socket handler: its return value becomes {"ok": True, ...}; errors a clear ack."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def inner(self: Any, *args: Any) -> dict[str, Any]:
            token = origin_socket.set((self.namespace, request.sid))  # type: ignore[attr-defined]
            try:
                result = func(self, *args)
                return {"ok": True, **(result or {})}
            except KefuError as exc:
                db.session.rollback()
                return exc.to_dict(lang_of())
            except Exception:
                db.session.rollback()
                log.exception("socket handler %s failed", func.__name__)
                return KefuError("server_error", status=500).to_dict(lang_of())
            finally:
                origin_socket.reset(token)

        return inner

    return wrap
