"""The audit log: who changed which setting, read-only."""

from __future__ import annotations

import json
from typing import Any

from flask_admin.contrib.sqla.filters import FilterEqual, FilterLike
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import false

from kefu.audit.models import AuditLog
from kefu.extensions import db
from kefu.org.models import User

from .. import access
from ..base import KefuModelView
from ..labels import labels

ACTIONS = [("create", _l("Create")), ("update", _l("Update")), ("delete", _l("Delete"))]


def actor_name(log: AuditLog) -> str:
    """Return who made the change ("system" for seeders and jobs)."""
    if log.actor_id is None:
        return str(_l("System"))
    actor = db.session.get(User, log.actor_id)
    return str(actor) if actor else f"#{log.actor_id}"


def changes_html(log: AuditLog) -> Markup:
    """Render the recorded changes as compact JSON."""
    text = json.dumps(log.changes or {}, ensure_ascii=False, sort_keys=True)
    return Markup("<code>{}</code>").format(escape(text))


class AuditLogView(KefuModelView):
    """Read-only list of recorded writes; operators see every company's."""

    allow_create = False
    allow_edit = False
    allow_delete = False
    column_list = ["created_at", "actor", "action", "target_type", "target_id", "changes"]
    column_details_list = column_list
    column_labels = labels(actor=_l("Actor"), action=_l("Action"), target_type=_l("Object"),
                           target_id=_l("Object id"), changes=_l("Changes"))
    column_choices = {"action": ACTIONS}
    column_formatters = {"actor": lambda v, c, m, n: actor_name(m),
                         "changes": lambda v, c, m, n: changes_html(m)}
    column_filters = [
        FilterEqual(AuditLog.action, _l("Action"), options=ACTIONS),
        FilterLike(AuditLog.target_type, _l("Object")),
    ]
    column_default_sort = ("created_at", True)
    column_sortable_list = ["created_at", "action", "target_type"]

    def is_accessible(self) -> bool:
        """Owners/admins of a company, and operators."""
        return access.is_admin() or access.is_operator()

    def scope(self, query: Any) -> Any:
        """Operators read everything; owners/admins their own company."""
        if access.is_operator():
            return query
        cid = access.company_id()
        if cid is None or not access.is_admin():
            return query.filter(false())
        return query.filter(AuditLog.company_id == cid)
