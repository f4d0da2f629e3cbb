"""Interface language: Simplified Chinese and English, chosen per user or per request."""

from __future__ import annotations

from flask import Flask, request, session
from flask_login import current_user

from .extensions import babel

LANGUAGES = ("zh", "en")


def select_locale() -> str:
    """Pick the UI language: ?lang=, then the session, the user's setting, the browser."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    if session.get("lang") in LANGUAGES:
        return str(session["lang"])
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return str(current_user.locale)
    return request.accept_languages.best_match(LANGUAGES) or "zh"


def current_lang() -> str:
    """Return "zh" or "en" for the current request."""
    from flask_babel import get_locale

    loc = get_locale()
    return "en" if loc is not None and loc.language == "en" else "zh"


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with kefu's catalogs."""
    import os

    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", os.path.join(os.path.dirname(__file__), "translations")
    )
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel caches the locale on the app context, which a request may share with an
    # outer context (CLI, tests, socket handlers): choose afresh for every request.
    from flask_babel import refresh

    app.before_request(refresh)
    app.jinja_env.globals["current_lang"] = current_lang
