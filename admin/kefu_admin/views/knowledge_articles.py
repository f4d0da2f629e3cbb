"""知识文章: internal articles for agents — rich-text body, visibility by skill group, attachments."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual, IntEqualFilter
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, validate_csrf
from markupsafe import Markup
from sqlalchemy import select
from wtforms import Form, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from kefu.extensions import db
from kefu.knowledge.actions import check_save_article
from kefu.knowledge.attachments import (
    attachment_dict,
    check_attach,
    check_delete_article,
    check_detach,
    of_article,
)
from kefu.knowledge.models import TITLE_MAX, KnowledgeArticle, KnowledgeCategory
from kefu.org.models import SkillGroup
from kefu.uploads import human_size

from .. import access
from ..base import SecureBaseForm, company_options, parse_pk, report_failure
from ..labels import labels
from .knowledge import (
    STATUS_CHOICES,
    KnowledgeView,
    category_choices,
    category_name,
    optional_id,
    status_badge,
    when,
)


class ArticleForm(SecureBaseForm):
    """An internal article."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=TITLE_MAX)])
    category = SelectField(_l("Category"), choices=[], default="")
    body = TextAreaField(_l("Body"), render_kw={"rows": 12, "data-rich-editor": "1"},
                         description=_l("Rich text; scripts and unsafe HTML are removed when saved."))
    skill_groups = SelectMultipleField(
        _l("Visible to skill groups (none selected = every agent)"), choices=[], render_kw={"size": 4})
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="draft")


def _group_names(ids: list[int] | None) -> str:
    if not ids:
        return str(_l("Every agent"))
    names = dict(db.session.execute(select(SkillGroup.id, SkillGroup.name).where(
        SkillGroup.id.in_(ids))).all())
    return ", ".join(names.get(i, f"#{i}") for i in ids)


def _files(view: Any, context: Any, model: KnowledgeArticle, name: str) -> Markup:
    items = [attachment_dict(a) for a in of_article(model.id)]
    return Markup(" ").join(
        Markup('<a href="{}" download class="kb-file">{}</a> <small class="text-muted">{}</small>').format(
            a["url"], a["filename"], human_size(a["size"])) for a in items)


class KnowledgeArticleView(KnowledgeView):
    """CRUD of internal articles through check_save_article; files on the edit page."""

    kind = "article"
    form_class = ArticleForm
    field_aliases = {"category_id": "category", "skill_group_ids": "skill_groups"}
    edit_template = "kefu_admin/knowledge_article_edit.html"
    column_list = ["title", "category_id", "skill_group_ids", "status", "updated_at"]
    column_details_list = ["title", "category_id", "body", "skill_group_ids", "status", "files",
                           "updated_at"]
    column_labels = labels(title=_l("Title"), category_id=_l("Category"), body=_l("Body"),
                           skill_group_ids=_l("Visible to"), files=_l("Attachments"),
                           updated_at=_l("Updated at"))
    column_formatters = {
        "category_id": lambda v, c, m, n: category_name(m.category_id),
        "status": lambda v, c, m, n: status_badge(m.status),
        "updated_at": lambda v, c, m, n: when(m.updated_at),
        "skill_group_ids": lambda v, c, m, n: _group_names(m.skill_group_ids),
        "body": lambda v, c, m, n: Markup(m.body),  # sanitised by the action
        "files": _files,
    }
    column_searchable_list = ["title", "body"]
    column_filters = [
        IntEqualFilter(KnowledgeArticle.category_id, _l("Category"),
                       options=company_options(KnowledgeCategory)),
        FilterEqual(KnowledgeArticle.status, _l("Status"), options=STATUS_CHOICES),
    ]
    column_sortable_list = ["title", "status", "updated_at"]
    column_default_sort = ("updated_at", True)

    @property
    def extra_js(self) -> list[str]:  # type: ignore[override]
        """The rich-text editor of the body."""
        return [self.static_url("rich_editor.js")]

    def fill_choices(self, form: Form) -> None:
        """Categories and skill groups of the company."""
        form.category.choices = category_choices()
        form.skill_groups.choices = [(str(g.id), g.name) for g in db.session.scalars(
            select(SkillGroup).where(SkillGroup.company_id == access.company_id()).order_by(SkillGroup.id))]

    def form_data(self, obj: KnowledgeArticle) -> dict[str, Any]:
        """The stored article as form values."""
        return {"title": obj.title, "category": str(obj.category_id or ""), "body": obj.body,
                "skill_groups": [str(i) for i in obj.skill_group_ids or []], "status": obj.status}

    def fields_of(self, form: Form) -> dict[str, Any]:
        """The action's input."""
        return {"title": form.title.data or "", "body": form.body.data or "",
                "category_id": optional_id(form.category.data),
                "skill_group_ids": [int(i) for i in form.skill_groups.data or [] if str(i).isdigit()],
                "status": form.status.data}

    def save(self, data: dict[str, Any], obj_id: int | None) -> Any:
        """Through check_save_article."""
        return check_save_article(access.actor_id(), access.company_id() or 0, data, obj_id)

    def delete_one(self, pk: int) -> None:
        """Delete the article, then its attachments' files."""
        check_delete_article(access.actor_id(), access.company_id() or 0, pk)

    def render(self, template: str, **kwargs: Any) -> Any:
        """Give the edit page the article's files."""
        model = kwargs.get("model")
        if template == self.edit_template and model is not None:
            kwargs["files"] = [attachment_dict(a) for a in of_article(model.id)]
        return super().render(template, **kwargs)

    @action("publish", _l("Publish"), _l("Publish the selected rows?"))
    def action_publish(self, ids: Any) -> None:
        """Publish the selected articles."""
        self.set_status(ids, "published")

    @action("unpublish", _l("Unpublish"), _l("Set the selected rows back to draft?"))
    def action_unpublish(self, ids: Any) -> None:
        """Set the selected articles back to draft."""
        self.set_status(ids, "draft")

    @expose("/files/", methods=["POST"])
    def files_view(self) -> Any:
        """Attach a file to an article (or remove one), then go back to its edit page."""
        article_id = parse_pk(request.args.get("id"))
        if article_id is None or self.get_one(str(article_id)) is None or not self.can_edit:
            return access.deny()
        back = redirect(self.get_url(".edit_view", id=article_id))
        try:
            validate_csrf(request.form.get("csrf_token"))
            remove = parse_pk(request.form.get("remove"))
            if remove is not None:
                check_detach(access.actor_id(), access.company_id() or 0, remove)
                flash(gettext("The attachment was removed."), "success")
                return back
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash(gettext("Choose a file first."), "error")
                return back
            row = check_attach(access.actor_id(), access.company_id() or 0, article_id, upload.filename,
                               upload.stream)
        except CSRFError:
            flash(gettext("The form expired; please try again."), "error")
        except Exception as exc:  # noqa: BLE001 - every failure is reported, nothing written
            report_failure(None, exc)
        else:
            flash(gettext("%(name)s was attached.", name=row.filename), "success")
        return back
