"""The integration-page token secret: what enterprise pages verify {token} with; rotate it here."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError as CSRFInvalid

from kefu.integrations.actions import do_rotate_secret
from kefu.integrations.tokens import company_secret, ttl

from .. import access


class IntegrationTokenView(BaseView):
    """Owners and admins read the company's token secret and may replace it."""

    def is_accessible(self) -> bool:
        """Owners and admins of a company."""
        return access.is_admin()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        """Log in, or 403."""
        return access.deny()

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        """Show the secret and how to verify; on POST (with its CSRF token) rotate it."""
        company_id = access.company_id()
        assert company_id is not None  # is_admin() implies a company
        if request.method == "POST":
            try:
                validate_csrf(request.form.get("csrf_token"))
            except CSRFInvalid:
                flash(_("The form expired; please try again."), "error")
                return redirect(url_for(".index"))
            do_rotate_secret(company_id, access.actor_id())
            flash(_("The token secret was replaced; tokens issued before no longer verify."), "success")
            return redirect(url_for(".index"))
        return self.render(
            "kefu_admin/integration_token.html", secret=company_secret(company_id).decode(),
            verify_url=url_for("integrations.verify", _external=True), ttl=ttl(),
            csrf=generate_csrf(),
        )
