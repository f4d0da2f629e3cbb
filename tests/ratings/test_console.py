"""The console's 满意度 pages: schemes through the real forms, refusals shown, ratings listed."""

from __future__ import annotations

from kefu.audit.models import AuditLog
from kefu.ratings.models import RatingScheme

from ..admin.helpers import client_for, field_errors, owner_client, page, problems, rows, submit
from .helpers import served
from .helpers import submit as rate

FORM = {"name": "售后方案", "scale": "stars5", "comment_mode": "required", "labels": "",
        "tags": "1: 态度差 / Rude\n5: 专业 / Expert", "ask_solved": "y",
        "invite_text_zh": "请评价", "thanks_text_zh": "谢谢"}


def test_owner_creates_global_and_group_schemes(app, make):
    """A global scheme and a group scheme are saved from the form, audited, and listed."""
    company = make.company()
    group = make.group(company, name="售后")
    client = owner_client(app, company)
    new_page = page(client, "/admin/rating_schemes/new/")
    assert "态度好" in new_page  # the form starts from the default tags
    r = submit(client, "/admin/rating_schemes/new/", FORM)
    assert r.status_code == 302, problems(r)
    r = submit(client, "/admin/rating_schemes/new/",
               {**FORM, "name": "g", "skill_group": str(group.id), "scale": "score10",
                "labels": "10: 完美 / Perfect", "tags": "0: 差"})
    assert r.status_code == 302, problems(r)
    saved = {s.name: s for s in rows(RatingScheme)}
    assert saved["售后方案"].skill_group_id is None and saved["售后方案"].comment_mode == "required"
    assert saved["售后方案"].tags == {"1": [{"zh": "态度差", "en": "Rude"}],
                                      "5": [{"zh": "专业", "en": "Expert"}]}
    assert saved["g"].skill_group_id == group.id and saved["g"].labels["10"]["en"] == "Perfect"
    assert rows(AuditLog, AuditLog.target_type == "RatingScheme")
    listing = page(client, "/admin/rating_schemes/")
    assert "售后方案" in listing and "售后" in listing
    edit = page(client, f"/admin/rating_schemes/edit/?id={saved['g'].id}")
    assert "10: 完美 / Perfect" in edit


def test_bad_scheme_is_refused_on_its_field(app, make):
    """A tag line for a score the scale lacks, or a second global scheme, is refused and explained."""
    company = make.company()
    client = owner_client(app, company)
    r = submit(client, "/admin/rating_schemes/new/?lang=en", {**FORM, "tags": "9: 差"})
    assert r.status_code == 200 and "This line is invalid: 9" in problems(r)
    assert rows(RatingScheme) == []
    assert submit(client, "/admin/rating_schemes/new/", FORM).status_code == 302
    r = submit(client, "/admin/rating_schemes/new/?lang=en", {**FORM, "name": "again"})
    assert r.status_code == 200 and "already exists" in problems(r)
    assert "taken" in field_errors(r.get_data(as_text=True))
    assert len(rows(RatingScheme)) == 1


def test_ratings_list_is_read_only_and_company_scoped(app, make):
    """Admins read the ratings with their tags and agent; agents cannot open the page."""
    d = make.desk()
    conv = served(d)
    rate(d, conv, score=4, tags=["态度好"], comment="耐心")
    other = make.desk()
    rate(other, served(other), score=1, comment="另一家")
    client = owner_client(app, d.company)
    listing = page(client, "/admin/ratings/")
    assert "耐心" in listing and "态度好" in listing and "另一家" not in listing
    assert client.get("/admin/ratings/new/").status_code in (302, 403, 404)
    agent = client_for(app, d.agent.email, "agent-pass-123")
    assert agent.get("/admin/ratings/").status_code in (302, 403)
