"""The base of every console list: access, company scoping, and writes through kefu's actions."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ClassVar

from flask import flash, has_request_context
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import BaseForm, SecureForm
from flask_admin.model.base import FilterGroup
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import false, select
from sqlalchemy.exc import IntegrityError
from wtforms import Form

from kefu.errors import KefuError
from kefu.extensions import db
from kefu.i18n import current_lang
from kefu.settings.actions import do_delete, do_save

from . import access

log = logging.getLogger(__name__)

IN_USE = _l("This row is still used by other rows and cannot be deleted.")


def company_rows(model: Any, order_by: str = "name") -> Callable[[], Any]:
    """Return a query factory for FK dropdowns: only the current company's rows."""

    def factory() -> Any:
        return (
            db.session.query(model)
            .filter(model.company_id == access.company_id())
            .order_by(getattr(model, order_by))
        )

    return factory


def company_options(model: Any, label: str = "name") -> Callable[[], list[tuple[int, str]]]:
    """Return filter options (id, label) over the current company's rows."""

    def options() -> list[tuple[int, str]]:
        if not has_request_context():
            return []
        rows = db.session.scalars(
            select(model).where(model.company_id == access.company_id()).order_by(model.id)
        )
        return [(row.id, str(getattr(row, label))) for row in rows]

    return options


def parse_pk(value: Any) -> int | None:
    """Return an integer primary key from a URL argument, or None."""
    text = str(value)
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def report_failure(
    form: Form | None, exc: Exception, aliases: dict[str, str] | None = None
) -> None:
    """Undo the transaction and tell the user why nothing was saved."""
    db.session.rollback()
    if isinstance(exc, IntegrityError) and form is None:
        flash(str(IN_USE), "error")
        return
    if isinstance(exc, IntegrityError):
        exc = KefuError("duplicate")
    if not isinstance(exc, KefuError):
        log.exception("console write failed")
        exc = KefuError("server_error", status=500)
    flash(exc.to_dict(current_lang())["error"]["message"], "error")
    if form is None:
        return
    for key, messages in exc.fields.items():
        key = (aliases or {}).get(key, key)
        name = key if key in form else key.removesuffix("_id")
        if name in form:
            field = form[name]
            field.errors = [*field.errors, *[str(m) for m in messages]]


class RequestFilterOptions:
    """Filter options computed per request (they depend on the user's company)."""

    _filters: Any

    def _get_filter_groups(self) -> OrderedDict[str, list[dict[str, Any]]] | None:
        # Flask-Admin caches filter options at start-up; ours depend on the company, so
        # rebuild them per request without touching the shared cache.
        if not self._filters:
            return None
        groups: OrderedDict[str, FilterGroup] = OrderedDict()
        for i, flt in enumerate(self._filters):
            key = str(flt.name)
            arg = self.get_filter_arg(i, flt)  # type: ignore[attr-defined]
            groups.setdefault(key, FilterGroup(flt.name)).append({
                "index": i, "arg": arg, "operation": flt.operation(),
                "options": flt.get_options(self) or None, "type": flt.data_type,
            })
        return OrderedDict(group.non_lazy() for group in groups.values())


def _hidden_fields(form: Form) -> Markup:
    return Markup("").join(
        f() for f in form if getattr(f.widget, "input_type", None) == "hidden"
    )


class SecureBaseForm(SecureForm):
    """Every console form carries Flask-Admin's session CSRF token."""

    def hidden_tag(self) -> Markup:
        """Render the hidden fields, our token included.

        Without this method Flask-Admin's template also prints Flask-WTF's global
        csrf_token() first, and the browser would post that one instead of ours.
        """
        return _hidden_fields(self)


class InlineBaseForm(BaseForm):
    """Inline sub-forms: no token of their own (the outer form has one), no Flask-WTF one."""

    def hidden_tag(self) -> Markup:
        """Render the hidden fields (the row id)."""
        return _hidden_fields(self)


