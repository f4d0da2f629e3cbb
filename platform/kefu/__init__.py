"""kefu: a self-hostable, low-code online customer-service platform."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(overrides: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the Flask app: wiring only, one init_app per subsystem."""
    from . import (
        aftercommit,
        config,
        database,
        decisions,
        errorpages,
        i18n,
        jobs,
        plugins,
        ratelimit,
        realtime,
    )
    from .auth import views as auth_views
    from .chatfiles import views as chatfile_views
    from .extensions import csrf, db, login_manager, migrate
    from .health import views as health_views
    from .integrations import views as integration_views
    from .knowledge import attachments as knowledge_files
    from .leavemessages import views as leave_views
    from .quickreplies import views as quickreply_views
    from .widget import views as widget_views
    from .workbench import views as workbench_views

    instance_path = instance_path or os.environ.get("KEFU_INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.update(config.load(app.instance_path, overrides))
    if app.config["KEFU_PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["KEFU_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    database.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"), render_as_batch=True
    )
    aftercommit.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    ratelimit.init_app(app)
    jobs.init_app(app)
    decisions.init_app(app)
    realtime.init_app(app)
    errorpages.init_app(app)
    auth_views.init_app(app)
    widget_views.init_app(app)
    workbench_views.init_app(app)
    leave_views.init_app(app)
    chatfile_views.init_app(app)
    quickreply_views.init_app(app)
    health_views.init_app(app)
    integration_views.init_app(app)
    knowledge_files.init_app(app)
    plugins.init_app(app)
    return app
