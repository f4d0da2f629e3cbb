"""Login and logout for agents, managers, admins and operators."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..extensions import db, limiter, login_manager
from ..org.models import User
from ..org.passwords import verify_password
from ..ratelimit import login_limit

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Remember me"))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the logged-in user for Flask-Login."""
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def safe_next(target: str) -> str | None:
    """Return `target` if it is a path on this site, else None (an open redirect helps phishing).

    Browsers drop tabs and newlines and read backslashes as slashes, so "/\t/evil" and "/\\evil"
    would leave the site: refuse control characters and backslashes outright.
    """
    if not target.startswith("/") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def home_for(user: User) -> str:
    """Where a user lands after login."""
    if user.is_operator or user.role in ("owner", "admin", "manager"):
        return "/admin/"
    return url_for("workbench.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login() -> Any:
    """Show the login form and log the user in."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = db.session.scalars(
            select(User).where(func.lower(User.email) == form.email.data.lower())
        ).first()
        if user and user.is_active and verify_password(user.password_hash, form.password.data):
            login_user(user, remember=bool(form.remember.data))
            nxt = safe_next(request.args.get("next") or "")
            return redirect(nxt or home_for(user))
        error = "bad_login"
    status = 401 if error else 200
    return render_template("login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Any:
    """Log out (POST only, CSRF-protected)."""
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/")
def root() -> Any:
    """Send people to their home page."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Register the auth routes."""
    login_manager.login_view = "auth.login"
    app.register_blueprint(bp)
