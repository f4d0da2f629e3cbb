"""Who may enter the console and which company's rows they see: one condition a line."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask_login import current_user

from kefu.errors import Forbidden
from kefu.org.access import can_manage_settings, is_company_admin, visible_group_ids
from kefu.org.models import User


def me() -> User | None:
    """Return the logged-in, active user, or None."""
    if not getattr(current_user, "is_authenticated", False):
        return None
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.is_active:
        return None
    return user


def actor_id() -> int | None:
    """Return the id recorded as the actor of console writes."""
    user = me()
    return user.id if user else None


def company_id() -> int | None:
    """Return the company whose rows the console shows (None for operators)."""
    user = me()
    return user.company_id if user else None


def is_operator() -> bool:
    """Operators run the platform: companies and accounts across tenants."""
    user = me()
    if user is None:
        return False
    return bool(user.is_operator)


def is_admin() -> bool:
    """Owners and admins edit every setting of their own company."""
    user = me()
    if user is None:
        return False
    if user.is_operator:
        return False
    return is_company_admin(user, user.company_id)


def is_manager() -> bool:
    """Managers read settings of the skill groups they oversee."""
    user = me()
    if user is None:
        return False
    if user.is_operator or user.company_id is None:
        return False
    return user.role == "manager"


def can_enter() -> bool:
    """Operators, owners, admins and managers may open the console; agents may not."""
    user = me()
    if user is None:
        return False
    if can_manage_settings(user, user.company_id):
        return True
    return is_manager()


def manager_group_ids() -> set[int]:
    """Skill groups a manager may read (empty for anyone else)."""
    user = me()
    if user is None or not is_manager():
        return set()
    return visible_group_ids(user) or set()


def deny() -> Any:
    """Send anonymous visitors to the login page and refuse everyone else with 403."""
    if me() is None:
        return redirect(url_for("auth.login", next=request.full_path))
    # kefu's error handler renders this as its bilingual error page.
    raise Forbidden("forbidden")
