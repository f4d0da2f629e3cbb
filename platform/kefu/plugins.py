"""Load optional parts (the admin console) through the `kefu.plugins` entry point group."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from flask import Flask

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Call every installed plugin's init_app(app)."""
    for ep in entry_points(group="kefu.plugins"):
        ep.load()(app)
        app.extensions.setdefault("kefu_plugins", []).append(ep.name)
