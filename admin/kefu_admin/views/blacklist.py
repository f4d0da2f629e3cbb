"""The blacklist (黑名单): who is kept away from agents, why, until when; lift (解除拉黑) from the list."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEmpty
from flask_babel import lazy_gettext as _l

from kefu.blacklist.actions import do_lift
from kefu.blacklist.models import BlacklistEntry
from kefu.timeutil import utcnow

from .. import access
from ..base import KefuModelView, parse_pk, report_failure
from ..labels import labels

DURATIONS = [("1d", _l("1 day")), ("7d", _l("7 days")), ("30d", _l("30 days")),
             ("permanent", _l("Permanent"))]


def state_of(entry: BlacklistEntry) -> str:
    """In force, expired or lifted, in the reader's language."""
    if entry.lifted_at is not None:
        return str(_l("Lifted"))
    if entry.is_active(utcnow()):
        return str(_l("In force"))
    return str(_l("Expired"))


def person(user: Any) -> str:
    """A user's shown name, or a dash."""
    return user.shown_name if user is not None else "—"


class BlacklistView(KefuModelView):
    """Read the company's blacklist and lift entries; entries are made from the workbench."""

    allow_create = False
    allow_edit = False
    allow_delete = False
    column_list = ["visitor", "reason", "duration", "expires_at", "state", "created_by", "created_at",
                   "lifted_at"]
    column_details_list = [*column_list, "lifted_by", "conversation_id"]
    column_labels = labels(visitor=_l("Visitor"), reason=_l("Reason for blacklisting"),
                           duration=_l("Duration"), expires_at=_l("Blacklisted until"),
                           state=_l("State"), created_by=_l("Blacklisted by"),
                           created_at=_l("Blacklisted at"), lifted_at=_l("Lifted at"),
                           lifted_by=_l("Lifted by"), conversation_id=_l("Conversation"))
    column_choices = {"duration": DURATIONS}
    column_formatters = {
        "visitor": lambda v, c, m, n: str(m.visitor),
        "state": lambda v, c, m, n: state_of(m),
        "created_by": lambda v, c, m, n: person(m.created_by),
        "lifted_by": lambda v, c, m, n: person(m.lifted_by),
    }
    column_searchable_list = ["reason"]
    column_filters = [FilterEmpty(BlacklistEntry.lifted_at, _l("Lifted"))]
    column_default_sort = ("created_at", True)
    column_sortable_list = ["created_at", "expires_at"]

    @action("lift", _l("Lift blacklisting"), _l("Lift the selected blacklistings?"))
    def action_lift(self, ids: list[str]) -> None:
        """解除拉黑 the selected entries (only the company's, only once; each audit-logged)."""
        actor = access.me()
        pks = [pk for pk in (parse_pk(i) for i in ids) if pk is not None]
        if actor is None or not pks:
            return
        entries = self.get_query().filter(BlacklistEntry.id.in_(pks)).all()
        lifted = 0
        for entry in entries:
            try:
                do_lift(actor, entry)
                lifted += 1
            except Exception as exc:  # noqa: BLE001 - reported, the others still lifted
                report_failure(None, exc)
        if lifted:
            flash(str(_l("Lifted %(n)s blacklisting(s).", n=lifted)), "success")

