"""会话设置: owners change the queue, status and satisfaction switches; bad values are refused."""

from __future__ import annotations

from kefu.audit.models import AuditLog
from kefu.settings.models import CompanySettings

from .helpers import AGENT_PASSWORD, client_for, owner_client, page, rows, submit

URL = "/admin/conversation_settings/"
GOOD = {"queue_max_length": "30", "queue_max_wait_seconds": "600", "queue_full_text": "排队已满，请留言",
        "queue_timeout_text": "", "presence_grace_seconds": "120", "offline_chats": "requeue",
        "status_approval": "y", "agents_see_ratings": "y"}


def test_defaults_shown_then_saved_and_audited(app, make):
    """A company without a row sees the defaults; saving stores one row, audited, shown again."""
    company = make.company()
    client = owner_client(app, company)
    assert 'value="180"' in page(client, URL)  # the 3-minute grace period by default
    r = submit(client, URL, GOOD)
    assert r.status_code == 302
    [row] = rows(CompanySettings, CompanySettings.company_id == company.id)
    assert (row.queue_max_length, row.queue_max_wait_seconds, row.offline_chats) == (30, 600, "requeue")
    assert row.status_approval and row.agents_see_ratings and not row.rating_on_close
    assert row.queue_full_text == "排队已满，请留言"
    assert rows(AuditLog, AuditLog.target_type == "CompanySettings")
    submit(client, URL, {**GOOD, "queue_max_length": "5"})
    assert [r.queue_max_length for r in rows(CompanySettings)] == [5]  # still one row


def test_bad_values_refused_with_the_field_named(app, make):
    """Out-of-range numbers and unknown choices are refused; nothing is saved."""
    company = make.company()
    client = owner_client(app, company)
    r = submit(client, URL, {**GOOD, "queue_max_length": "-1", "offline_chats": "vanish"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "is-invalid" in body
    assert rows(CompanySettings) == []
    r = submit(client, URL, GOOD, token=False)
    assert r.status_code == 200 and rows(CompanySettings) == []  # no CSRF token, no write


def test_agents_cannot_open_it(app, make):
    """An agent is refused the settings page."""
    company = make.company()
    agent = make.user(company)
    client = client_for(app, agent.email, AGENT_PASSWORD)
    assert client.get(URL).status_code in (302, 403)
