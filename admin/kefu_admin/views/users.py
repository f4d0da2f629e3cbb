"""Agents and the other people of a company: role, capacity (接待上限), department, groups."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_admin.contrib.sqla.filters import (
    BaseSQLAFilter,
    BooleanEqualFilter,
    FilterEqual,
    IntEqualFilter,
)
from flask_admin.helpers import is_form_submitted
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, selectinload, undefer
from wtforms import Form, PasswordField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from kefu.conversations.actions import do_release_agent_chats
from kefu.errors import KefuError, ValidationFailed
from kefu.org.actions import do_set_status
from kefu.org.models import Department, SkillGroup, SkillGroupMember, User
from kefu.org.passwords import hash_password
from kefu.presence.actions import check_force_offline

from .. import access
from ..base import KefuModelView, company_options, company_rows, report_failure
from ..children import audit_memberships
from ..fields import StrictQuerySelectField, StrictQuerySelectMultipleField, valid_email
from ..labels import ROLE_CHOICES, STATUS_CHOICES, labels
from .statuses import ForceOfflineAction

WRITE_ONLY = ("groups", "password")


class GroupMemberFilter(BaseSQLAFilter):
    """Users who are members of the chosen skill group."""

    def clean(self, value: str) -> int:
        """Group ids are integers."""
        return int(value)

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        """Keep members of the group."""
        members = select(SkillGroupMember.user_id).where(SkillGroupMember.skill_group_id == value)
        return query.filter(User.id.in_(members))

    def operation(self) -> str:
        """Shown next to the filter name."""
        return str(_l("equals"))


def group_names(user: User) -> str:
    """Return the user's skill groups as "name (priority)", lowest priority first."""
    rows = sorted(user.memberships, key=lambda m: (m.priority, m.skill_group_id))
    return ", ".join(f"{m.skill_group.name} ({m.priority})" for m in rows)


