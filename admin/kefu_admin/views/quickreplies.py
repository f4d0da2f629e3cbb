"""Quick replies (快捷回复): the company library (no owner) and agents' own, each in groups."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import FilterEmpty, FilterLike, IntEqualFilter
from flask_admin.helpers import is_form_submitted
from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.validators import InputRequired, Length, NumberRange

from kefu.extensions import db
from kefu.org.models import User
from kefu.quickreplies.actions import check_group_name_free, check_reply_group, do_delete_group
from kefu.quickreplies.models import QuickReply, QuickReplyGroup

from .. import access
from ..base import KefuModelView, company_options, company_rows, report_failure
from ..fields import StrictQuerySelectField
from ..labels import labels

VARIABLES = _l("Variables filled in from the chat when inserted: {visitor_name}, {agent_name}, {company}.")


def owner_name(row: Any) -> str:
    """Return the owner's name, or "Shared"."""
    if row.owner_id is None:
        return str(_l("Shared"))
    owner = db.session.get(User, row.owner_id)
    return owner.name if owner else "—"


def group_name(reply: QuickReply) -> str:
    """Return the reply's group name, or "—"."""
    group = db.session.get(QuickReplyGroup, reply.group_id) if reply.group_id else None
    return group.name if group else "—"


def group_label(group: QuickReplyGroup) -> str:
    """Name a group with its library in dropdowns."""
    return f"{group.name} ({owner_name(group)})"


class _OwnedView(KefuModelView):
    """A row with an optional owner picked among the company's accounts."""

    def edit_form(self, obj: Any = None) -> Form:
        """Show the current owner (and group)."""
        form = super().edit_form(obj)
        if obj is not None and not is_form_submitted():
            form.owner.data = db.session.get(User, obj.owner_id) if obj.owner_id else None
            if "group" in form:
                form.group.data = db.session.get(QuickReplyGroup, obj.group_id) if obj.group_id else None
        return form

    def populate(self, form: Form, model: Any) -> None:
        """Copy the mapped fields; the owner becomes owner_id, the group group_id."""
        for name, field in form._fields.items():
            if name not in ("owner", "group", "csrf_token"):
                field.populate_obj(model, name)
        model.owner_id = form.owner.data.id if form.owner.data is not None else None
        if "group" in form:
            model.group_id = form.group.data.id if form.group.data is not None else None


class QuickReplyView(_OwnedView):
    """CRUD of quick replies."""

    column_list = ["group", "title", "text", "owner", "sort_order"]
    column_details_list = ["group", "title", "text", "owner", "sort_order", "created_at"]
    column_labels = labels(group=_l("Reply group"), title=_l("Title"), text=_l("Text"),
                           owner=_l("Owner (empty = shared)"))
    column_descriptions = {"text": VARIABLES}
    column_formatters = {"owner": lambda v, c, m, n: owner_name(m), "group": lambda v, c, m, n: group_name(m)}
    column_searchable_list = ["title", "text"]
    column_filters = [
        IntEqualFilter(QuickReply.group_id, _l("Reply group"), options=company_options(QuickReplyGroup)),
        FilterEmpty(QuickReply.owner_id, _l("Shared")),
        IntEqualFilter(QuickReply.owner_id, _l("Owner"), options=company_options(User)),
        FilterLike(QuickReply.title, _l("Title")),
    ]
    column_default_sort = "sort_order"
    form_columns = ["group", "title", "text", "owner", "sort_order"]
    form_extra_fields = {
        "group": StrictQuerySelectField(
            _l("Reply group"), query_factory=company_rows(QuickReplyGroup), get_label=group_label,
            allow_blank=True, blank_text="—",
            description=_l("A group of the same library (shared or the owner's)."),
        ),
        "owner": StrictQuerySelectField(
            _l("Owner (empty = shared)"), query_factory=company_rows(User), allow_blank=True,
            blank_text="—",
        ),
    }
    form_args = {
        "title": {"validators": [InputRequired(), Length(max=120)]},
        "text": {"validators": [InputRequired(), Length(max=5000)], "description": VARIABLES},
        "sort_order": {"validators": [NumberRange(min=0, max=100000)]},
    }

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """A reply goes only into a group of its own library."""
        check_reply_group(model)


class QuickReplyGroupView(_OwnedView):
    """CRUD of quick-reply groups (分组); deleting one leaves its replies ungrouped."""

    column_list = ["name", "owner", "sort_order"]
    column_labels = labels(name=_l("Name"), owner=_l("Owner (empty = shared)"))
    column_formatters = {"owner": lambda v, c, m, n: owner_name(m)}
    column_searchable_list = ["name"]
    column_filters = [
        FilterEmpty(QuickReplyGroup.owner_id, _l("Shared")),
        IntEqualFilter(QuickReplyGroup.owner_id, _l("Owner"), options=company_options(User)),
    ]
    column_default_sort = "sort_order"
    form_columns = ["name", "owner", "sort_order"]
    form_extra_fields = {
        "owner": StrictQuerySelectField(
            _l("Owner (empty = shared)"), query_factory=company_rows(User), allow_blank=True,
            blank_text="—",
        ),
    }
    form_args = {
        "name": {"validators": [InputRequired(), Length(max=60)]},
        "sort_order": {"validators": [NumberRange(min=0, max=100000)]},
    }

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """One name per library; a group keeps its replies' library (no moving to another owner)."""
        model.name = (model.name or "").strip()
        check_group_name_free(model)
        if not created:
            for reply in db.session.scalars(db.select(QuickReply).where(QuickReply.group_id == model.id)):
                if reply.owner_id != model.owner_id:
                    check_reply_group(reply)

    def delete_model(self, model: Any) -> bool:
        """Ungroup the group's replies, then delete it."""
        try:
            do_delete_group(access.actor_id(), model)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, nothing written
            report_failure(None, exc)
            return False
        return True
