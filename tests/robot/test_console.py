"""Robots in the console (知识库 → 机器人设置): create, edit, one default, validated, chosen by a rule."""

from __future__ import annotations

from kefu.decisions.actions import check_publishable
from kefu.robot.actions import do_seed_robot
from kefu.robot.models import Robot

from ..admin.helpers import owner_client, page, rows, submit

FORM = {"name": "售后", "display_name": "售后小助手", "confident_score": "0.5", "suggest_score": "0.2",
        "keywords": "找人工\n 找人工 \nhuman", "transfer_after_unknown": "3", "enabled": "y",
        "show_transfer_button": "y"}


def test_owner_adds_a_robot_that_a_reception_rule_can_name(app, make):
    """A robot made in the console keeps tidy keywords, takes the default flag, and rules may pick it."""
    company = make.company()
    demo = do_seed_robot(company.id)
    client = owner_client(app, company)
    assert "小K" in page(client, "/admin/robots/")
    r = submit(client, "/admin/robots/new/", {**FORM, "is_default": "y"})
    assert r.status_code == 302
    [made] = rows(Robot, Robot.name == "售后")
    assert made.company_id == company.id and made.transfer_keywords == ["找人工", "human"]
    assert made.transfer_after_unknown == 3 and made.is_default
    assert not rows(Robot, Robot.id == demo.id)[0].is_default
    rule = {"rules": [{"id": "r", "name": "after-sales", "when": None,
                       "then": [{"action": "mode", "params": {"mode": "robot_first"}},
                                {"action": "robot", "params": {"robot": made.id}}]}]}
    canonical = check_publishable(company.id, "reception", rule)
    assert canonical["rules"][0]["then"][1]["params"] == {"robot": made.id}


def test_bad_robots_are_refused_with_a_reason(app, make):
    """A duplicate name or a suggestion score above the answer score is refused; nothing is saved."""
    company = make.company()
    do_seed_robot(company.id)
    client = owner_client(app, company)
    r = submit(client, "/admin/robots/new/?lang=en", {**FORM, "name": "小K"})
    assert r.status_code == 200 and "A robot with this name already exists" in r.get_data(as_text=True)
    r = submit(client, "/admin/robots/new/?lang=en", {**FORM, "suggest_score": "0.9"})
    assert r.status_code == 200 and "cannot exceed the answer score" in r.get_data(as_text=True)
    r = submit(client, "/admin/robots/new/", {**FORM, "confident_score": "2"})
    assert r.status_code == 200
    assert [x.name for x in rows(Robot, Robot.company_id == company.id)] == ["小K"]
