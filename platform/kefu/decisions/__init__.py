"""Rulesets in the product: stored versions, publishing, the per-process cache, decisions applied."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach the per-process rules runtime."""
    from . import runtime

    runtime.init_app(app)
