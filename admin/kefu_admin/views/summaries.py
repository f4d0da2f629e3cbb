"""服务总结 in the console: the two-level category tree (business unit → type) and the orders list."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import FilterEmpty, FilterEqual
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import Form
from wtforms.validators import InputRequired, Length, NumberRange

from kefu.errors import KefuError
from kefu.extensions import db
from kefu.orders.models import ORDER_STATUSES, ConversationOrder
from kefu.summaries.models import ConversationSummary, SummaryCategory

from .. import access
from ..base import KefuModelView
from ..fields import StrictQuerySelectField
from ..labels import labels

ORDER_STATUS_CHOICES = [
    ("pending", _l("Pending payment")), ("paid", _l("Paid")), ("shipped", _l("Shipped")),
    ("completed", _l("Completed")), ("cancelled", _l("Cancelled")), ("refunded", _l("Refunded")),
]
assert [k for k, _ in ORDER_STATUS_CHOICES] == list(ORDER_STATUSES)
SUMMARY_STATUS_CHOICES = [("solved", _l("Solved")), ("unsolved", _l("Unsolved")),
                          ("following", _l("Following up"))]


def business_units() -> Any:
    """The current company's business units (top-level categories), for the parent dropdown."""
    return (db.session.query(SummaryCategory)
            .filter(SummaryCategory.company_id == access.company_id(), SummaryCategory.parent_id.is_(None))
            .order_by(SummaryCategory.sort_order, SummaryCategory.id))


class SummaryCategoryView(KefuModelView):
    """CRUD of summary categories: a row without a business unit is one; a row under one is a type."""

    column_list = ["parent", "name", "name_en", "enabled", "sort_order"]
    column_labels = labels(parent=_l("Business unit (empty = this is a business unit)"),
                           name=_l("Name (Chinese)"), name_en=_l("Name (English)"))
    column_formatters = {"parent": lambda v, c, m, n: m.parent.name if m.parent else "—"}
    column_searchable_list = ["name", "name_en"]
    column_filters = [FilterEmpty(SummaryCategory.parent_id, _l("Business unit")),
                      FilterEqual(SummaryCategory.enabled, _l("Enabled"),
                                  options=[("1", _l("Yes")), ("0", _l("No"))])]
    column_default_sort = "sort_order"
    form_columns = ["parent", "name", "name_en", "enabled", "sort_order"]
    form_overrides = {"parent": StrictQuerySelectField}
    form_args = {
        "parent": {"label": _l("Business unit (empty = this is a business unit)"),
                   "query_factory": business_units, "allow_blank": True, "blank_text": "—"},
        "name": {"label": _l("Name (Chinese)"), "validators": [InputRequired(), Length(max=60)]},
        "name_en": {"label": _l("Name (English)"), "validators": [Length(max=60)]},
        "sort_order": {"validators": [NumberRange(min=0, max=100000)]},
    }

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """Keep two levels: a type's parent is a business unit, and a unit with types has no parent."""
        model.name_en = model.name_en or ""
        if model.parent is None:
            return
        if model.parent.parent_id is not None or model.parent.id == model.id:
            raise KefuError("summary_category_depth", fields={"parent": ["a business unit"]})
        if not created and db.session.scalar(
                select(SummaryCategory.id).where(SummaryCategory.parent_id == model.id).limit(1)):
            raise KefuError("summary_category_depth", fields={"parent": ["this unit has types"]})


class OrderView(KefuModelView):
    """Orders recorded in the workbench (read-only; 订单统计 reads the same rows)."""

    allow_create = False
    allow_edit = False
    allow_delete = False
    column_list = ["number", "amount", "currency", "status", "conversation_id", "agent", "created_at"]
    column_labels = labels(number=_l("Order number"), amount=_l("Amount"), currency=_l("Currency"),
                           conversation_id=_l("Conversation"), agent=_l("Agent"))
    column_choices = {"status": ORDER_STATUS_CHOICES}
    column_formatters = {"agent": lambda v, c, m, n: _agent_name(m.agent_id)}
    column_searchable_list = ["number"]
    column_filters = [FilterEqual(ConversationOrder.status, _l("Status"), options=ORDER_STATUS_CHOICES)]
    column_default_sort = ("created_at", True)


def _type_names(summary: ConversationSummary) -> str:
    """Return "unit / type" names of a summary's types (a deleted type shows its id)."""
    names = []
    for type_id in summary.type_ids or []:
        row = db.session.get(SummaryCategory, type_id)
        names.append(str(row) if row is not None else f"#{type_id}")
    return ", ".join(names)


class SummaryView(KefuModelView):
    """Saved service summaries (read-only; agents write them in the workbench)."""

    allow_create = False
    allow_edit = False
    allow_delete = False
    column_list = ["conversation_id", "types", "status", "invalid", "remark", "agent", "updated_at"]
    column_labels = labels(conversation_id=_l("Conversation"), types=_l("Summary types"),
                           status=_l("Handling status"), invalid=_l("Invalid conversation"),
                           remark=_l("Remark"), agent=_l("Agent"), updated_at=_l("Updated at"))
    column_choices = {"status": SUMMARY_STATUS_CHOICES}
    column_formatters = {"types": lambda v, c, m, n: _type_names(m),
                         "agent": lambda v, c, m, n: _agent_name(m.agent_id)}
    column_filters = [FilterEqual(ConversationSummary.status, _l("Handling status"),
                                  options=SUMMARY_STATUS_CHOICES)]
    column_default_sort = ("updated_at", True)


def _agent_name(user_id: int | None) -> str:
    from kefu.org.models import User

    user = db.session.get(User, user_id) if user_id else None
    return user.shown_name if user is not None else "—"
