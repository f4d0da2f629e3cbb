"""The 知识使用统计 console page: who may open it, what it shows, the csv export, bad ranges."""

from __future__ import annotations

import csv
import io

from tests.admin.helpers import AGENT_PASSWORD, client_for, owner_client, page

from .helpers import search_row

RANGE = "from=2026-03-01&to=2026-03-03"


def test_owner_sees_figures_charts_legend_and_the_no_hit_list(app, make):
    """The page shows the counts, the chart containers, plotly.js served locally and the legend."""
    company, other = make.company(), make.company()
    search_row(company, "agent", "退款多久到账", 0, "2026-03-01T10:00")
    search_row(company, "robot", "退款多久到账", 0, "2026-03-01T16:30")
    search_row(company, "visitor", "发票", 2, "2026-03-02T01:00")
    search_row(other, "robot", "别家的问题", 0, "2026-03-02T02:00")
    html = page(owner_client(app, company), f"/admin/knowledge_usage/?{RANGE}&lang=zh")
    assert "知识使用统计" in html
    assert 'id="fig-searches"' in html and 'id="fig-hit-rate"' in html
    assert "33.3%" in html  # 1 of 3 searches found something
    assert "退款多久到账" in html and "别家的问题" not in html
    assert 'id="chart-searches"' in html and 'id="chart-robot"' in html
    assert "/admin/vendor/plotly.min.js" in html and "cdn" not in html.lower()
    assert 'id="usage-legend"' in html and "命中率" in html


def test_plotly_is_served_from_the_installed_package(app, make):
    """The script the page loads is plotly.js itself, from this server."""
    company = make.company()
    r = owner_client(app, company).get("/admin/vendor/plotly.min.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert b"plotly.js" in r.get_data()[:2000]


def test_managers_may_read_it_agents_and_operators_may_not(app, make):
    """Managers of the company open the page; an agent and a platform operator are refused."""
    company = make.company()
    manager, agent = make.user(company, role="manager"), make.user(company)
    operator = make.user(None, role="admin")
    url = "/admin/knowledge_usage/"
    assert client_for(app, manager.email, AGENT_PASSWORD).get(url).status_code == 200
    assert client_for(app, agent.email, AGENT_PASSWORD).get(url).status_code == 403
    assert client_for(app, operator.email, AGENT_PASSWORD).get(url).status_code == 403
    assert client_for(app, agent.email, AGENT_PASSWORD).get(url + "no_hits.csv").status_code == 403


def test_no_hit_list_exports_as_csv(app, make):
    """The csv has a BOM, a header, the company's queries by frequency, and no live formulas."""
    company, other = make.company(), make.company()
    search_row(company, "agent", "退款多久到账", 0, "2026-03-01T10:00")
    search_row(company, "robot", "退款多久到账", 0, "2026-03-01T16:30")
    search_row(company, "visitor", "=HYPERLINK(1)", 0, "2026-03-02T01:00")
    search_row(other, "robot", "别家的问题", 0, "2026-03-02T02:00")
    r = owner_client(app, company).get(f"/admin/knowledge_usage/no_hits.csv?{RANGE}&lang=en")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["Search words", "Number of searches", "Last searched"],
                    ["退款多久到账", "2", "2026-03-02 00:30"],
                    ["'=HYPERLINK(1)", "1", "2026-03-02 09:00"]]


def test_a_bad_range_is_explained_and_the_default_range_shown(app, make):
    """From after to: the page says why in the user's language and shows the last 30 days."""
    company = make.company()
    client = owner_client(app, company)
    html = page(client, "/admin/knowledge_usage/?from=2026-03-05&to=2026-03-01&lang=en")
    assert "Choose a valid date range" in html and "is-invalid" in html
    html = page(client, "/admin/knowledge_usage/?from=2026-03-05&to=2026-03-01&lang=zh")
    assert "请选择有效的日期范围" in html


def test_the_robot_picker_lists_own_robots_and_refuses_others(app, make):
    """The picker offers the company's robots only; another company's robot id is refused."""
    from kefu.extensions import db
    from kefu.robot.models import Robot

    company, other = make.company(), make.company()
    mine = Robot(company_id=company.id, name="售前机器人")
    theirs = Robot(company_id=other.id, name="别家机器人")
    db.session.add_all([mine, theirs])
    db.session.commit()
    client = owner_client(app, company)
    html = page(client, f"/admin/knowledge_usage/?{RANGE}&robot={mine.id}&lang=zh")
    assert "售前机器人" in html and "别家机器人" not in html and "全部机器人" in html
    assert f'value="{mine.id}" selected' in html
    html = page(client, f"/admin/knowledge_usage/?{RANGE}&robot={theirs.id}&lang=en")
    assert "Not found" in html and "别家机器人" not in html
