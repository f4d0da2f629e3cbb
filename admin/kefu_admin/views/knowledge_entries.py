"""问答库: the robot's Q&A entries — form, list with filters, bulk edits, import/export, a match preview."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual, IntEqualFilter
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from wtforms import DateTimeLocalField, Form, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from kefu.channels.models import Channel
from kefu.extensions import db
from kefu.knowledge.actions import check_save_entry
from kefu.knowledge.models import ENTRY_KINDS, QUESTION_MAX, KnowledgeCategory, KnowledgeEntry
from kefu.knowledge.search import Scope, search
from kefu.timeutil import utcnow

from .. import access
from ..base import SecureBaseForm, company_options, parse_pk
from ..labels import labels
from .knowledge import (
    STATUS_CHOICES,
    KnowledgeView,
    category_choices,
    category_name,
    console_local,
    console_zone,
    lang,
    optional_id,
    status_badge,
    when,
)
from .knowledge_io import ImportExportMixin

KIND_CHOICES = [("qa", _l("Q&A")), ("greeting", _l("Greeting")), ("chitchat", _l("Chit-chat"))]
assert [k for k, _ in KIND_CHOICES] == list(ENTRY_KINDS)
RELATED_CHOICES_MAX = 2000
TIME_FORMAT = "%Y-%m-%dT%H:%M"


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _utc(value: datetime | None) -> datetime | None:
    """A time typed in the form (the company's local time) in UTC."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=console_zone())).astimezone(UTC)


class EntryForm(SecureBaseForm):
    """A Q&A entry; field ids are the column names (browser tests fill them by id)."""

    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="qa")
    question = StringField(_l("Standard question"), validators=[InputRequired(), Length(max=QUESTION_MAX)])
    similar = TextAreaField(_l("Similar questions (one per line)"), render_kw={"rows": 4})
    answer = TextAreaField(_l("Answer"), render_kw={"rows": 6, "data-rich-editor": "1"},
                           description=_l("Rich text; scripts and unsafe HTML are removed when saved."))
    category = SelectField(_l("Category"), choices=[], default="")
    related = SelectMultipleField(_l("Related questions"), choices=[], render_kw={"size": 5})
    valid_from = DateTimeLocalField(_l("Valid from (company time zone)"), format=TIME_FORMAT,
                                    validators=[Optional()])
    valid_until = DateTimeLocalField(_l("Valid until (company time zone)"), format=TIME_FORMAT,
                                     validators=[Optional()])
    customer_groups = StringField(_l("Customer groups (visitor tags, comma-separated; empty = everyone)"))
    channels = SelectMultipleField(_l("Channels (none selected = every channel)"), choices=[],
                                   render_kw={"size": 4})
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="draft")


def _question(view: Any, context: Any, model: KnowledgeEntry, name: str) -> Markup:
    more = len(model.similar or [])
    extra = Markup(' <small class="text-muted">+{}</small>').format(more) if more else ""
    return Markup("{}{}").format(model.question, extra)


