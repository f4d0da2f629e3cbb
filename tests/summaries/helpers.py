"""Test data for summaries: a category tree and the summary-required switch."""

from __future__ import annotations

from typing import Any

from kefu.settings.actions import do_save
from kefu.settings.queries import company_settings
from kefu.summaries.models import SummaryCategory


def tree(company: Any, *, disabled_type: bool = False) -> dict[str, int]:
    """Create 售前 (咨询, 报价, 活动) and 售后 (退货, 投诉[, 停用]) for a company; return ids by name."""
    ids: dict[str, int] = {}
    for unit, types in (("售前", ["咨询", "报价", "活动"]), ("售后", ["退货", "投诉"])):
        parent = do_save(None, SummaryCategory(company_id=company.id, name=unit, name_en=unit + "-en"),
                         created=True)
        ids[unit] = parent.id
        for n, name in enumerate(types):
            row = do_save(None, SummaryCategory(company_id=company.id, parent_id=parent.id, name=name,
                                                name_en=f"{name}-en", sort_order=n), created=True)
            ids[name] = row.id
    if disabled_type:
        row = do_save(None, SummaryCategory(company_id=company.id, parent_id=ids["售后"], name="停用",
                                            enabled=False), created=True)
        ids["停用"] = row.id
    return ids


def require_summary(company: Any, on: bool = True) -> None:
    """Turn the company's "summary required before closing" switch on or off."""
    row = company_settings(company.id)
    row.summary_required = on
    do_save(None, row, created=row.id is None)
