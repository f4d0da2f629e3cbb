"""客服状态 in the console: busy reasons (CRUD), status requests to approve, force agents offline."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from wtforms.validators import InputRequired, Length, NumberRange

from kefu.extensions import db
from kefu.org.models import User
from kefu.presence.access import manages_agent
from kefu.presence.actions import check_decide, check_force_offline
from kefu.presence.models import BusyReason, StatusRequest

from .. import access
from ..base import KefuModelView, parse_pk, report_failure
from ..labels import STATUS_CHOICES, labels

REQUEST_STATES = [("pending", _l("Pending")), ("approved", _l("Approved")),
                  ("rejected", _l("Rejected")), ("cancelled", _l("Withdrawn"))]


class BusyReasonView(KefuModelView):
    """CRUD of the busy reasons agents choose from (小休, 会议, 培训 …)."""

    column_list = ["name", "name_en", "sort_order", "enabled"]
    column_labels = labels(name=_l("Name (Chinese)"), name_en=_l("Name (English)"))
    column_default_sort = "sort_order"
    form_columns = ["name", "name_en", "sort_order", "enabled"]
    form_args = {
        "name": {"label": _l("Name (Chinese)"), "validators": [InputRequired(), Length(max=50)]},
        "name_en": {"label": _l("Name (English)"), "validators": [Length(max=50)]},
        "sort_order": {"validators": [NumberRange(min=0, max=100000)]},
    }

    def delete_model(self, model: Any) -> bool:
        """Agents busy for this reason stay busy without one (the log keeps the id)."""
        db.session.execute(update(User).where(User.company_id == model.company_id,
                                              User.busy_reason_id == model.id)
                           .values(busy_reason_id=None))
        return bool(super().delete_model(model))


def _person(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.shown_name if user is not None else "—"


def _reason_name(reason_id: int | None) -> str:
    reason = db.session.get(BusyReason, reason_id) if reason_id else None
    return str(reason) if reason is not None else ""


class StatusRequestView(KefuModelView):
    """Status changes waiting for approval (客服状态审核): approve or reject from the list."""

    manager_readable = True
    allow_create = False
    allow_edit = False
    allow_delete = False
    column_list = ["agent", "old_status", "status", "busy_reason", "reason", "state", "created_at",
                   "decided_by", "decided_at"]
    column_labels = labels(agent=_l("Agent"), old_status=_l("From"), status=_l("To"),
                           busy_reason=_l("Busy reason"), reason=_l("Request reason"), state=_l("State"),
                           decided_by=_l("Decided by"), decided_at=_l("Decided at"))
    column_choices = {"old_status": STATUS_CHOICES, "status": STATUS_CHOICES, "state": REQUEST_STATES}
    column_formatters = {
        "agent": lambda v, c, m, n: _person(m.user_id),
        "decided_by": lambda v, c, m, n: _person(m.decided_by_id),
        "busy_reason": lambda v, c, m, n: _reason_name(m.busy_reason_id),
    }
    column_filters = [FilterEqual(StatusRequest.state, _l("State"), options=REQUEST_STATES)]
    column_default_sort = ("created_at", True)
    column_sortable_list = ["created_at", "state"]

    def scope_for_manager(self, query: Any, group_ids: set[int]) -> Any:
        """Managers see the requests of the agents they manage (their department subtree)."""
        me = access.me()
        if me is None:
            return query.filter(False)
        ids = [u.id for u in db.session.query(User).filter(User.company_id == me.company_id)
               if manages_agent(me, u)]
        return query.filter(StatusRequest.user_id.in_(ids))

    def _decide(self, ids: list[str], approve: bool) -> None:
        actor = access.me()
        pks = [pk for pk in (parse_pk(i) for i in ids) if pk is not None]
        if actor is None or not pks:
            return
        done = 0
        for pk in pks:
            try:
                check_decide(actor, {"request_id": pk}, approve)
                done += 1
            except Exception as exc:  # noqa: BLE001 - reported, the others still decided
                report_failure(None, exc)
        if done:
            text = _l("Approved %(n)s request(s).", n=done) if approve else _l(
                "Rejected %(n)s request(s).", n=done)
            flash(str(text), "success")

    @action("approve", _l("Approve"), _l("Approve the selected status changes?"))
    def action_approve(self, ids: list[str]) -> None:
        """Approve the selected pending requests: the agents' statuses change."""
        self._decide(ids, True)

    @action("reject", _l("Reject"), _l("Reject the selected status changes?"))
    def action_reject(self, ids: list[str]) -> None:
        """Reject the selected pending requests: the agents are told 状态切换被管理员驳回."""
        self._decide(ids, False)


class ForceOfflineAction:
    """The agents list's 强制下线 action (owners/admins; each one audit-logged)."""

    get_query: Any

    def is_action_allowed(self, name: str) -> bool:
        """Managers read the agents list but do not force anyone offline."""
        if name == "force_offline" and not access.is_admin():
            return False
        return bool(super().is_action_allowed(name))  # type: ignore[misc]

    @action("force_offline", _l("Force offline"), _l("Set the selected agents offline now?"))
    def action_force_offline(self, ids: list[str]) -> None:
        """Force the selected agents offline; their open chats follow the offline setting."""
        actor = access.me()
        pks = [pk for pk in (parse_pk(i) for i in ids) if pk is not None]
        if actor is None or not pks:
            return
        done = 0
        for agent in self.get_query().filter(User.id.in_(pks)).all():
            try:
                check_force_offline(actor, agent.id)
                done += 1
            except Exception as exc:  # noqa: BLE001 - reported, the others still forced
                report_failure(None, exc)
        if done:
            flash(str(_l("Forced %(n)s agent(s) offline.", n=done)), "success")