class KnowledgeEntryView(ImportExportMixin, KnowledgeView):
    """CRUD of Q&A entries; writes through check_save_entry, bulk edits through the actions."""

    kind = "entry"
    form_class = EntryForm
    field_aliases = {"category_id": "category", "related_ids": "related", "channel_ids": "channels"}
    list_template = "kefu_admin/knowledge_list.html"
    column_list = ["question", "kind", "category_id", "status", "updated_at"]
    column_details_list = ["question", "similar", "answer", "kind", "category_id", "status", "valid_from",
                           "valid_until", "customer_groups", "channel_ids", "related_ids", "updated_at"]
    column_labels = labels(question=_l("Standard question"), similar=_l("Similar questions"),
                           answer=_l("Answer"), category_id=_l("Category"), updated_at=_l("Updated at"),
                           valid_from=_l("Valid from (company time zone)"),
                           valid_until=_l("Valid until (company time zone)"),
                           customer_groups=_l("Customer groups"), channel_ids=_l("Channels"),
                           related_ids=_l("Related questions"))
    column_choices = {"kind": KIND_CHOICES}
    column_formatters = {
        "question": _question,
        "category_id": lambda v, c, m, n: category_name(m.category_id),
        "status": lambda v, c, m, n: status_badge(m.status),
        "updated_at": lambda v, c, m, n: when(m.updated_at),
        "valid_from": lambda v, c, m, n: when(m.valid_from),
        "valid_until": lambda v, c, m, n: when(m.valid_until),
        "similar": lambda v, c, m, n: "\n".join(m.similar or []),
        # Sanitised by the action on the way in; shown as the robot would send it.
        "answer": lambda v, c, m, n: Markup(m.answer),
        "customer_groups": lambda v, c, m, n: ", ".join(m.customer_groups or []),
        "channel_ids": lambda v, c, m, n: ", ".join(_channel_names(m.channel_ids)),
        "related_ids": lambda v, c, m, n: "\n".join(_entry_questions(m.related_ids)),
    }
    column_searchable_list = ["question", "answer"]
    column_filters = [
        IntEqualFilter(KnowledgeEntry.category_id, _l("Category"),
                       options=company_options(KnowledgeCategory)),
        FilterEqual(KnowledgeEntry.status, _l("Status"), options=STATUS_CHOICES),
        FilterEqual(KnowledgeEntry.kind, _l("Kind"), options=KIND_CHOICES),
    ]
    column_sortable_list = ["question", "kind", "status", "updated_at"]
    column_default_sort = ("updated_at", True)

    @property
    def extra_js(self) -> list[str]:  # type: ignore[override]
        """The rich-text editor of the answer."""
        return [self.static_url("rich_editor.js")]

    def fill_choices(self, form: Form) -> None:
        """Categories, channels and related entries of the company."""
        cid = access.company_id()
        form.category.choices = category_choices()
        form.channels.choices = [(str(c.id), c.name) for c in db.session.scalars(
            select(Channel).where(Channel.company_id == cid).order_by(Channel.id))]
        own = parse_pk(request.args.get("id"))
        rows = list(db.session.execute(select(KnowledgeEntry.id, KnowledgeEntry.question).where(
            KnowledgeEntry.company_id == cid, KnowledgeEntry.id != (own or 0)).order_by(
            KnowledgeEntry.id.desc()).limit(RELATED_CHOICES_MAX)).all())
        current = db.session.get(KnowledgeEntry, own) if own else None
        # An entry's related questions stay choosable even when older than the newest RELATED_CHOICES_MAX.
        if current is not None and current.company_id == cid and current.related_ids:
            shown = {i for i, _ in rows}
            rows += db.session.execute(select(KnowledgeEntry.id, KnowledgeEntry.question).where(
                KnowledgeEntry.company_id == cid, KnowledgeEntry.id.in_(current.related_ids),
                KnowledgeEntry.id.not_in(shown or {0}))).all()
        form.related.choices = [(str(i), q) for i, q in rows]

    def form_data(self, obj: KnowledgeEntry) -> dict[str, Any]:
        """The stored entry as form values."""
        def local(value: datetime | None) -> datetime | None:
            return console_local(value) if value else None

        return {"kind": obj.kind, "question": obj.question, "similar": "\n".join(obj.similar or []),
                "answer": obj.answer, "category": str(obj.category_id or ""),
                "related": [str(i) for i in obj.related_ids or []],
                "valid_from": local(obj.valid_from), "valid_until": local(obj.valid_until),
                "customer_groups": ", ".join(obj.customer_groups or []),
                "channels": [str(i) for i in obj.channel_ids or []], "status": obj.status}

    def fields_of(self, form: Form) -> dict[str, Any]:
        """The action's input (times converted to UTC)."""
        start, end = _utc(form.valid_from.data), _utc(form.valid_until.data)
        groups = (form.customer_groups.data or "").replace("，", ",")
        return {"kind": form.kind.data, "question": form.question.data or "",
                "similar": _lines(form.similar.data), "answer": form.answer.data or "",
                "category_id": optional_id(form.category.data),
                "related_ids": [int(i) for i in form.related.data or [] if str(i).isdigit()],
                "valid_from": start.isoformat() if start else None,
                "valid_until": end.isoformat() if end else None,
                "customer_groups": [g.strip() for g in groups.split(",") if g.strip()],
                "channel_ids": [int(i) for i in form.channels.data or [] if str(i).isdigit()],
                "status": form.status.data}

    def save(self, data: dict[str, Any], obj_id: int | None) -> Any:
        """Through check_save_entry."""
        return check_save_entry(access.actor_id(), access.company_id() or 0, data, obj_id)

    # -- bulk edits ------------------------------------------------------------------------
    @action("publish", _l("Publish"), _l("Publish the selected rows?"))
    def action_publish(self, ids: Any) -> None:
        """Publish the selected entries."""
        self.set_status(ids, "published")

    @action("unpublish", _l("Unpublish"), _l("Set the selected rows back to draft?"))
    def action_unpublish(self, ids: Any) -> None:
        """Set the selected entries back to draft."""
        self.set_status(ids, "draft")

    # -- what the robot would answer ----------------------------------------------------------
    @expose("/try/")
    def try_view(self) -> Any:
        """Rank the published entries (valid now, any audience) for a test question, as the robot does."""
        query = (request.args.get("q") or "").strip()[:200]
        found = None
        if query:
            scope = Scope(access.company_id() or 0, kinds=tuple(ENTRY_KINDS), valid_at=utcnow())
            found = search(scope, query, 1, 5)
        entries = {}
        if found is not None:
            wanted = [h.entry_id for h in found.hits if h.entry_id]
            entries = {e.id: e for e in db.session.scalars(
                select(KnowledgeEntry).where(KnowledgeEntry.id.in_(wanted)))}
        return self.render("kefu_admin/knowledge_try.html", query=query, found=found, entries=entries,
                           kinds=dict(KIND_CHOICES), lang=lang())


def _channel_names(ids: list[int] | None) -> list[str]:
    if not ids:
        return []
    names = dict(db.session.execute(select(Channel.id, Channel.name).where(Channel.id.in_(ids))).all())
    return [names.get(i, f"#{i}") for i in ids]


def _entry_questions(ids: list[int] | None) -> list[str]:
    if not ids:
        return []
    names = dict(db.session.execute(select(KnowledgeEntry.id, KnowledgeEntry.question).where(
        KnowledgeEntry.id.in_(ids))).all())
    return [names[i] for i in ids if i in names]