class KefuModelView(RequestFilterOptions, ModelView):
    """A list of one company's rows; owners/admins write, managers read what they oversee."""

    form_base_class = SecureBaseForm
    page_size = 50
    can_view_details = True
    can_set_page_size = True
    # Class switches; the per-request answer also needs an owner/admin (see properties below).
    allow_create: ClassVar[bool] = True
    allow_edit: ClassVar[bool] = True
    allow_delete: ClassVar[bool] = True
    manager_readable: ClassVar[bool] = False

    def __init__(self, model: Any, **kwargs: Any) -> None:
        super().__init__(model, db, **kwargs)

    # -- access -----------------------------------------------------------------------------
    def is_accessible(self) -> bool:
        """Owners/admins always; managers only on views they may read."""
        if access.is_admin():
            return True
        return self.manager_readable and access.is_manager()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        """Log in first, or 403."""
        return access.deny()

    def _writer(self) -> bool:
        # Outside a request (view set-up) the class switch alone decides what gets built.
        return access.is_admin() if has_request_context() else True

    @property  # type: ignore[override]
    def can_create(self) -> bool:
        """Only owners/admins create."""
        return self.allow_create and self._writer()

    @property  # type: ignore[override]
    def can_edit(self) -> bool:
        """Only owners/admins edit."""
        return self.allow_edit and self._writer()

    @property  # type: ignore[override]
    def can_delete(self) -> bool:
        """Only owners/admins delete."""
        return self.allow_delete and self._writer()

    # -- scoping ----------------------------------------------------------------------------
    def scope(self, query: Any) -> Any:
        """Keep only the current company's rows (and, for managers, what they oversee)."""
        cid = access.company_id()
        if cid is None:
            return query.filter(false())
        query = query.filter(self.model.company_id == cid)
        if access.is_admin():
            return query
        return self.scope_for_manager(query, access.manager_group_ids())

    def scope_for_manager(self, query: Any, group_ids: set[int]) -> Any:
        """Narrow a manager's read-only list; nothing unless the view says otherwise."""
        return query.filter(false())

    def get_query(self) -> Any:
        """List query, scoped."""
        return self.scope(super().get_query())

    def get_count_query(self) -> Any:
        """Count query, scoped the same way as the list."""
        return self.scope(super().get_count_query())

    def get_one(self, id: Any) -> Any:
        """Return the row only if it is visible to the current user."""
        pk = parse_pk(id)
        if pk is None:
            return None
        return self.get_query().filter(self.model.id == pk).one_or_none()

    # -- writes -----------------------------------------------------------------------------
    def populate(self, form: Form, model: Any) -> None:
        """Copy the form into the row (views with write-only fields override this)."""
        form.populate_obj(model)

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """Check and complete a row after the form filled it; raise KefuError to refuse."""

    def after_save(self, form: Form, model: Any, created: bool) -> None:
        """Run follow-up actions once the row is committed."""

    def create_model(self, form: Form) -> Any:
        """Create the row in the user's company through do_save."""
        try:
            # No autoflush: do_save's scope queries would flush first and the audit row
            # would record no changes.
            with db.session.no_autoflush:
                model = self.build_new_instance()
                self.populate(form, model)
                model.company_id = access.company_id()
                self.before_save(form, model, True)
                do_save(access.actor_id(), model, created=True)
            self.after_save(form, model, True)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, nothing written
            report_failure(form, exc)
            return False
        return model

    def update_model(self, form: Form, model: Any) -> bool:
        """Save the row through do_save; its company never changes."""
        try:
            with db.session.no_autoflush:  # see create_model
                company = model.company_id
                self.populate(form, model)
                model.company_id = company
                self.before_save(form, model, False)
                do_save(access.actor_id(), model, created=False)
            self.after_save(form, model, False)
        except Exception as exc:  # noqa: BLE001
            report_failure(form, exc)
            return False
        return True

    @action("delete", _l("Delete"), _l("Delete the selected rows?"))
    def action_delete(self, ids: Any) -> None:
        """Delete the ticked rows, each through delete_model (company-scoped query, audited).

        The ids arrive as text; PostgreSQL refuses `integer = character varying`, so Flask-Admin's
        own bulk delete answered 500 there.
        """
        numbers = tuple(int(i) for i in ids if str(i).strip().isdigit())
        super().action_delete(numbers)  # type: ignore[arg-type]

    def delete_model(self, model: Any) -> bool:
        """Delete the row through do_delete."""
        try:
            do_delete(access.actor_id(), model)
        except Exception as exc:  # noqa: BLE001
            report_failure(None, exc)
            return False
        return True

