"""Integration pages (对接页面设置): enterprise pages shown as iframe tabs beside the agent's chat."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import BooleanEqualFilter
from flask_admin.helpers import is_form_submitted
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import Form
from wtforms.validators import InputRequired, Length, NumberRange

from kefu.extensions import db
from kefu.integrations.actions import check_page
from kefu.integrations.models import IntegrationPage
from kefu.integrations.urls import VARIABLES
from kefu.org.models import SkillGroup

from ..base import KefuModelView, company_rows
from ..fields import StrictQuerySelectMultipleField
from ..labels import labels

VARIABLE_HELP = " ".join("{" + v + "}" for v in VARIABLES)


def group_names(page: IntegrationPage) -> str:
    """The skill groups a page is limited to, or "everyone"."""
    if not page.group_ids:
        return str(_l("All agents"))
    names = db.session.scalars(select(SkillGroup.name).where(SkillGroup.id.in_(page.group_ids)))
    return ", ".join(sorted(names))


class IntegrationPageView(KefuModelView):
    """CRUD of integration pages; URL templates are checked (http(s) only, known variables)."""

    column_list = ["name_zh", "name_en", "url_template", "enabled", "sort_order", "groups"]
    column_details_list = [*column_list, "created_at"]
    column_labels = labels(
        name_zh=_l("Name (Chinese)"), name_en=_l("Name (English)"), url_template=_l("URL template"),
        sort_order=_l("Tab order"), groups=_l("Visible to skill groups"),
    )
    column_formatters = {
        "groups": lambda v, c, m, n: group_names(m),
        "url_template": lambda v, c, m, n: Markup("<code>{}</code>").format(escape(m.url_template)),
    }
    column_searchable_list = ["name_zh", "name_en", "url_template"]
    column_filters = [BooleanEqualFilter(IntegrationPage.enabled, _l("Enabled"))]
    column_default_sort = "sort_order"
    form_columns = ["name_zh", "name_en", "url_template", "enabled", "sort_order", "groups"]
    form_extra_fields = {
        "groups": StrictQuerySelectMultipleField(
            _l("Visible to skill groups"), query_factory=company_rows(SkillGroup),
            description=_l("Leave empty to show the page to every agent."),
        ),
    }
    form_args = {
        "name_zh": {"validators": [InputRequired(), Length(max=60)]},
        "name_en": {"validators": [Length(max=60)]},
        "url_template": {
            "validators": [InputRequired(), Length(max=2000)],
            "description": _l("An http(s) address; variables: %(names)s. Values are URL-encoded; "
                              "{token} is a signed token your page can verify.", names=VARIABLE_HELP),
        },
        "sort_order": {"validators": [NumberRange(min=0, max=100000)]},
    }

    def edit_form(self, obj: Any = None) -> Form:
        """Show the page's current skill groups."""
        form = super().edit_form(obj)
        if obj is not None and not is_form_submitted():
            ids = obj.group_ids or []
            form.groups.data = list(db.session.scalars(
                select(SkillGroup).where(SkillGroup.id.in_(ids))
            )) if ids else []
        return form

    def populate(self, form: Form, model: Any) -> None:
        """Copy the mapped fields; the groups become group_ids."""
        for name, field in form._fields.items():
            if name not in ("groups", "csrf_token"):
                field.populate_obj(model, name)
        model.group_ids = sorted(g.id for g in (form.groups.data or []))

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """Refuse javascript:/data:/relative URLs and unknown variables (KefuError, nothing saved)."""
        check_page(model)
