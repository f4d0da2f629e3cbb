"""Operator pages: companies (tenants) and every account on the platform."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterEqual, IntEqualFilter
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from kefu.extensions import db
from kefu.org.actions import check_create_company
from kefu.org.models import Company, User

from .. import access
from ..base import RequestFilterOptions, SecureBaseForm, parse_pk, report_failure
from ..fields import valid_email
from ..labels import ROLE_CHOICES, labels


def company_choices() -> list[tuple[int, str]]:
    """Every company, for the operator's filters."""
    if not has_request_context():
        return []
    return [(c.id, c.name) for c in db.session.scalars(select(Company).order_by(Company.name))]


class CompanyForm(SecureBaseForm):
    """A new tenant and its first owner."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    slug = StringField(
        _l("Slug"), validators=[InputRequired(), Regexp(r"^[a-z0-9][a-z0-9-]{1,62}$")],
        description=_l("2-63 characters: a-z, 0-9 and -"),
    )
    owner_email = EmailField(_l("Owner email"),
                             validators=[InputRequired(), valid_email, Length(max=254)])
    owner_name = StringField(_l("Owner name"), validators=[InputRequired(), Length(max=120)])
    owner_password = PasswordField(_l("Owner password"),
                                   validators=[InputRequired(), Length(min=8, max=200)])


class OperatorView(RequestFilterOptions, ModelView):
    """A platform-wide list only operators open."""

    form_base_class = SecureBaseForm
    page_size = 50
    can_edit = False
    can_delete = False

    def __init__(self, model: Any, **kwargs: Any) -> None:
        super().__init__(model, db, **kwargs)

    def is_accessible(self) -> bool:
        """Operators only."""
        return access.is_operator()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        """Log in first, or 403."""
        return access.deny()

    def get_one(self, id: Any) -> Any:
        """Return the row by integer id."""
        pk = parse_pk(id)
        return None if pk is None else db.session.get(self.model, pk)


class CompanyView(OperatorView):
    """List and create companies; creation goes through check_create_company."""

    can_view_details = True
    form = CompanyForm
    column_list = ["name", "slug", "timezone", "locale", "created_at"]
    column_labels = labels(slug=_l("Slug"), locale=_l("Language"))
    column_searchable_list = ["name", "slug"]
    column_default_sort = ("created_at", True)

    def create_model(self, form: Any) -> Any:
        """Create the company and its owner account."""
        data = {key: form[key].data for key in
                ("name", "slug", "owner_email", "owner_name", "owner_password")}
        try:
            return check_create_company(access.actor_id(), data)
        except Exception as exc:  # noqa: BLE001 - reported to the operator, nothing written
            report_failure(form, exc, aliases={"email": "owner_email"})
            return False


class AllUsersView(OperatorView):
    """Every account on the platform, read-only."""

    can_create = False
    can_view_details = True
    column_list = ["name", "email", "company", "role", "is_operator", "status",
                   "is_active_account", "created_at"]
    column_details_list = column_list
    column_labels = labels(is_operator=_l("Operator"), is_active_account=_l("Active account"))
    column_choices = {"role": ROLE_CHOICES}
    column_searchable_list = ["name", "email"]
    column_filters = [
        IntEqualFilter(User.company_id, _l("Company"), options=company_choices),
        FilterEqual(User.role, _l("Role"), options=ROLE_CHOICES),
    ]
    column_default_sort = "email"
