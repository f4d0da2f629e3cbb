"""Shipped ruleset files: `kefu rules check`, loading on first run, export and import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from sqlalchemy import select

from kefu.decisions.models import Ruleset, RulesetVersion
from kefu.decisions.shipped import DEFAULT_DIR, dump, ensure_shipped, from_portable, to_portable
from kefu.extensions import db
from kefu.rules import POINTS
from kefu.rules.definition import RuleError

KEFU = [sys.executable, "-m", "kefu.cli"]


def test_rules_check_passes_on_every_shipped_file():
    """`kefu rules check` validates all four shipped files and runs their cases (CI runs this)."""
    out = subprocess.run(KEFU + ["rules", "check"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert '"ok": true' in out.stdout
    assert {p.stem for p in DEFAULT_DIR.glob("*.yaml")} == set(POINTS)


def test_rules_check_names_the_failing_case_and_the_bad_rule(tmp_path):
    """A file whose case fails, or whose rule is malformed, makes `kefu rules check` fail and say why."""
    data = yaml.safe_load((DEFAULT_DIR / "routing.yaml").read_text(encoding="utf-8"))
    data["cases"][0]["expect"]["rule"] = "vip_first"  # the off-hours case really hits off_hours
    (tmp_path / "routing.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    broken = {"point": "reception", "rules": [{"id": "x", "name": "坏规则",
              "when": {"all": [{"field": "vip_level", "op": "gte", "value": "high"}]},
              "then": [{"action": "greeting", "params": {"text": "hi"}}]}]}
    (tmp_path / "reception.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    out = subprocess.run(KEFU + ["rules", "check", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "非工作时间 Off hours" in out.stdout and "vip_first" in out.stdout
    assert "Rule 1" in out.stdout and "VIP level" in out.stdout


def test_every_new_company_starts_with_the_shipped_rulesets(make):
    """A new company has all four points published (v1, shipped); rules naming absent groups are skipped."""
    company = make.company()
    rows = db.session.execute(
        select(Ruleset.point, RulesetVersion.version, RulesetVersion.source, RulesetVersion.note,
               RulesetVersion.definition)
        .join(RulesetVersion, RulesetVersion.id == Ruleset.published_version_id)
        .where(Ruleset.company_id == company.id)
    ).all()
    assert {r.point for r in rows} == set(POINTS)
    assert all(r.version == 1 and r.source == "shipped" for r in rows)
    routing = next(r for r in rows if r.point == "routing")
    assert "vip_first" not in [rule["id"] for rule in routing.definition["rules"]]
    assert "skipped rule vip_first" in routing.note
    assert "off_hours" in [rule["id"] for rule in routing.definition["rules"]]


def test_shipped_rules_resolve_group_names_when_the_groups_exist(make):
    """With the named groups present, the VIP rule is kept and points at the company's VIP group id."""
    company = make.company()
    vip = make.group(company, "VIP 专席 VIP")
    make.group(company, "售后服务 Aftersales")
    assert "routing" in ensure_shipped(company.id, refresh=True)
    definition = db.session.scalar(
        select(RulesetVersion.definition)
        .join(Ruleset, Ruleset.published_version_id == RulesetVersion.id)
        .where(Ruleset.company_id == company.id, Ruleset.point == "routing"))
    vip_rule = next(r for r in definition["rules"] if r["id"] == "vip_first")
    assert {"action": "route", "params": {"group": vip.id}} in vip_rule["then"]


def test_export_then_import_round_trips_with_names(make):
    """Export writes group names (portable); importing into another company maps them to its own ids."""
    a, b = make.company(), make.company()
    ga = make.group(a, "VIP 专席 VIP")
    make.group(a, "售后服务 Aftersales")
    gb = make.group(b, "VIP 专席 VIP")
    make.group(b, "售后服务 Aftersales")
    ensure_shipped(a.id, refresh=True)
    published = db.session.scalar(
        select(RulesetVersion.definition)
        .join(Ruleset, Ruleset.published_version_id == RulesetVersion.id)
        .where(Ruleset.company_id == a.id, Ruleset.point == "routing"))
    portable = to_portable(a.id, "routing", published)
    text = dump("routing", portable)
    assert "VIP 专席 VIP" in text and f"group: {ga.id}\n" not in text
    loaded = yaml.safe_load(text)
    loaded.pop("point")
    imported, notes = from_portable(b.id, "routing", loaded)
    assert notes == []
    vip_rule = next(r for r in imported["rules"] if r["id"] == "vip_first")
    assert vip_rule["then"][0]["params"]["group"] == gb.id


def test_import_refuses_an_unknown_group_naming_the_rule(make):
    """Importing a file that names a group the company lacks is refused with the rule named."""
    company = make.company()
    raw = yaml.safe_load((DEFAULT_DIR / "routing.yaml").read_text(encoding="utf-8"))
    raw.pop("point")
    try:
        from_portable(company.id, "routing", raw)
    except RuleError as exc:
        message = exc.messages("en")[0]
        assert "VIP 优先" in message and "VIP 专席 VIP" in message and "does not exist" in message
    else:
        raise AssertionError("an unknown group name was accepted")


def test_cli_import_publishes_for_a_company(tmp_path, make):
    """`kefu rules import` publishes a file as the next version (through the same checks)."""
    import os


    company = make.company()
    db.session.commit()
    url = db.engine.url.render_as_string(hide_password=False)
    path = Path(tmp_path) / "reception.yaml"
    path.write_text(yaml.safe_dump({"point": "reception", "rules": [
        {"id": "hi", "name": "Hi", "then": [{"action": "greeting", "params": {"text": "Hi there"}}]}]},
        allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env.update({"KEFU_DATABASE_URL": url, "KEFU_SECRET_KEY": "x" * 40, "KEFU_INSTANCE_PATH": str(tmp_path)})
    out = subprocess.run(KEFU + ["rules", "import", "--company", company.slug, str(path)],
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "published reception v2" in out.stdout
    db.session.rollback()
    published = db.session.scalar(
        select(RulesetVersion.definition)
        .join(Ruleset, Ruleset.published_version_id == RulesetVersion.id)
        .where(Ruleset.company_id == company.id, Ruleset.point == "reception"))
    assert [r["id"] for r in published["rules"]] == ["hi"]
