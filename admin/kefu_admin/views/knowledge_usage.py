"""知识使用统计: searches, hit rate, the no-hit list and the robot's answers, as Plotly charts."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, flash, request
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kefu.errors import KefuError
from kefu.extensions import db
from kefu.i18n import current_lang
from kefu.knowledge.usage_stats import (
    DEFAULT_DAYS,
    EXPORT_LIMIT,
    Period,
    check_period,
    check_robot,
    no_hit_queries,
    usage_report,
)
from kefu.org.models import Company

from .. import access
from ..vendor import plotly_version
from .rules import STATIC

# Category shared with the knowledge console (知识库); same wording as its views.
KNOWLEDGE = _l("Knowledge base")
SOURCE_LABELS = {"agent": _l("Agents"), "robot": _l("Robot"), "visitor": _l("Visitors")}
OUTCOME_LABELS = {
    "answered": _l("Direct answer"), "suggested": _l("Did-you-mean suggestions"),
    "unknown": _l("Unknown answer"), "greeting": _l("Small talk: greeting"),
    "chitchat": _l("Small talk: chit-chat"), "transfer": _l("Transfer to human"),
}
REASON_LABELS = {
    "not_answered": _l("Did not answer my question"), "unclear": _l("Hard to understand"),
    "wrong": _l("Wrong answer"), "want_human": _l("I want a human agent"),
}
# A spreadsheet runs a cell that starts with one of these as a formula (csv injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Quote a cell a spreadsheet would otherwise evaluate."""
    return "'" + value if value.startswith(FORMULA_START) else value


class KnowledgeUsageView(BaseView):
    """The company's knowledge usage over a date range; managers, owners and admins read it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("category", KNOWLEDGE)
        super().__init__(static_folder=STATIC, static_url_path="/static", **kwargs)

    def is_accessible(self) -> bool:
        """Owners, admins and managers of a company (operators and agents have no access)."""
        if access.is_admin():
            return True
        return access.is_manager()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        """Log in, or 403."""
        return access.deny()

    def _period(self) -> tuple[int, Period, dict[str, Any]]:
        company_id = access.company_id()
        assert company_id is not None  # is_admin() / is_manager() imply a company
        company = db.session.get(Company, company_id)
        tz = company.timezone if company else "Asia/Shanghai"
        errors: dict[str, Any] = {}
        try:
            period = check_period(request.args, tz)
        except KefuError as exc:
            body = exc.to_dict(current_lang())["error"]
            errors = body.get("fields") or {}
            flash(body["message"], "error")
            period = check_period({}, tz)
        return company_id, period, errors

    def _robot(self, company_id: int, errors: dict[str, Any]) -> int | None:
        try:
            return check_robot(company_id, request.args)
        except KefuError as exc:
            body = exc.to_dict(current_lang())["error"]
            errors.update(body.get("fields") or {})
            flash(body["message"], "error")
            return None

    @expose("/")
    def index(self) -> Any:
        """Show the charts, the robot's figures and the no-hit list for the chosen dates."""
        from kefu.robot.models import Robot

        company_id, period, errors = self._period()
        robot_id = self._robot(company_id, errors)
        robots = db.session.scalars(select(Robot).where(Robot.company_id == company_id)
                                    .order_by(Robot.name, Robot.id)).all()
        report = usage_report(company_id, period, robot_id)
        robot = report["robot"]
        chart = {
            "days": report["search"]["days"],
            "per_source": {str(SOURCE_LABELS[k]): v for k, v in report["search"]["per_source"].items()},
            "hit_rate": report["search"]["hit_rate_per_day"],
            "hit_rate_label": str(_l("Hit rate")),
            "robot": {str(OUTCOME_LABELS[k]): v for k, v in robot["per_day"].items()},
            "searches_title": str(_l("Searches per day")),
            "robot_title": str(_l("Robot replies per day")),
        }
        reasons = [{"label": str(REASON_LABELS.get(r["reason"], r["reason"] or _l("(no reason given)"))),
                    "count": r["count"]} for r in robot["reasons"]]
        return self.render(
            "kefu_admin/knowledge_usage.html", report=report, robot=robot, period=period,
            errors=errors, chart=chart, reasons=reasons, source_labels=SOURCE_LABELS,
            outcome_labels=OUTCOME_LABELS, default_days=DEFAULT_DAYS,
            plotly_version=plotly_version(), robots=robots, robot_id=robot_id,
        )

    @expose("/no_hits.csv")
    def no_hits_csv(self) -> Any:
        """The no-hit list of the chosen dates as UTF-8 csv (with a BOM, so Excel reads Chinese)."""
        company_id, period, errors = self._period()
        rows = no_hit_queries(company_id, period, limit=EXPORT_LIMIT)
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([str(_l("Search words")), str(_l("Number of searches")), str(_l("Last searched"))])
        for row in rows:
            writer.writerow([safe_cell(row["query"]), row["count"],
                             row["last_seen"].strftime("%Y-%m-%d %H:%M")])
        name = f"no-hit-queries-{period.first.isoformat()}-{period.last.isoformat()}.csv"
        return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
