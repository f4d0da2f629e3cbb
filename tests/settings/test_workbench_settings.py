"""客服工作台设置: notification defaults and file limits are validated, saved per company, and
saving one settings page leaves the other page's switches alone."""

from __future__ import annotations

from kefu.settings.models import DEFAULT_FILE_TYPES, CompanySettings
from kefu.settings.queries import company_settings

from ..admin.helpers import AGENT_PASSWORD, client_for, fresh, owner_client, page, rows, submit

WB = "/admin/workbench_settings/"
CONV = "/admin/conversation_settings/"


def test_defaults_are_shown_and_saved_values_are_normalised(app, make):
    """The page shows the defaults; saved file types are lower-cased and de-duplicated."""
    company = make.company()
    client = owner_client(app, company)
    body = page(client, WB)
    assert 'name="notify_sound"' in body and "checked" in body and 'value="10"' in body
    assert company_settings(company.id).file_types == DEFAULT_FILE_TYPES
    form = {"recall_seconds": "120", "file_max_mb": "25",
            "file_types": " Image/PNG, application/pdf,image/png ", "notify_desktop": "y"}
    assert submit(client, WB, form).status_code == 302
    fresh()
    row = company_settings(company.id)
    assert (row.file_max_mb, row.file_types) == (25, "image/png,application/pdf")
    assert (row.notify_sound, row.notify_desktop, row.notify_on_message, row.visitor_files) == (
        False, True, False, False)


def test_bad_values_are_refused_with_the_field_named(app, make):
    """A size over 100 MB or a type list that is not MIME types is refused and nothing changes."""
    company = make.company()
    client = owner_client(app, company)
    for bad in ({"file_max_mb": "500", "file_types": "image/png"},
                {"file_max_mb": "5", "file_types": "png; <script>"}):
        r = submit(client, WB, {"recall_seconds": "120", **bad})
        assert r.status_code == 200 and "is-invalid" in r.get_data(as_text=True)
        assert "&lt;script&gt;" in r.get_data(as_text=True) or "500" in r.get_data(as_text=True)
    assert rows(CompanySettings, CompanySettings.company_id == company.id) == []


def test_the_two_pages_keep_each_others_switches(app, make):
    """Saving 会话设置 does not reset the recall window or the required summary, and vice versa."""
    company = make.company()
    client = owner_client(app, company)
    assert submit(client, WB, {"recall_seconds": "30", "summary_required": "y", "file_max_mb": "10",
                               "file_types": "image/png"}).status_code == 302
    assert submit(client, CONV, {"queue_max_length": "7", "queue_max_wait_seconds": "0",
                                 "presence_grace_seconds": "180", "offline_chats": "stay"}).status_code == 302
    fresh()
    row = company_settings(company.id)
    assert (row.recall_seconds, row.summary_required, row.queue_max_length) == (30, True, 7)


def test_agents_cannot_open_the_page(app, make):
    """Only owners and admins edit the workbench settings."""
    company = make.company()
    agent = make.user(company)
    assert client_for(app, agent.email, AGENT_PASSWORD).get(WB).status_code in (302, 403)
