"""Operators create companies and list every account; company owners cannot."""

from __future__ import annotations

from kefu.audit.models import AuditLog
from kefu.org.models import Company, User
from kefu.org.passwords import verify_password

from .helpers import AGENT_PASSWORD, client_for, field_errors, owner_client, page, rows, submit


def test_operator_creates_company_through_console(app, make):
    """An operator creates a company and its owner, who can then log in to the console."""
    operator = make.user(None)
    client = client_for(app, operator.email, AGENT_PASSWORD)
    r = submit(client, "/admin/companies/new/", {
        "name": "新公司 Newco", "slug": "newco", "owner_email": "boss@newco.example",
        "owner_name": "Boss", "owner_password": "boss-pass-123",
    })
    assert r.status_code == 302
    company = rows(Company, Company.slug == "newco")[0]
    owner = rows(User, User.email == "boss@newco.example")[0]
    assert owner.company_id == company.id and owner.role == "owner"
    assert verify_password(owner.password_hash, "boss-pass-123")
    logs = rows(AuditLog, AuditLog.target_type == "Company")
    assert [log.actor_id for log in logs] == [operator.id]
    assert "新公司 Newco" in page(client, "/admin/companies/")
    assert "boss@newco.example" in page(client, "/admin/accounts/")
    boss = client_for(app, "boss@newco.example", "boss-pass-123")
    assert "新公司 Newco" in page(boss, "/admin/")


def test_duplicate_or_invalid_company_is_refused(app, make):
    """A taken slug or a bad slug shows a message on the form and creates nothing."""
    make.company("taken")
    operator = make.user(None)
    client = client_for(app, operator.email, AGENT_PASSWORD)
    base = {"name": "Other", "owner_email": "o@other.example", "owner_name": "O",
            "owner_password": "long-pass-1"}
    r = submit(client, "/admin/companies/new/?lang=en", {**base, "slug": "taken"})
    assert r.status_code == 200 and "already taken" in r.get_data(as_text=True)
    r = submit(client, "/admin/companies/new/", {**base, "slug": "Bad Slug!"})
    assert r.status_code == 200 and field_errors(r.get_data(as_text=True))
    assert [c.slug for c in rows(Company)] == ["taken"]
    assert not rows(User, User.email == "o@other.example")


def test_owner_cannot_open_operator_pages(app, make):
    """A company owner gets 403 on the companies and all-accounts pages."""
    company = make.company()
    client = owner_client(app, company)
    assert client.get("/admin/companies/").status_code == 403
    assert client.get("/admin/accounts/").status_code == 403
    r = client.post("/admin/companies/new/", data={"name": "x", "slug": "xx"})
    assert r.status_code == 403
    assert len(rows(Company)) == 1
