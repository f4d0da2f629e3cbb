"""The per-process rules runtime: publish takes effect at once, defaults, fallback, isolation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from kefu.decisions.actions import do_publish
from kefu.decisions.models import RuleFailure, RulesetVersion
from kefu.decisions.runtime import decide_for, engine, runtime
from kefu.extensions import db
from kefu.rules import POINTS, EngineError


def _rule(rule_id: str, when: dict[str, Any] | None, *then: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"id": rule_id, "name": rule_id, "when": when,
            "then": [{"action": a, "params": p} for a, p in then]}


def _vip(level: str, threshold: int = 2) -> dict[str, Any]:
    return {"rules": [_rule("vip", {"all": [{"field": "vip_level", "op": "gte", "value": threshold}]},
                            ("priority", {"level": level}))]}


def _failures(company_id: int) -> list[RuleFailure]:
    db.session.commit()
    return list(db.session.scalars(select(RuleFailure).where(RuleFailure.company_id == company_id)))


def test_publishing_changes_the_next_decision_at_once(make: Any) -> None:
    """A new version decides the very next call in this process (no recheck interval)."""
    company = make.company()
    first = do_publish(company.id, "routing", _vip("high"))
    decision = decide_for(company.id, "routing", {"vip_level": 3})
    assert decision.rule_id == "vip"
    assert (decision.get("priority", "level"), decision.version) == ("high", first.version)
    second = do_publish(company.id, "routing", _vip("low"))
    decision = decide_for(company.id, "routing", {"vip_level": 3})
    assert (decision.get("priority", "level"), decision.version) == ("low", second.version)
    assert second.version == first.version + 1
    # and a rollback-style republish of the first content is a new version deciding like the first
    third = do_publish(company.id, "routing", _vip("high"))
    decision = decide_for(company.id, "routing", {"vip_level": 3})
    assert (decision.get("priority", "level"), decision.version) == ("high", third.version)


def test_a_company_without_a_published_ruleset_gets_the_default_decision(
    app: Any, make: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """No shipped files, nothing published: every point answers its declared defaults."""
    monkeypatch.setitem(app.config, "KEFU_RULESETS_DIR", str(tmp_path))  # no shipped rulesets
    company = make.company()
    runtime().clear()  # ids restart with every test: drop what an earlier test cached
    for name, point in POINTS.items():
        decision = decide_for(company.id, name, {"vip_level": 5, "channel_type": "web"})
        assert decision.actions == point.defaults, name
        assert decision.rule_id is None and decision.version is None
        assert not decision.fallback and decision.error == ""
    assert _failures(company.id) == []


def test_an_engine_error_falls_back_counts_and_records(make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine raising gives the default decision, counted and stored with the version."""
    company = make.company()
    version = do_publish(company.id, "routing", _vip("high"))
    assert decide_for(company.id, "routing", {"vip_level": 3}).rule_id == "vip"

    def boom(*args: Any, **kwargs: Any) -> list[int]:
        raise EngineError("evaluation failed in test: boom")

    before = runtime().failures
    monkeypatch.setattr(engine(), "match", boom)
    decision = decide_for(company.id, "routing", {"vip_level": 3})
    assert decision.fallback and "boom" in decision.error
    assert decision.actions == POINTS["routing"].defaults and decision.version == version.version
    assert runtime().failures == before + 1
    [failure] = _failures(company.id)
    assert failure.point == "routing" and failure.version == version.version and "boom" in failure.error


def test_a_corrupt_stored_definition_falls_back(make: Any) -> None:
    """A stored version that no longer compiles (edited in the database) falls back too."""
    company = make.company()
    version = do_publish(company.id, "routing", _vip("high"))
    db.session.execute(update(RulesetVersion).where(RulesetVersion.id == version.id)
                       .values(definition={"rules": [{"id": "x", "when": {"bogus": 1}}]}))
    db.session.commit()
    runtime().forget(company.id, "routing")
    before = runtime().failures
    decision = decide_for(company.id, "routing", {"vip_level": 3})
    assert decision.fallback and decision.actions == POINTS["routing"].defaults
    assert runtime().failures == before + 1
    assert len(_failures(company.id)) == 1


