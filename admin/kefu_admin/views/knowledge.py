"""知识库管理 in the console: the shared base of its lists, and the category tree (知识分类)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.helpers import get_form_data
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, validate_csrf
from markupsafe import Markup
from sqlalchemy import select
from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from kefu.errors import KefuError
from kefu.extensions import db
from kefu.i18n import current_lang
from kefu.knowledge.actions import check_delete, check_save_category
from kefu.knowledge.bulk import check_move
from kefu.knowledge.models import CATEGORY_DEPTH_MAX, NAME_MAX, KnowledgeCategory
from kefu.knowledge.sheets import category_path
from kefu.org.queries import company_zone

from .. import access
from ..base import KefuModelView, SecureBaseForm, report_failure
from ..labels import labels

STATIC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")
# "Published" alone is the rules editor's 已发布版本 (a version); a knowledge row is simply 已发布.
STATUS_CHOICES = [("draft", _l("Draft")), ("published", _l("Published (in use)"))]


def tree_rows(company_id: int | None) -> list[tuple[KnowledgeCategory, int]]:
    """The company's categories depth-first in display order, each with its depth (0 = top)."""
    if company_id is None:
        return []
    rows = list(db.session.scalars(select(KnowledgeCategory).where(
        KnowledgeCategory.company_id == company_id).order_by(
        KnowledgeCategory.sort_order, KnowledgeCategory.id)))
    children: dict[int | None, list[KnowledgeCategory]] = {}
    ids = {c.id for c in rows}
    for c in rows:
        children.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
    out: list[tuple[KnowledgeCategory, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in children.get(parent, []):
            out.append((c, depth))
            walk(c.id, depth + 1)

    walk(None, 0)
    return out


def category_choices(blank: Any = "—") -> list[tuple[str, str]]:
    """The current company's categories for a select, indented as a tree."""
    return [("", str(blank))] + [
        (str(c.id), "\u3000" * depth + c.name) for c, depth in tree_rows(access.company_id())]


def category_name(category_id: int | None) -> str:
    """A category's path ("售后 / 退款"), or "—"."""
    if not category_id:
        return "—"
    rows = {c.id: c for c, _ in tree_rows(access.company_id())}
    return category_path(rows[category_id], rows) if category_id in rows else "—"


def optional_id(value: Any) -> int | None:
    """A select's value as an id, or None for the blank choice."""
    text = str(value or "")
    return int(text) if text.isdigit() else None


def console_zone() -> tzinfo:
    """The signed-in company's time zone, read once per request: the console shows and takes
    knowledge times in it (they are stored in UTC)."""
    if "kefu_console_zone" not in g:
        g.kefu_console_zone = company_zone(access.company_id())
    return g.kefu_console_zone  # type: ignore[no-any-return]


def console_local(value: datetime) -> datetime:
    """A stored (UTC) time as the company's local time, without its zone (as forms show it)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(console_zone()).replace(tzinfo=None)


def when(value: datetime | None) -> str:
    """A stored time as minutes in the company's time zone."""
    return console_local(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def status_badge(status: str) -> Markup:
    """Draft or published, as a coloured badge."""
    label = dict(STATUS_CHOICES).get(status, status)
    kind = "success" if status == "published" else "secondary"
    return Markup('<span class="badge badge-{}" data-status="{}">{}</span>').format(kind, status, label)


class KnowledgeView(KefuModelView):
    """A knowledge list whose writes go through kefu.knowledge.actions (validated, audited, indexed)."""

    kind = "entry"  # the actions' name of the rows: entry, article or category
    form_class: type[Form] = Form
    field_aliases: dict[str, str] = {}

    def __init__(self, model: Any, **kwargs: Any) -> None:
        kwargs.setdefault("static_folder", STATIC)
        super().__init__(model, **kwargs)

    def scaffold_form(self) -> type[Form]:
        """Our own form: its fields are the action's inputs, not the model's columns."""
        return self.form_class

    def fill_choices(self, form: Form) -> None:
        """Give the form's selects the current company's options."""

    def form_data(self, obj: Any) -> dict[str, Any]:
        """The form's initial values for a stored row."""
        return {}

    def fields_of(self, form: Form) -> dict[str, Any]:
        """The action's input from a submitted form."""
        raise NotImplementedError

    def save(self, data: dict[str, Any], obj_id: int | None) -> Any:
        """Create (obj_id None) or update a row through the action."""
        raise NotImplementedError

    def create_form(self, obj: Any = None) -> Form:
        """The empty form, with the company's choices."""
        form = self._create_form_class(get_form_data(), obj=obj)
        self.fill_choices(form)
        return form

    def edit_form(self, obj: Any = None) -> Form:
        """The row's form, with the company's choices."""
        form = self._edit_form_class(get_form_data(), data=self.form_data(obj) if obj else None)
        self.fill_choices(form)
        return form

    def create_model(self, form: Form) -> Any:
        """Create through the action in the user's company."""
        try:
            return self.save(self.fields_of(form), None)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, nothing written
            report_failure(form, exc, self.field_aliases)
            return False

    def update_model(self, form: Form, model: Any) -> bool:
        """Update through the action; the row stays in its company."""
        try:
            self.save(self.fields_of(form), model.id)
        except Exception as exc:  # noqa: BLE001
            report_failure(form, exc, self.field_aliases)
            return False
        return True

    def delete_one(self, pk: int) -> None:
        """Delete one of the company's rows through the action (audited, taken out of search)."""
        check_delete(access.actor_id(), access.company_id() or 0, self.kind, pk)

    def delete_model(self, model: Any) -> bool:
        """Delete through the action."""
        try:
            self.delete_one(model.id)
        except Exception as exc:  # noqa: BLE001
            report_failure(None, exc)
            return False
        return True

    def set_status(self, ids: Any, status: str) -> None:
        """Publish or unpublish the selected rows of the company, one audited write each."""
        from kefu.knowledge.actions import check_set_status

        done = 0
        for pk in ids:
            try:
                check_set_status(access.actor_id(), access.company_id() or 0, self.kind, int(pk), status)
                done += 1
            except (KefuError, ValueError) as exc:
                report_failure(None, exc if isinstance(exc, KefuError) else KefuError("not_found"))
        flash(gettext("%(count)s rows updated.", count=done), "success")

    @action("delete", _l("Delete"), _l("Delete the selected rows?"))
    def action_delete(self, ids: Any) -> None:
        """Delete the selected rows of the company through the action, one audited write each."""
        done = 0
        for pk in ids:
            try:
                self.delete_one(int(pk))
                done += 1
            except (KefuError, ValueError) as exc:
                report_failure(None, exc if isinstance(exc, KefuError) else KefuError("not_found"))
        flash(gettext("%(count)s rows deleted.", count=done), "success")

    @action("move", _l("Move to category"))
    def action_move(self, ids: Any) -> Any:
        """Ask for the category the selected rows go to."""
        return redirect(url_for(".move_view", ids=",".join(str(i) for i in ids)))

    @expose("/move/", methods=["GET", "POST"])
    def move_view(self) -> Any:
        """Pick a category and move the selected rows into it (one audited commit)."""
        if self.kind not in ("entry", "article"):
            abort(404)
        ids = [int(i) for i in request.values.get("ids", "").split(",") if i.isdigit()][:1000]
        choices = category_choices(_l("(No category)"))
        if request.method == "POST":
            try:
                validate_csrf(request.form.get("csrf_token"))
                target = request.form.get("category", "")
                if target not in {v for v, _ in choices}:
                    raise KefuError("cross_company", fields={"category_id": ["unknown"]})
                moved = check_move(access.actor_id(), access.company_id() or 0, self.kind, ids,
                                   optional_id(target))
            except CSRFError:
                flash(gettext("The form expired; please try again."), "error")
            except Exception as exc:  # noqa: BLE001 - every failure is reported, nothing written
                report_failure(None, exc)
            else:
                flash(gettext("%(count)s rows moved.", count=moved), "success")
                return redirect(self.get_url(".index_view"))
        return self.render("kefu_admin/knowledge_move.html", ids=",".join(map(str, ids)), count=len(ids),
                           choices=choices)

    def static_url(self, name: str) -> str:
        """The URL of one of the console's static files."""
        return url_for(f"{self.endpoint}.static", filename=f"kefu_admin/{name}")


def _category_label(view: Any, context: Any, model: KnowledgeCategory, name: str) -> Markup:
    depth = int(getattr(model, "_depth", 0))
    marker = "└ " if depth else ""
    return Markup('<span class="kb-tree" data-depth="{}" style="padding-left: {}em">{}{}</span>').format(
        depth, depth * 1.5, marker, model.name)


class CategoryForm(SecureBaseForm):
    """A category: parent, Chinese and English names, place among its siblings."""

    parent = SelectField(_l("Parent category (empty = top level)"), choices=[], default="")
    name = StringField(_l("Name (Chinese)"), validators=[InputRequired(), Length(max=NAME_MAX)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=NAME_MAX)])
    sort_order = IntegerField(_l("Sort order"), default=0, validators=[NumberRange(min=0, max=100000)])


class KnowledgeCategoryView(KnowledgeView):
    """知识分类: the category tree, shown indented; deleting one deletes its sub-tree."""

    kind = "category"
    form_class = CategoryForm
    action_disallowed_list = ["move"]
    field_aliases = {"parent_id": "parent"}
    can_view_details = False
    column_list = ["name", "name_en", "sort_order"]
    column_labels = labels(name=_l("Name (Chinese)"), name_en=_l("Name (English)"))
    column_formatters = {"name": _category_label}
    column_sortable_list: list[str] = []
    column_searchable_list = ["name", "name_en"]
    column_descriptions = {"name": _l("At most %(depth)s levels.", depth=CATEGORY_DEPTH_MAX)}
    page_size = 500
    page_size_options = (500,)
    can_set_page_size = False

    def get_list(self, page: Any, sort_column: Any, sort_desc: Any, search: Any, filters: Any,
                 execute: bool = True, page_size: Any = None) -> Any:
        """Every category of the company in tree order (a search keeps the matches in that order)."""
        out = []
        needle = (search or "").strip().lower()
        for c, depth in tree_rows(access.company_id() if access.is_admin() else None):
            if needle and needle not in c.name.lower() and needle not in (c.name_en or "").lower():
                continue
            c._depth = depth  # type: ignore[attr-defined]
            out.append(c)
        return len(out), out

    def fill_choices(self, form: Form) -> None:
        """Parents: the company's categories (the action refuses cycles and depth)."""
        own = optional_id(request.args.get("id"))
        form.parent.choices = [(v, label) for v, label in category_choices() if v != str(own)]

    def form_data(self, obj: Any) -> dict[str, Any]:
        """The stored values."""
        return {"parent": str(obj.parent_id or ""), "name": obj.name, "name_en": obj.name_en,
                "sort_order": obj.sort_order}

    def fields_of(self, form: Form) -> dict[str, Any]:
        """The action's input."""
        return {"name": form.name.data or "", "name_en": form.name_en.data or "",
                "parent_id": optional_id(form.parent.data), "sort_order": form.sort_order.data or 0}

    def save(self, data: dict[str, Any], obj_id: int | None) -> Any:
        """Through check_save_category."""
        return check_save_category(access.actor_id(), access.company_id() or 0, data, obj_id)


def lang() -> str:
    """The reader's language."""
    return current_lang()
