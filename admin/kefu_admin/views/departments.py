"""Departments: the company's tree that scopes what managers see."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import Form

from kefu.errors import ValidationFailed
from kefu.org.access import department_subtree
from kefu.org.models import Department

from ..base import KefuModelView, company_rows
from ..fields import StrictQuerySelectField
from ..labels import labels


def department_path(dep: Department) -> str:
    """Return "Root / Child / Leaf" for a department (guarding against loops)."""
    names: list[str] = []
    seen: set[int] = set()
    node: Department | None = dep
    while node is not None and node.id not in seen:
        seen.add(node.id)
        names.append(node.name)
        node = node.parent
    return " / ".join(reversed(names))


class DepartmentView(KefuModelView):
    """CRUD of the department tree."""

    column_list = ["name", "parent", "path", "created_at"]
    column_details_list = ["name", "parent", "path", "created_at"]
    column_labels = labels(path=_l("Path"))
    column_formatters = {"path": lambda v, c, m, n: department_path(m)}
    column_searchable_list = ["name"]
    column_default_sort = "name"
    form_columns = ["name", "parent"]
    form_overrides = {"parent": StrictQuerySelectField}
    form_args = {"parent": {"query_factory": company_rows(Department)}}

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """Refuse a parent that is the department itself or one of its descendants."""
        if created or model.parent is None:
            return
        if model.parent.id in department_subtree(model.company_id, model.id):
            raise ValidationFailed({"parent": [gettext("A department cannot sit under itself.")]})
