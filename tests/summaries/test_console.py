"""The console's summary categories (business unit → type), orders list and the required switch."""

from __future__ import annotations

from kefu.settings.queries import company_settings
from kefu.summaries.models import SummaryCategory

from ..admin.helpers import AGENT_PASSWORD, client_for, csrf_from, owner_client, page, rows
from .helpers import tree


def _new(client, **data):
    body = page(client, "/admin/summary_categories/new/")
    form = {"csrf_token": csrf_from(body), "name": "", "name_en": "", "sort_order": "0", "enabled": "y"}
    form.update(data)
    return client.post("/admin/summary_categories/new/", data=form)


def test_admin_builds_the_two_level_tree(ctx, make):
    """An admin adds a business unit and a type under it; a type under a type is refused (zh)."""
    company = make.company()
    client = owner_client(ctx, company)
    assert _new(client, name="售前", name_en="Pre-sales").status_code == 302
    (unit,) = rows(SummaryCategory)
    assert _new(client, name="咨询", name_en="Enquiry", parent=str(unit.id)).status_code == 302
    kind = rows(SummaryCategory, SummaryCategory.parent_id == unit.id)[0]
    refused = _new(client, name="更深", parent=str(kind.id))
    assert refused.status_code == 200  # the form comes back; the type is not a choice
    assert len(rows(SummaryCategory)) == 2
    body = page(client, "/admin/summary_categories/")
    assert "售前" in body and "咨询" in body and "Enquiry" in body


def test_other_companies_and_agents_do_not_see_categories(ctx, make):
    """Another company's admin sees none of the tree; an agent cannot open the page."""
    d = make.desk()
    tree(d.company)
    other = owner_client(ctx, make.company())
    assert "售前" not in page(other, "/admin/summary_categories/")
    agent = client_for(ctx, d.agent.email, AGENT_PASSWORD)
    assert agent.get("/admin/summary_categories/").status_code == 403
    assert agent.get("/admin/orders/").status_code == 403


def test_summary_required_switch_on_the_settings_page(ctx, make):
    """客服工作台设置 shows the switch; turning it on is saved for the company."""
    company = make.company()
    client = owner_client(ctx, company)
    body = page(client, "/admin/workbench_settings/")
    assert 'name="summary_required"' in body
    row = company_settings(company.id)
    form = {"csrf_token": csrf_from(body), "summary_required": "y", "recall_seconds": "120",
            "file_max_mb": str(row.file_max_mb), "file_types": row.file_types}
    assert client.post("/admin/workbench_settings/", data=form).status_code == 302
    from ..admin.helpers import fresh

    fresh()
    assert company_settings(company.id).summary_required


def test_admin_reads_saved_summaries_with_type_names(ctx, make):
    """服务总结记录 lists each chat's summary with its unit/type names and status in Chinese."""
    from kefu.conversations.actions import check_visitor_message
    from kefu.summaries.actions import check_save_summary
    from kefu.visitors.token import verify

    d = make.desk()
    ids = tree(d.company)
    msg, _ = check_visitor_message(verify(d.token), {"text": "hi"})
    check_save_summary(d.agent, {"conversation_id": msg.conversation_id, "type_ids": [ids["退货"]],
                                 "status": "following", "remark": "<script>x</script>"})
    body = page(owner_client(ctx, d.company), "/admin/summaries/")
    assert "售后 / 退货" in body and "跟进中" in body
    assert "<script>x</script>" not in body and "&lt;script&gt;" in body