class AgentView(ForceOfflineAction, KefuModelView):
    """CRUD of a company's accounts; never shows password hashes."""

    manager_readable = True
    column_list = ["name", "display_name", "email", "role", "department", "groups", "status",
                   "max_concurrent", "active_chats", "is_active_account"]
    column_details_list = [*column_list, "locale", "created_at"]
    column_labels = labels(
        groups=_l("Skill groups"), max_concurrent=_l("Max concurrent chats"),
        active_chats=_l("Active chats"), is_active_account=_l("Active account"),
        password=_l("Password"), locale=_l("Language"),
    )
    column_choices = {"role": ROLE_CHOICES, "status": STATUS_CHOICES}
    column_formatters = {"groups": lambda v, c, m, n: group_names(m)}
    column_searchable_list = ["name", "email", "display_name"]
    column_filters = [
        FilterEqual(User.role, _l("Role"), options=ROLE_CHOICES),
        FilterEqual(User.status, _l("Status"), options=STATUS_CHOICES),
        IntEqualFilter(User.department_id, _l("Department"), options=company_options(Department)),
        GroupMemberFilter(User.id, _l("Skill group"), options=company_options(SkillGroup)),
        BooleanEqualFilter(User.is_active_account, _l("Active account")),
    ]
    column_default_sort = "name"
    form_columns = ["email", "name", "display_name", "role", "department", "groups",
                    "max_concurrent", "status", "is_active_account", "password"]
    form_choices = {"role": ROLE_CHOICES, "status": STATUS_CHOICES}
    form_overrides = {"department": StrictQuerySelectField}
    form_extra_fields = {
        "groups": StrictQuerySelectMultipleField(
            _l("Skill groups"), query_factory=company_rows(SkillGroup)
        ),
        "password": PasswordField(
            _l("Password"), validators=[Optional(), Length(min=8, max=200)],
            description=_l("At least 8 characters; leave empty to keep the current password."),
        ),
    }
    form_args = {
        "email": {"validators": [InputRequired(), valid_email, Length(max=254)]},
        "name": {"validators": [InputRequired(), Length(max=120)]},
        "department": {"query_factory": company_rows(Department)},
        "max_concurrent": {
            "label": _l("Max concurrent chats"),
            "validators": [InputRequired(), NumberRange(min=0, max=200)],
        },
    }

    def get_query(self) -> Any:
        """Load memberships with the rows (the list shows every agent's groups)."""
        return super().get_query().options(
            selectinload(User.memberships).joinedload(SkillGroupMember.skill_group),
            joinedload(User.department),
            undefer(User.active_chats),  # type: ignore[attr-defined]
        )

    def scope_for_manager(self, query: Any, group_ids: set[int]) -> Any:
        """Managers see the members of the groups they oversee."""
        members = select(SkillGroupMember.user_id).where(
            SkillGroupMember.skill_group_id.in_(group_ids)
        )
        return query.filter(User.id.in_(members))

    def create_form(self, obj: Any = None) -> Form:
        """A new account needs a password."""
        form = super().create_form(obj)
        form.password.validators = [InputRequired(), Length(min=8, max=200)]
        form.password.flags.required = True
        return form

    def edit_form(self, obj: Any = None) -> Form:
        """Show the account's current skill groups."""
        form = super().edit_form(obj)
        if obj is not None and not is_form_submitted():
            form.groups.data = [m.skill_group for m in obj.memberships]
        return form

    def populate(self, form: Form, model: Any) -> None:
        """Copy the mapped fields; groups and password are handled in before_save."""
        for name, field in form._fields.items():
            if name not in WRITE_ONLY and name != "csrf_token":
                field.populate_obj(model, name)

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """Hash the password, guard roles, sync memberships, defer status changes."""
        me = access.me()
        assert me is not None
        model.email = (model.email or "").strip().lower()
        # `me` may be the very row being edited (same identity map): read the stored values.
        owner_touched = model.role == "owner" or (not created and _old(model, "role") == "owner")
        if owner_touched and _old(me, "role") != "owner":
            raise ValidationFailed(
                {"role": [gettext("Only an owner can create or change an owner.")]},
                code="forbidden",
            )
        if model.id == me.id and (model.role != _old(me, "role") or not model.is_active_account):
            raise ValidationFailed(
                {"role": [gettext("You cannot change your own role or deactivate yourself.")]},
                code="forbidden",
            )
        if form.password.data:
            model.password_hash = hash_password(form.password.data)
        elif created:
            raise ValidationFailed({"password": [gettext("A password is required.")]})
        self._sync_groups(form, model)
        g.kefu_admin_status = model.status
        model.status = "offline" if created else _old(model, "status")

    def _sync_groups(self, form: Form, model: User) -> None:
        wanted = {grp.id: grp for grp in form.groups.data or []}
        removed = [m for m in model.memberships if m.skill_group_id not in wanted]
        for member in removed:
            model.memberships.remove(member)
        have = {m.skill_group_id for m in model.memberships}
        for gid, grp in wanted.items():
            if grp.company_id != model.company_id:
                raise KefuError("cross_company", fields={"groups": ["another company"]})
            if gid not in have:
                model.memberships.append(
                    SkillGroupMember(company_id=model.company_id, skill_group=grp, priority=0)
                )
        audit_memberships(access.actor_id(), model.company_id, model.memberships, removed)

    def delete_model(self, model: Any) -> bool:
        """Nobody deletes their own account; only owners delete owners."""
        me = access.me()
        assert me is not None
        if model.id == me.id or (model.role == "owner" and me.role != "owner"):
            report_failure(None, KefuError("forbidden", status=403))
            return False
        # Their live chats go back to the queue first, or they would stay "active" unserved.
        do_release_agent_chats(model.id, access.actor_id())
        return bool(super().delete_model(model))

    def after_save(self, form: Form, model: Any, created: bool) -> None:
        """Apply a status change through the status action (log, events, queue refill)."""
        wanted = getattr(g, "kefu_admin_status", None)
        if not created and not model.is_active_account:
            # A deactivated account serves nobody: offline, and its chats back to the queue.
            do_release_agent_chats(model.id, access.actor_id())
        elif not created and wanted == "offline" and model.status != "offline":
            me = access.me()
            assert me is not None
            check_force_offline(me, model.id)  # chats follow the offline setting
        elif not created and wanted and wanted != model.status:
            do_set_status(model, wanted, "console", source="admin", actor_id=access.actor_id())



def _old(model: Any, attr: str) -> Any:
    """Return the value an attribute had before this request changed it."""
    hist = inspect(model).attrs[attr].history
    return hist.deleted[0] if hist.deleted else getattr(model, attr)
