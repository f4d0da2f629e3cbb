"""Skill groups (技能组) and their members with per-member routing priority."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import IntEqualFilter
from flask_admin.model.form import InlineFormAdmin
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from wtforms import Form
from wtforms.validators import DataRequired, NumberRange, Optional

from kefu.errors import KefuError
from kefu.extensions import db
from kefu.org.models import Department, SkillGroup, SkillGroupMember, User
from kefu.settings.actions import check_same_company

from .. import access
from ..base import InlineBaseForm, KefuModelView, company_options, company_rows
from ..children import audit_memberships
from ..fields import StrictQuerySelectField
from ..labels import labels


class MemberInline(InlineFormAdmin):
    """One member row inside the skill-group form."""

    form_base_class = InlineBaseForm
    form_columns = ["id", "user", "priority"]
    form_overrides = {"user": StrictQuerySelectField}
    form_label = _l("Members")
    column_labels = {"user": _l("Agent"), "priority": _l("Priority (lower first)")}
    form_args = {
        "user": {"label": _l("Agent"), "query_factory": company_rows(User),
                 "validators": [DataRequired()]},
        "priority": {"label": _l("Priority (lower first)"),
                     "validators": [NumberRange(min=0, max=1000)]},
    }

    def on_model_change(self, form: Form, model: Any, is_created: bool) -> None:
        """A member row always belongs to the user's company."""
        model.company_id = access.company_id()


class SkillGroupView(KefuModelView):
    """CRUD of skill groups; managers read the groups they oversee."""

    manager_readable = True
    column_list = ["name", "display_name", "department", "members_count", "sort_order"]
    column_details_list = ["name", "display_name", "department", "members", "sort_order",
                           "queue_max_length", "queue_max_wait_seconds", "created_at"]
    column_labels = labels(members=_l("Members"), members_count=_l("Members"),
                           queue_max_length=_l("Maximum queue length"),
                           queue_max_wait_seconds=_l("Maximum wait (seconds)"))
    column_formatters = {
        "members_count": lambda v, c, m, n: len(m.members),
        "members": lambda v, c, m, n: ", ".join(
            f"{mem.user.name} ({mem.priority})" for mem in sorted(m.members, key=_member_key)
        ),
    }
    column_searchable_list = ["name", "display_name"]
    column_filters = [
        IntEqualFilter(SkillGroup.department_id, _l("Department"),
                       options=company_options(Department)),
    ]
    column_default_sort = "sort_order"
    form_columns = ["name", "display_name", "department", "sort_order", "queue_max_length",
                    "queue_max_wait_seconds"]
    form_overrides = {"department": StrictQuerySelectField}
    form_args = {
        "department": {"query_factory": company_rows(Department)},
        "sort_order": {"validators": [NumberRange(min=0, max=100000)]},
        # 排队设置 of this group: empty follows the company's conversation settings.
        "queue_max_length": {"validators": [Optional(), NumberRange(min=0, max=10000)],
                             "description": _l("Empty: as the conversation settings; 0: no limit")},
        "queue_max_wait_seconds": {"validators": [Optional(), NumberRange(min=0, max=86400)],
                                   "description": _l("Empty: as the conversation settings; 0: no limit")},
    }
    inline_models = [MemberInline(SkillGroupMember)]

    def get_query(self) -> Any:
        """Load members and their agents with the rows."""
        return super().get_query().options(
            selectinload(SkillGroup.members).joinedload(SkillGroupMember.user),
            joinedload(SkillGroup.department),
        )

    def scope_for_manager(self, query: Any, group_ids: set[int]) -> Any:
        """Managers see the groups they oversee."""
        return query.filter(SkillGroup.id.in_(group_ids))

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """Members must be distinct agents of the same company; their changes are audited."""
        seen: set[int] = set()
        for member in model.members:
            member.company_id = model.company_id
            check_same_company(member)
            if member.user is not None and member.user.company_id != model.company_id:
                raise KefuError("cross_company", fields={"members": ["another company"]})
            uid = member.user.id if member.user is not None else None
            if uid in seen:
                raise KefuError("duplicate", fields={"members": [str(member.user)]})
            if uid is not None:
                seen.add(uid)
        removed = [m for m in db.session.deleted if isinstance(m, SkillGroupMember)]
        audit_memberships(access.actor_id(), model.company_id, model.members, removed)


def _member_key(member: SkillGroupMember) -> tuple[int, int]:
    return (member.priority, member.user_id)
