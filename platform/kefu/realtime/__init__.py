"""Socket.IO wiring: namespaces /visitor and /agent, Redis message queue when configured."""

from __future__ import annotations

from flask import Flask

from ..extensions import socketio


def init_app(app: Flask) -> None:
    """Bind Socket.IO to the app; join processes through Redis when KEFU_REDIS_URL is set."""
    from .agent import AgentNamespace
    from .events import AGENT_NS, VISITOR_NS
    from .visitor import VisitorNamespace

    origins = app.config["KEFU_CORS_ORIGINS"]
    # Options accumulate on the shared SocketIO object; each app starts from its own.
    socketio.server_options.clear()
    socketio.namespace_handlers.clear()
    socketio.init_app(
        app,
        async_mode=app.config["KEFU_SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["KEFU_REDIS_URL"] or None,
        channel=app.config["KEFU_SOCKETIO_CHANNEL"],
        cors_allowed_origins=None if not origins else "*" if origins == "*" else origins.split(","),
        max_http_buffer_size=256 * 1024,
        logger=False,
        engineio_logger=False,
    )
    socketio.on_namespace(VisitorNamespace(VISITOR_NS))
    socketio.on_namespace(AgentNamespace(AGENT_NS))
