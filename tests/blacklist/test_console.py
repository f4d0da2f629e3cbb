"""The console's blacklist page: admins read who is blacklisted and lift it (解除拉黑), audit-logged."""

from __future__ import annotations

from sqlalchemy import select

from kefu.audit.models import AuditLog
from kefu.blacklist.actions import check_blacklist
from kefu.blacklist.models import BlacklistEntry
from kefu.conversations.actions import check_visitor_message
from kefu.extensions import db
from kefu.visitors.token import verify

from ..admin.helpers import AGENT_PASSWORD, client_for, csrf_from, owner_client, page, rows


def _blacklisted(make, reason="辱骂客服"):
    d = make.desk()
    msg, _ = check_visitor_message(verify(d.token), {"text": "hi"})
    entry, _ = check_blacklist(d.agent, {"conversation_id": msg.conversation_id, "reason": reason,
                                         "duration": "30d"})
    return d, entry.id


def test_admin_reads_and_lifts_a_blacklisting(ctx, make):
    """The list shows reason, duration and state in Chinese; lifting marks it lifted and audits it."""
    d, entry_id = _blacklisted(make)
    client = owner_client(ctx, d.company)
    body = page(client, "/admin/blacklist/")
    assert "辱骂客服" in body and "30 天" in body and "生效中" in body and "解除拉黑" in body
    r = client.post("/admin/blacklist/action/", data={
        "csrf_token": csrf_from(body), "action": "lift", "rowid": [str(entry_id)]})
    assert r.status_code == 302
    (entry,) = rows(BlacklistEntry)
    assert entry.lifted_at is not None and entry.lifted_by_id is not None
    assert rows(AuditLog, AuditLog.action == "unblacklist")
    assert "已解除" in page(client, "/admin/blacklist/")
    # A replayed lift changes nothing.
    client.post("/admin/blacklist/action/", data={
        "csrf_token": csrf_from(body), "action": "lift", "rowid": [str(entry_id)]})
    assert len(rows(AuditLog, AuditLog.action == "unblacklist")) == 1


def test_other_companies_and_agents_cannot_lift(ctx, make):
    """Another company's admin does not see the entry and cannot lift it; agents cannot enter."""
    d, entry_id = _blacklisted(make, "mine")
    other = make.company()
    client = owner_client(ctx, other)
    body = page(client, "/admin/blacklist/")
    assert "mine" not in body
    client.post("/admin/blacklist/action/", data={
        "csrf_token": csrf_from(body), "action": "lift", "rowid": [str(entry_id)]})
    assert rows(BlacklistEntry)[0].lifted_at is None
    agent = client_for(ctx, d.agent.email, AGENT_PASSWORD)
    assert agent.get("/admin/blacklist/").status_code == 403
    db.session.rollback()
    assert db.session.scalars(select(BlacklistEntry)).one().lifted_at is None
