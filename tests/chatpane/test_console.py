"""Console: sensitive-word lists (CRUD) and the recall window on 客服工作台设置."""

from __future__ import annotations

from kefu.chatpane.models import SensitiveWord
from kefu.chatpane.words import matcher
from kefu.settings.models import CompanySettings

from ..admin.helpers import AGENT_PASSWORD, client_for, owner_client, page, rows, submit

WORDS = "/admin/sensitive_words/"
SETTINGS = "/admin/workbench_settings/"


def test_owner_adds_words_to_both_lists_and_repeats_are_refused(app, make):
    """An owner lists a word for agents and one for visitors; the same word twice in a list is refused."""
    company = make.company()
    client = owner_client(app, company)
    assert submit(client, WORDS + "new/", {"word": " 保证退款 ", "scope": "agent"}).status_code == 302
    assert submit(client, WORDS + "new/", {"word": "投诉", "scope": "visitor"}).status_code == 302
    saved = {(w.word, w.scope) for w in rows(SensitiveWord, SensitiveWord.company_id == company.id)}
    assert saved == {("保证退款", "agent"), ("投诉", "visitor")}
    r = submit(client, WORDS + "new/", {"word": "保证退款", "scope": "agent"})
    assert r.status_code == 200 and len(rows(SensitiveWord)) == 2
    assert matcher(company.id, "agent").first("我们保证退款") == "保证退款"
    listing = page(client, WORDS)
    assert "保证退款" in listing and "投诉" in listing


def test_lists_are_per_company_and_agents_cannot_edit(app, make):
    """Another company's owner does not see the words; an agent is refused the page."""
    a, b = make.company(), make.company()
    submit(owner_client(app, a), WORDS + "new/", {"word": "机密", "scope": "agent"})
    assert "机密" not in page(owner_client(app, b), WORDS)
    agent = make.user(a)
    assert client_for(app, agent.email, AGENT_PASSWORD).get(WORDS).status_code in (302, 403)


def test_recall_window_is_a_workbench_setting(app, make):
    """客服工作台设置 shows the 2-minute default and saves another window; out-of-range values are refused."""
    company = make.company()
    client = owner_client(app, company)
    assert 'value="120"' in page(client, SETTINGS)
    good = {"recall_seconds": "60", "file_max_mb": "10", "file_types": "image/png"}
    assert submit(client, SETTINGS, good).status_code == 302
    assert [r.recall_seconds for r in rows(CompanySettings)] == [60]
    r = submit(client, SETTINGS, {**good, "recall_seconds": "-5"})
    assert r.status_code == 200 and [r.recall_seconds for r in rows(CompanySettings)] == [60]
