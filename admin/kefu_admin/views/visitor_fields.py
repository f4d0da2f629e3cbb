"""Custom visitor fields (访客自定义字段): what agents fill in the workbench's visitor panel."""

from __future__ import annotations

from typing import Any

from flask_admin.helpers import is_form_submitted
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from kefu.visitors.fields import KINDS, VisitorField, check_field_row

from ..base import KefuModelView
from ..labels import labels

KIND_LABELS = {"text": _l("Text"), "number": _l("Number"), "date": _l("Date"), "choice": _l("Choice")}


class VisitorFieldView(KefuModelView):
    """CRUD of a company's custom visitor fields."""

    column_list = ["label", "key", "kind", "choices", "sort_order"]
    column_labels = labels(label=_l("Label"), key=_l("Key"), kind=_l("Type"), choices=_l("Options"),
                           sort_order=_l("Order"))
    column_formatters = {
        "kind": lambda v, c, m, n: str(KIND_LABELS.get(m.kind, m.kind)),
        "choices": lambda v, c, m, n: " / ".join(m.choices or []),
    }
    column_default_sort = "sort_order"
    form_columns = ["label", "key", "kind", "choices_text", "sort_order"]
    form_extra_fields = {
        "kind": SelectField(_l("Type"), choices=[(k, KIND_LABELS[k]) for k in KINDS]),
        "choices_text": TextAreaField(_l("Options (one per line, for the choice type)")),
    }
    form_args = {
        "label": {"label": _l("Label"), "validators": [InputRequired(), Length(max=64)]},
        "key": {"label": _l("Key"), "validators": [InputRequired(), Length(max=32)]},
        "sort_order": {"label": _l("Order"), "validators": [NumberRange(min=0, max=100000)]},
    }

    def edit_form(self, obj: Any = None) -> Form:
        """Show the options one per line."""
        form = super().edit_form(obj)
        if obj is not None and not is_form_submitted():
            form.choices_text.data = "\n".join(obj.choices or [])
        return form

    def populate(self, form: Form, model: Any) -> None:
        """Copy the fields; the options text becomes the choice list."""
        for name, field in form._fields.items():
            if name not in ("choices_text", "csrf_token"):
                field.populate_obj(model, name)
        model.choices = (form.choices_text.data or "").splitlines()

    def before_save(self, form: Form, model: VisitorField, created: bool) -> None:
        """Check key, label, type and options through the field rules."""
        check_field_row(model)
