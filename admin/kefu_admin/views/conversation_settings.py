"""会话设置 and 客服工作台设置: the company's switches, one form each over one settings row."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError as CSRFInvalid

from kefu.errors import KefuError
from kefu.i18n import current_lang
from kefu.settings.actions import check_save_company_settings
from kefu.settings.models import OFFLINE_CHATS
from kefu.settings.queries import company_settings

from .. import access

OFFLINE_LABELS = {
    "stay": _l("Stay with the agent"),
    "requeue": _l("Go back to the queue"),
    "close": _l("End as 客服离线 (agent offline)"),
}


def form_data(form: Any, booleans: tuple[str, ...]) -> dict[str, Any]:
    """The posted fields as the schema expects them (unchecked boxes are absent from a post)."""
    data = {k: v for k, v in form.items() if k != "csrf_token"}
    for name in booleans:
        data[name] = name in form
    return data


class ConversationSettingsView(BaseView):
    """One form per company; owners and admins edit it."""

    section = "conversation"
    template = "kefu_admin/conversation_settings.html"
    booleans: tuple[str, ...] = ("status_approval", "agents_see_ratings", "rating_on_close")

    def is_accessible(self) -> bool:
        """Owners and admins of a company."""
        return access.is_admin()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        """Log in, or 403."""
        return access.deny()

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        """Show the settings; on POST validate, save through the action, and show what failed."""
        company_id = access.company_id()
        assert company_id is not None  # is_admin() implies a company
        errors: dict[str, Any] = {}
        values: dict[str, Any] = {}
        if request.method == "POST":
            values = form_data(request.form, self.booleans)
            try:
                try:
                    validate_csrf(request.form.get("csrf_token"))
                except CSRFInvalid as exc:
                    raise KefuError("invalid_input", fields={"csrf_token": ["invalid"]}) from exc
                check_save_company_settings(access.actor_id(), company_id, values, self.section)
                flash(_("Settings saved."), "success")
                return redirect(url_for(".index"))
            except KefuError as exc:
                body = exc.to_dict(current_lang())["error"]
                errors = body.get("fields") or {}
                flash(body["message"], "error")
        row = company_settings(company_id)
        current = {c.key: getattr(row, c.key) for c in row.__table__.columns}
        current.update(values)
        return self.render(
            self.template, values=current, errors=errors,
            csrf=generate_csrf(), offline_choices=[(k, OFFLINE_LABELS.get(k, k)) for k in OFFLINE_CHATS],
        )


class WorkbenchSettingsView(ConversationSettingsView):
    """客服工作台设置: recall, required summary, notification defaults, file limits."""

    section = "workbench"
    template = "kefu_admin/workbench_settings.html"
    booleans = ("summary_required", "notify_sound", "notify_desktop", "notify_on_message", "visitor_files")
