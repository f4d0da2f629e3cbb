"""Import and export of Q&A entries in the console: template, all-or-nothing import with a row report."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, request
from flask_admin import expose
from flask_babel import gettext
from flask_wtf.csrf import CSRFError, validate_csrf

from kefu.errors import KefuError
from kefu.i18n import current_lang
from kefu.knowledge.sheets import (
    COLUMNS,
    check_import_file,
    export_rows,
    max_bytes,
    template,
    to_csv,
    to_xlsx,
)
from kefu.timeutil import utcnow
from kefu.uploads import human_size

from .. import access
from ..base import report_failure

TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8"}


def _download(data: bytes, kind: str, name: str) -> Response:
    resp = Response(data, mimetype=TYPES[kind])
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


class ImportExportMixin:
    """Routes of a Q&A list: /import/, /template/<kind>/, /download/<kind>/ (the filtered list)."""

    @expose("/import/", methods=["GET", "POST"])
    def import_view(self) -> Any:
        """Upload an xlsx or csv file; either every row is imported or each bad row is reported."""
        view: Any = self
        problems: list[Any] = []
        if request.method == "POST":
            try:
                validate_csrf(request.form.get("csrf_token"))
                upload = request.files.get("file")
                if upload is None:
                    raise KefuError("knowledge_import_file", fields={"file": ["missing"]},
                                    limit=human_size(max_bytes()))
                data = upload.stream.read(max_bytes() + 1)
                entries, problems = check_import_file(access.actor_id(), access.company_id() or 0, data)
            except CSRFError:
                flash(gettext("The form expired; please try again."), "error")
            except Exception as exc:  # noqa: BLE001 - every failure is reported, nothing written
                report_failure(None, exc)
            else:
                if not problems:
                    flash(gettext("%(count)s entries imported.", count=len(entries)), "success")
                    return redirect(view.get_url(".index_view"))
                refusal = KefuError("knowledge_import", count=len(problems))
                flash(refusal.to_dict(current_lang())["error"]["message"], "error")
        return view.render("kefu_admin/knowledge_import.html", problems=problems, lang=current_lang(),
                           columns=COLUMNS)

    @expose("/template/<kind>/")
    def template_view(self, kind: str) -> Any:
        """The import template as xlsx or csv."""
        if kind not in TYPES:
            abort(404)
        return _download(template(kind), kind, "knowledge-template")

    @expose("/download/<kind>/")
    def download_view(self, kind: str) -> Any:
        """Export the list as filtered and searched on screen, in the import's format."""
        view: Any = self
        if kind not in TYPES:
            abort(404)
        args = view._get_list_extra_args()
        sort = view._get_column_by_idx(args.sort)
        _count, rows = view.get_list(0, sort[0] if sort else None, args.sort_desc, args.search,
                                     args.filters, page_size=0)
        table = export_rows(access.company_id() or 0, rows)
        data = to_xlsx(table) if kind == "xlsx" else to_csv(table)
        return _download(data, kind, f"knowledge-{utcnow():%Y%m%d-%H%M}")
