"""Quick replies (快捷回复): shared by the company (no owner) or personal to one agent."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import FilterEmpty, FilterLike, IntEqualFilter
from flask_admin.helpers import is_form_submitted
from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.validators import InputRequired, Length, NumberRange

from kefu.extensions import db
from kefu.org.models import User
from kefu.quickreplies.models import QuickReply

from ..base import KefuModelView, company_options, company_rows
from ..fields import StrictQuerySelectField
from ..labels import labels


def owner_name(reply: QuickReply) -> str:
    """Return the owner's name, or "Shared"."""
    if reply.owner_id is None:
        return str(_l("Shared"))
    owner = db.session.get(User, reply.owner_id)
    return owner.name if owner else "—"


class QuickReplyView(KefuModelView):
    """CRUD of quick replies."""

    column_list = ["category", "title", "text", "owner", "sort_order"]
    column_details_list = ["category", "title", "text", "owner", "sort_order", "created_at"]
    column_labels = labels(category=_l("Category"), title=_l("Title"), text=_l("Text"),
                           owner=_l("Owner (empty = shared)"))
    column_formatters = {"owner": lambda v, c, m, n: owner_name(m)}
    column_searchable_list = ["title", "text", "category"]
    column_filters = [
        FilterLike(QuickReply.category, _l("Category")),
        FilterEmpty(QuickReply.owner_id, _l("Shared")),
        IntEqualFilter(QuickReply.owner_id, _l("Owner"), options=company_options(User)),
    ]
    column_default_sort = "sort_order"
    form_columns = ["category", "title", "text", "owner", "sort_order"]
    form_extra_fields = {
        "owner": StrictQuerySelectField(
            _l("Owner (empty = shared)"), query_factory=company_rows(User), allow_blank=True,
            blank_text="—",
        ),
    }
    form_args = {
        "title": {"validators": [InputRequired(), Length(max=120)]},
        "text": {"validators": [InputRequired(), Length(max=5000)]},
        "sort_order": {"validators": [NumberRange(min=0, max=100000)]},
    }

    def edit_form(self, obj: Any = None) -> Form:
        """Show the current owner."""
        form = super().edit_form(obj)
        if obj is not None and not is_form_submitted():
            form.owner.data = db.session.get(User, obj.owner_id) if obj.owner_id else None
        return form

    def populate(self, form: Form, model: Any) -> None:
        """Copy the mapped fields; the owner becomes owner_id."""
        for name, field in form._fields.items():
            if name not in ("owner", "csrf_token"):
                field.populate_obj(model, name)
        model.owner_id = form.owner.data.id if form.owner.data is not None else None