def test_a_rule_failure_does_not_lose_the_conversation(make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the engine failing, a visitor's first message still opens a routed conversation."""
    from kefu.conversations.actions import check_visitor_message
    from kefu.conversations.models import Conversation
    from kefu.visitors.token import verify

    desk = make.desk()
    do_publish(desk.company.id, "routing", _vip("high", 0))

    def boom(*args: Any, **kwargs: Any) -> list[int]:
        raise EngineError("boom")

    monkeypatch.setattr(engine(), "match", boom)
    message, _ = check_visitor_message(verify(desk.token), {"text": "你好"})
    conv = db.session.get(Conversation, message.conversation_id, populate_existing=True)
    assert conv is not None and conv.status == "active" and conv.agent_id == desk.agent.id
    failures = _failures(desk.company.id)
    assert failures and all(f.conversation_id == conv.id for f in failures)


def test_missing_or_mistyped_facts_never_crash(make: Any) -> None:
    """Missing facts take the operators' meaning on a missing value; wrong types count as missing."""
    company = make.company()
    group = make.group(company)
    rules = [
        _rule("unknown_vip", {"all": [{"field": "vip_level", "op": "missing"}]},
              ("priority", {"level": "low"})),
        _rule("mixed", {"all": [
            {"field": "page_url", "op": "not_contains", "value": "/cart"},
            {"field": "tags", "op": "has_none", "value": ["spam"]},
            {"field": "channel_type", "op": "ne", "value": "line"},
            {"any": [{"field": "queue_length", "op": "lt", "value": 3},
                     {"none": [{"field": "returning", "op": "is_true"}]}]},
        ]}, ("route", {"group": group.id})),
    ]
    do_publish(company.id, "routing", {"rules": rules})
    before = runtime().failures
    assert decide_for(company.id, "routing", {}).rule_id == "unknown_vip"
    junk = {"vip_level": "high", "tags": "not-a-list", "page_url": 5, "returning": "yes",
            "queue_length": None, "channel_type": ["web"], "nonsense": object(), "hour": float("nan")}
    assert decide_for(company.id, "routing", junk).rule_id == "unknown_vip"
    decision = decide_for(company.id, "routing", {"vip_level": 1})
    assert decision.rule_id == "mixed" and decision.get("route", "group") == group.id
    assert decide_for(company.id, "routing", {"vip_level": 1, "tags": ["SPAM"]}).rule_id is None
    assert runtime().failures == before


def test_one_companys_rules_never_decide_for_another(make: Any) -> None:
    """Two companies, same facts: each gets its own rules and version, even with identical content."""
    a, b = make.company(), make.company()
    do_publish(a.id, "routing", _vip("high"))
    do_publish(b.id, "routing", _vip("low"))
    facts = {"vip_level": 4}
    assert decide_for(a.id, "routing", facts).get("priority", "level") == "high"
    assert decide_for(b.id, "routing", facts).get("priority", "level") == "low"
    # identical content shares one engine ruleset, but each company keeps its own version numbers
    do_publish(b.id, "routing", _vip("high"))
    last_b = do_publish(b.id, "routing", _vip("high", 3))
    last_a = do_publish(a.id, "routing", _vip("high", 3))
    assert last_a.version != last_b.version
    assert decide_for(a.id, "routing", facts).version == last_a.version
    assert decide_for(b.id, "routing", facts).version == last_b.version
    # a third company (only the shipped defaults) does not inherit either's rule
    c = make.company()
    decision = decide_for(c.id, "routing", facts)
    assert decision.rule_id != "vip" and decision.get("priority", "level") == "normal"
