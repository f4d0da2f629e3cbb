"""Bad input and missing CSRF tokens are refused with messages, and nothing is written."""

from __future__ import annotations

from kefu.audit.models import AuditLog
from kefu.org.models import Department, SkillGroup, User, WorkSchedule

from .helpers import field_errors, owner_client, rows, submit


def test_post_without_csrf_token_writes_nothing(app, make):
    """A create, edit or delete POST without the form's token changes nothing."""
    company = make.company()
    group = make.group(company, name="keep-me")
    client = owner_client(app, company)
    r = submit(client, "/admin/departments/new/", {"name": "no-token"}, token=False)
    assert r.status_code == 200
    r = submit(client, f"/admin/skill_groups/edit/?id={group.id}", {"name": "renamed"},
                token=False)
    assert r.status_code == 200
    client.post("/admin/skill_groups/delete/", data={"id": str(group.id)})
    forged = submit(client, "/admin/departments/new/", {"name": "forged"}, token=False)
    assert forged.status_code == 200
    assert not rows(Department)
    assert [g.name for g in rows(SkillGroup)] == ["keep-me"]
    assert not rows(AuditLog, AuditLog.target_type == "Department")


def test_bad_capacity_shows_field_error(app, make):
    """max_concurrent "abc" or -1 shows an error on the field and creates no account."""
    company = make.company()
    client = owner_client(app, company)
    base = {"email": "cap@example.com", "name": "Cap", "role": "agent", "password": "long-pass-1",
            "status": "offline"}
    for bad in ("abc", "-1", ""):
        r = submit(client, "/admin/agents/new/?lang=en", {**base, "max_concurrent": bad})
        assert r.status_code == 200
        errors = field_errors(r.get_data(as_text=True))
        assert "integer" in errors or "between" in errors or "required" in errors, errors
    assert not rows(User, User.email == "cap@example.com")


def test_short_password_and_missing_password_rejected(app, make):
    """A new account without a password of 8+ characters is refused."""
    company = make.company()
    client = owner_client(app, company)
    base = {"email": "pw@example.com", "name": "Pw", "role": "agent", "max_concurrent": "3",
            "status": "offline"}
    for pw in ("", "short"):
        r = submit(client, "/admin/agents/new/", {**base, "password": pw})
        assert r.status_code == 200 and field_errors(r.get_data(as_text=True))
    assert not rows(User, User.email == "pw@example.com")


def test_invalid_schedule_json_shows_field_error(app, make):
    """Malformed or mis-shaped weekly hours are refused with a message on the field."""
    company = make.company()
    client = owner_client(app, company)
    cases = {
        '{"mon": [["09:00", "18:00"]': "Invalid JSON",
        '{"funday": [["09:00", "18:00"]]}': "Unknown day",
        '{"mon": [["09:00", "09:00"]]}': "must end after it starts",
        '{"mon": [["9am", "6pm"]]}': "HH:MM",
        '["mon"]': "Expected an object",
    }
    for weekly, message in cases.items():
        r = submit(client, "/admin/schedules/new/?lang=en", {
            "name": "bad", "timezone": "Asia/Shanghai", "weekly": weekly, "holidays": "[]",
            "workdays": "{}",
        })
        assert r.status_code == 200
        assert message in field_errors(r.get_data(as_text=True)), weekly
    r = submit(client, "/admin/schedules/new/?lang=en", {
        "name": "bad", "timezone": "Mars/Olympus", "weekly": "{}", "holidays": '["2026-13-01"]',
        "workdays": "{}",
    })
    errors = field_errors(r.get_data(as_text=True))
    assert "Unknown time zone" in errors and "list of dates" in errors
    assert not rows(WorkSchedule)


def test_invalid_json_in_channel_settings_rejected(app, make):
    """Bad channel JSON writes nothing, and the re-shown form does not echo the secret."""
    company = make.company()
    client = owner_client(app, company)
    for settings, secrets in (("[1, 2]", '{"token": "tok-SECRET"}'), ("{}", '{"token": 5}'),
                              ("{oops", "")):
        r = submit(client, "/admin/channels/new/", {
            "name": "bad", "kind": "web", "enabled": "y", "settings": settings,
            "secrets": secrets,
        })
        text = r.get_data(as_text=True)
        assert r.status_code == 200 and field_errors(text)
        assert "tok-SECRET" not in text
    from kefu.channels.models import Channel

    assert not rows(Channel)


def test_schedule_with_an_overnight_range_is_accepted(app, make):
    """Weekly hours such as Friday 22:00–02:00 (past midnight) are saved by the console."""
    company = make.company()
    client = owner_client(app, company)
    r = submit(client, "/admin/schedules/new/?lang=en", {
        "name": "night", "timezone": "Asia/Shanghai", "weekly": '{"fri": [["22:00", "02:00"]]}',
        "holidays": "[]", "workdays": "{}",
    })
    assert r.status_code == 302, field_errors(r.get_data(as_text=True))
    (row,) = rows(WorkSchedule)
    assert row.weekly == {"fri": [["22:00", "02:00"]]}
