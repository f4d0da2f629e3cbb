"""Work schedules: weekly hours, holidays and extra working days, per company or skill group."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import IntEqualFilter
from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, Length

from kefu.org.models import SkillGroup, WorkSchedule

from ..base import KefuModelView, company_options, company_rows
from ..fields import (
    JSONTextField,
    StrictQuerySelectField,
    holidays_error,
    valid_timezone,
    weekly_error,
    workdays_error,
)
from ..labels import labels


class WorkScheduleView(KefuModelView):
    """CRUD of work schedules; the JSON is checked before saving."""

    manager_readable = True
    column_list = ["name", "skill_group", "timezone", "weekly", "holidays"]
    column_details_list = ["name", "skill_group", "timezone", "weekly", "holidays", "workdays",
                           "created_at"]
    column_labels = labels(
        weekly=_l("Weekly hours"), holidays=_l("Holidays (closed)"),
        workdays=_l("Extra working days"),
    )
    column_searchable_list = ["name"]
    column_filters = [
        IntEqualFilter(WorkSchedule.skill_group_id, _l("Skill group"),
                       options=company_options(SkillGroup)),
    ]
    form_columns = ["name", "skill_group", "timezone", "weekly", "holidays", "workdays"]
    form_overrides = {"skill_group": StrictQuerySelectField, "weekly": JSONTextField,
                      "holidays": JSONTextField, "workdays": JSONTextField}
    form_args = {
        "name": {"validators": [InputRequired(), Length(max=120)]},
        "skill_group": {"query_factory": company_rows(SkillGroup),
                        "description": _l("Empty: the company's default schedule.")},
        "timezone": {"default": "Asia/Shanghai", "validators": [InputRequired(), valid_timezone]},
        "weekly": {"shape": weekly_error, "empty": {},
                   "description": _l('Example: {"mon": [["09:00", "18:00"]], "sat": '
                                     '[["10:00", "16:00"]]} — a missing day is closed; a range '
                                     'ending before it starts runs past midnight: ["22:00", '
                                     '"02:00"] on fri is open until 02:00 on sat.')},
        "holidays": {"shape": holidays_error, "empty": [],
                     "description": _l('Closed days, e.g. ["2026-10-01", "2026-10-02"]')},
        "workdays": {"shape": workdays_error, "empty": {},
                     "description": _l('Extra working days, e.g. {"2026-09-27": '
                                       '[["09:00", "18:00"]]}')},
    }

    def scope_for_manager(self, query: Any, group_ids: set[int]) -> Any:
        """Managers see the schedules of the groups they oversee."""
        return query.filter(WorkSchedule.skill_group_id.in_(group_ids))
