"""The durable-rules adapter and the decision on top of it: explicit behaviours and regressions."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from typing import Any

import pytest

from kefu.rules import Engine, EngineError, decide, get_point, validate_ruleset
from kefu.rules.compiler import STACK_BUDGET, compile_ruleset, groups, stack_need
from kefu.rules.decision import coerce_facts, default_decision, resolve
from kefu.rules.definition import MAX_ALTERNATIVES, MAX_CONDITIONS, MAX_DEPTH, MAX_GROUPS, alternatives
from kefu.rules.explain import explain, matching_indexes

ROUTING = get_point("routing")
ENGINE = Engine()


def rule(rule_id: str, when: Any = None, then: Any = None, **flags: Any) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": f"规则 {rule_id}",
        "when": when,
        "then": then or [{"action": "leave_message"}],
        **flags,
    }


def ruleset(*rules: dict[str, Any]) -> dict[str, Any]:
    return validate_ruleset(ROUTING, {"rules": list(rules)})


def cond(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op} if value is None else {"field": field, "op": op, "value": value}


def route(group: Any) -> dict[str, Any]:
    return {"action": "route", "params": {"group": group}}


def strategy(name: str) -> dict[str, Any]:
    return {"action": "strategy", "params": {"strategy": name}}


def match(definition: dict[str, Any], facts: dict[str, Any], engine: Engine = ENGINE) -> list[int]:
    """Match through the engine, and check the explainer agrees before returning."""
    got = engine.match(compile_ruleset(ROUTING, definition), coerce_facts(ROUTING, facts))
    assert got == matching_indexes(ROUTING, definition, facts)
    return got


# --- decisions ------------------------------------------------------------------------------


def test_first_match_wins():
    """Of two matching rules only the first decides; both are reported as matched."""
    definition = ruleset(
        rule("vip", cond("vip_level", "gte", 3), [route(1)]),
        rule("all", None, [route(2), {"action": "priority", "params": {"level": "low"}}]),
    )
    got = decide(ENGINE, ROUTING, compile_ruleset(ROUTING, definition), {"vip_level": 5})
    assert got.rule_id == "vip" and got.applied == ["vip"] and got.matched == ["vip", "all"]
    assert got.actions["route"] == {"group": 1}
    assert got.actions["priority"] == {"level": "normal"}  # the default, not the second rule's
    assert decide(ENGINE, ROUTING, compile_ruleset(ROUTING, definition), {"vip_level": 1}).rule_id == "all"


def test_continue_adds_only_unset_actions():
    """`continue` lets later matches add actions it left unset; the first setter of an action wins."""
    definition = ruleset(
        rule("a", cond("vip_level", "gte", 1), [strategy("round_robin")], **{"continue": True}),
        rule("skip", cond("vip_level", "lt", 0), [route(9)]),
        rule("b", None, [strategy("last_agent"), route(2)], **{"continue": True}),
        rule("c", None, [{"action": "priority", "params": {"level": "high"}}]),
        rule("d", None, [{"action": "leave_message"}]),
    )
    got = decide(ENGINE, ROUTING, compile_ruleset(ROUTING, definition), {"vip_level": 1})
    assert got.applied == ["a", "b", "c"]  # c does not continue, so d is not applied
    assert got.matched == ["a", "b", "c", "d"]
    assert got.actions == {
        "strategy": {"strategy": "round_robin"},
        "route": {"group": 2},
        "priority": {"level": "high"},
    }
    assert got.rule_id == "a"


def test_disabled_rules_never_match():
    """A disabled rule never matches, even with no conditions; indexes count enabled rules only."""
    definition = ruleset(
        rule("off", None, [route(1)], enabled=False),
        rule("on", cond("vip_level", "gte", 1), [route(2)]),
        rule("off2", cond("vip_level", "gte", 1), [route(3)], enabled=False),
    )
    assert match(definition, {"vip_level": 5}) == [0]
    got = decide(ENGINE, ROUTING, compile_ruleset(ROUTING, definition), {"vip_level": 5})
    assert got.rule_id == "on" and got.matched == ["on"] and got.actions["route"] == {"group": 2}
    assert explain(ROUTING, definition, {"vip_level": 5})["rules"][0]["matched"] is False


def test_defaults_fill_unset_actions():
    """The point's defaults fill every action no applied rule set, and never override one."""
    definition = ruleset(rule("r", None, [route(7), {"action": "priority", "params": {"level": "high"}}]))
    got = decide(ENGINE, ROUTING, compile_ruleset(ROUTING, definition), {})
    assert got.actions == {
        "route": {"group": 7},
        "priority": {"level": "high"},
        "strategy": {"strategy": "least_saturation"},
    }


def test_empty_ruleset_returns_defaults():
    """A ruleset without rules (or with only disabled ones) decides the defaults, through the engine."""
    for definition in (ruleset(), ruleset(rule("off", None, [route(1)], enabled=False))):
        compiled = compile_ruleset(ROUTING, definition)
        got = decide(ENGINE, ROUTING, compiled, {"vip_level": 3})
        assert got.actions == default_decision(ROUTING).actions == ROUTING.defaults
        assert got.rule_id is None and got.matched == [] and not got.fallback


MISSING_CASES = [
    # (condition, holds when the fact is missing or of the wrong type)
    (cond("vip_level", "eq", 0), False),
    (cond("vip_level", "ne", 0), True),
    (cond("vip_level", "gt", -1), False),
    (cond("vip_level", "gte", -1), False),
    (cond("vip_level", "lt", 100), False),
    (cond("vip_level", "lte", 100), False),
    ({"none": [cond("vip_level", "gt", -1)]}, True),
    ({"none": [cond("vip_level", "lte", 100)]}, True),
    (cond("vip_level", "exists"), False),
    (cond("vip_level", "missing"), True),
    (cond("channel_type", "eq", "web"), False),
    (cond("channel_type", "ne", "web"), True),
    (cond("channel_type", "in", ["web", "h5"]), False),
    (cond("channel_type", "not_in", ["web", "h5"]), True),
    (cond("skill_group", "eq", 1), False),
    (cond("skill_group", "ne", "1"), True),
    (cond("skill_group", "not_in", [1, "售后"]), True),
    (cond("page_url", "eq", "x"), False),
    (cond("page_url", "ne", "x"), True),
    (cond("page_url", "contains", "x"), False),
    (cond("page_url", "not_contains", "x"), True),
    (cond("page_url", "keywords", ["退款"]), False),
    (cond("returning", "is_true"), False),
    (cond("returning", "is_false"), False),
    ({"none": [cond("returning", "is_true")]}, True),
    (cond("tags", "has", "vip"), False),
    (cond("tags", "has_not", "vip"), True),
    (cond("tags", "has_all", ["vip"]), False),
    (cond("tags", "has_none", ["vip", "black"]), True),
    (cond("tags", "missing"), True),
]
WRONG_VALUES = {
    "vip_level": ["5", True, None, [], float("nan"), float("inf"), 10**16],
    "channel_type": [5, None, ["web"], True],
    "skill_group": [0, -1, True, "", "  ", 1.0, 2**53 + 1, None],
    "page_url": [5, ["x"], None, b"x"],
    "returning": [1, 0, "true", None],
    "tags": ["vip", 5, None, {"vip": 1}],
}


@pytest.mark.parametrize(("when", "expected"), MISSING_CASES)
def test_missing_or_wrong_typed_facts_count_as_missing(when: dict[str, Any], expected: bool):
    """A missing or wrong-typed fact never crashes and counts as missing: negatives hold, comparisons fail."""
    definition = ruleset(rule("r", when, [route(1)]))
    leaf = when if "field" in when else when["none"][0]
    for facts in [{}, {"other": 1}] + [{leaf["field"]: v} for v in WRONG_VALUES[leaf["field"]]]:
        assert match(definition, facts) == ([0] if expected else []), facts


# --- the engine's own limits ------------------------------------------------------------------


def test_thousands_of_evaluations_leave_no_live_state():
    """2,000 evaluations (past the engine's 1,024 live-sid limit) all answer right and leave 0 states."""
    engine = Engine()
    definition = ruleset(
        rule("hi", cond("queue_length", "gt", 10), [route(1)]),
        rule("vip", {"all": [cond("vip_level", "gte", 3), cond("tags", "has", "vip")]}, [route(2)]),
    )
    compiled = compile_ruleset(ROUTING, definition)
    for i in range(2000):
        facts = {"queue_length": i % 20, "vip_level": i % 5, "tags": ["vip"] if i % 3 else []}
        want = [j for j, ok in enumerate([i % 20 > 10, i % 5 >= 3 and i % 3 != 0]) if ok]
        assert engine.match(compiled, coerce_facts(ROUTING, facts)) == want, i
    assert engine.live_states() == 0


def test_concurrent_evaluations_from_four_threads():
    """Four threads evaluating (and loading rulesets) at once all get correct answers."""
    engine = Engine(keep=4)
    definitions = [
        ruleset(rule(f"t{t}", cond("vip_level", "gte", t), [route(t + 1)]), rule("any", None, [route(99)]))
        for t in range(4)
    ]
    errors: list[str] = []

    def work(t: int) -> None:
        compiled = compile_ruleset(ROUTING, definitions[t])
        for i in range(300):
            vip = (i + t) % 6
            got = engine.match(compiled, coerce_facts(ROUTING, {"vip_level": vip}))
            if got != ([0, 1] if vip >= t else [1]):
                errors.append(f"thread {t} vip {vip}: {got}")
            if i % 50 == 0:  # also load and unload other rulesets meanwhile
                other = ruleset(rule("x", cond("visit_count", "eq", t * 1000 + i)))
                engine.match(compile_ruleset(ROUTING, other), {"visit_count": t * 1000 + i})

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert engine.live_states() == 0


def test_reloading_keeps_at_most_keep_rulesets_loaded():
    """100 different rulesets through Engine(keep=8): at most 8 stay loaded, and answers stay right."""
    engine = Engine(keep=8)
    compiled = [
        compile_ruleset(ROUTING, ruleset(rule("r", cond("visit_count", "gte", n), [route(n + 1)])))
        for n in range(100)
    ]
    assert len({c.name for c in compiled}) == 100
    for n, c in enumerate(compiled):
        assert engine.match(c, {"visit_count": n}) == [0]
        assert engine.match(c, {"visit_count": n - 1}) == []
        assert len(engine.loaded()) <= 8
    assert engine.loads == 100 and engine.unloads == 92
    assert engine.loaded() == [c.name for c in compiled[-8:]]
    # an unloaded one loads again and still answers right
    assert engine.match(compiled[0], {"visit_count": 0}) == [0]
    assert engine.loaded()[-1] == compiled[0].name and len(engine.loaded()) == 8
    engine.unload(compiled[0].name)
    assert compiled[0].name not in engine.loaded()


def test_identical_rules_share_one_engine_ruleset():
    """Compiling the same rules twice gives the same versioned name; a change gives a new one."""
    a = compile_ruleset(ROUTING, ruleset(rule("r", cond("vip_level", "gte", 1))))
    b = compile_ruleset(ROUTING, ruleset(rule("r", cond("vip_level", "gte", 1))))
    c = compile_ruleset(ROUTING, ruleset(rule("r", cond("vip_level", "gte", 2))))
    assert a.name == b.name != c.name


def test_failing_action_raises_engine_error(monkeypatch: pytest.MonkeyPatch):
    """An exception inside an action (swallowed by durable-rules into the state) raises EngineError."""
    engine = Engine()
    host = engine._host
    original = host.get_action

    def get_action(name: str) -> Any:
        if name == "end":  # the catch-all keeps working, only rule actions fail
            return original(name)

        def boom(c: Any) -> None:
            raise RuntimeError("boom")

        return boom

    monkeypatch.setattr(host, "get_action", get_action)
    compiled = compile_ruleset(ROUTING, ruleset(rule("r", cond("vip_level", "gte", 1))))
    with pytest.raises(EngineError, match="boom"):
        engine.match(compiled, {"vip_level": 3})
    with pytest.raises(EngineError):
        decide(engine, ROUTING, compiled, {"vip_level": 3})
    assert engine.match(compiled, {"vip_level": 0}) == []  # no action ran: a plain answer
    assert engine.live_states() == 0


def test_unloadable_ruleset_raises_engine_error(monkeypatch: pytest.MonkeyPatch):
    """A definition durable-rules refuses raises EngineError, and nothing half-loaded stays behind."""
    engine = Engine()
    definition = ruleset(*(rule(f"r{n}", cond("vip_level", "gte", n)) for n in range(100)))
    compiled = compile_ruleset(ROUTING, definition)
    assert len(compiled.chunks) > 1
    compiled.chunks[-1].body["r099"]["all"][0]["m"]["$and"].append({"$nope": {"x": 1}})
    with pytest.raises(EngineError, match="could not load"):
        engine.match(compiled, {"vip_level": 1})
    assert engine.loaded() == [] and engine._host._ruleset_list == []


# --- regressions: each of these broke the first version of the adapter ------------------------


def test_first_evaluation_matching_nothing_does_not_crash():
    """Regression: deleting the state of an evaluation that ran no action segfaulted the process."""
    code = textwrap.dedent(
        """
        from kefu.rules import Engine, get_point, validate_ruleset
        from kefu.rules.compiler import compile_ruleset
        p = get_point("routing")
        d = validate_ruleset(p, {"rules": [{"id": "r", "name": "r", "when":
            {"field": "vip_level", "op": "eq", "value": 1}, "then": [{"action": "leave_message"}]}]})
        e = Engine()
        c = compile_ruleset(p, d)
        print(e.match(c, {"vip_level": 2}), e.match(c, {}), e.match(c, {"vip_level": 1}))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[] [] [0]"


def test_int_and_string_references_differ():
    """Regression: the engine compared the int 5 and the string "5" as equal; Python does not."""
    definition = ruleset(
        rule("int", cond("skill_group", "eq", 5)),
        rule("str", cond("skill_group", "eq", "5")),
        rule("ne", cond("skill_group", "ne", 5)),
        rule("name", cond("skill_group", "eq", '$售后 "a\\b"')),
    )
    assert match(definition, {"skill_group": 5}) == [0]
    assert match(definition, {"skill_group": "5"}) == [1, 2]
    assert match(definition, {"skill_group": '$售后 "a\\b"'}) == [2, 3]
    assert match(definition, {"skill_group": '$售后 "a\\b'}) == [2]


def test_numbers_written_with_an_exponent():
    """Regression: 1e-05 in a rule (or 1e-07 in a fact) made durable-rules refuse the JSON."""
    definition = ruleset(
        rule("tiny", cond("vip_level", "gt", 1e-05)),
        rule("huge", cond("vip_level", "lt", 1e15)),
        rule("neg", {"none": [cond("vip_level", "gte", -1e-05)]}),
        rule("eq", cond("vip_level", "eq", 0.30000000000000004)),
    )
    assert match(definition, {"vip_level": 1e-07}) == [1]
    assert match(definition, {"vip_level": 2e-05}) == [0, 1]
    assert match(definition, {"vip_level": -1e-04}) == [1, 2]
    assert match(definition, {"vip_level": 0.1 + 0.2}) == [0, 1, 3]
    assert match(definition, {"vip_level": 0.3}) == [0, 1]
    assert match(definition, {"vip_level": 1e15}) == [0]
    assert match(definition, {"vip_level": -0.0}) == [1]


def test_many_negative_conditions_in_one_rule():
    """Regression: each `ne` took a group of its own; 14 in one rule overflowed the 31 expression slots."""
    when = {"all": [cond("vip_level", "ne", n) for n in range(MAX_CONDITIONS)]}
    definition = ruleset(rule("r", when))
    assert match(definition, {"vip_level": 100}) == [0]
    assert match(definition, {}) == [0]
    assert match(definition, {"vip_level": 7}) == []


def test_many_rules_holding_at_once():
    """Regression: 65+ rules whose first conditions all held overflowed the engine's stack (then crashed)."""
    definition = ruleset(*(rule(f"r{n}", cond("vip_level", "gte", -n)) for n in range(200)))
    compiled = compile_ruleset(ROUTING, definition)
    assert len(compiled.chunks) > 1
    assert match(definition, {"vip_level": 0}) == list(range(200))
    assert match(definition, {"vip_level": -100}) == list(range(100, 200))


def test_facts_with_odd_strings_and_numbers():
    """Regression guards: NUL, quotes, surrogates and "$" in strings; huge and non-finite numbers."""
    definition = ruleset(
        rule("ch", cond("channel_type", "ne", "web")),
        rule("sg", cond("skill_group", "in", ["a\x00b", "\ud800"])),
        rule("v", {"none": [cond("vip_level", "gt", 0)]}),
    )
    assert match(definition, {"channel_type": "web\x00", "skill_group": "a\x00b", "vip_level": 1}) == [0, 1]
    assert match(definition, {"channel_type": "\ud800", "skill_group": "\ud800"}) == [0, 1, 2]
    assert match(definition, {"channel_type": "$web", "vip_level": 10**20}) == [0, 2]
    assert match(definition, {"channel_type": "web", "vip_level": float("-inf")}) == [2]


def _limit_rules() -> list[tuple[str, dict[str, Any]]]:
    """Conditions at the validator's limits, built from leaves that all hold for vip_level=5."""

    def leaf(n: int) -> dict[str, Any]:
        return cond("vip_level", "gte", -n)

    def pairs(start: int, count: int) -> list[dict[str, Any]]:
        return [{"any": [leaf(start + 2 * k), leaf(start + 2 * k + 1)]} for k in range(count)]

    rest = MAX_CONDITIONS - 12
    return [
        ("any", {"any": [leaf(n) for n in range(MAX_CONDITIONS)]}),
        ("all", {"all": [leaf(n) for n in range(MAX_CONDITIONS)]}),
        ("pairs", {"all": [*pairs(0, 6), *(leaf(100 + n) for n in range(rest))]}),  # 64 alternatives
        (
            "deep",  # MAX_DEPTH levels, MAX_GROUPS groups, MAX_CONDITIONS conditions
            {
                "any": [
                    {"all": [{"any": [{"all": [leaf(0), leaf(1)]}, leaf(2)]}, leaf(3)]},
                    {"none": [{"any": [{"all": [leaf(-10), cond("vip_level", "gt", 9)]}]}]},
                    *[{"all": [leaf(20 + 2 * k), leaf(21 + 2 * k)]} for k in range(5)],
                    *(leaf(40 + n) for n in range(MAX_CONDITIONS - 16)),
                ]
            },
        ),
        ("wide-none", {"none": [{"all": [leaf(-n - 1), leaf(-n - 100)]} for n in range(6)]}),
    ]


@pytest.mark.parametrize(("name", "when"), _limit_rules())
def test_rules_at_the_validators_limits_evaluate(name: str, when: dict[str, Any]):
    """A rule at MAX_CONDITIONS / MAX_GROUPS / MAX_ALTERNATIVES / MAX_DEPTH loads and evaluates right."""
    definition = ruleset(rule("limit", when), rule("other", cond("vip_level", "gte", -1)))
    compiled = compile_ruleset(ROUTING, definition)
    body = compiled.chunks[0].body["r000"]["all"][0]["m"]
    assert groups(body) <= 15  # the engine's 31 expression slots, two per group
    assert stack_need(body)[1] <= STACK_BUDGET  # fits a chunk of its own
    assert alternatives(definition["rules"][0]["when"]) <= MAX_ALTERNATIVES
    for vip in (5, -5, -1000, None):
        facts = {} if vip is None else {"vip_level": vip}
        match(definition, facts)  # asserts the engine agrees with the explainer
    assert match(definition, {"vip_level": 5})[-1] == 1
    if name in ("any", "all", "pairs"):
        assert match(definition, {"vip_level": 5}) == [0, 1]


def test_limits_are_what_the_engine_takes():
    """The validator's limits keep a rule under the engine's 15 groups and 64-entry matching stack."""
    assert MAX_GROUPS + 1 <= 15
    assert MAX_CONDITIONS + MAX_GROUPS + 1 <= STACK_BUDGET <= 64
    assert MAX_DEPTH <= MAX_GROUPS


def test_many_limit_rules_in_one_ruleset():
    """Thirty rules at the limits (each needs a chunk of its own) all hold together and agree."""
    whens = [when for _, when in _limit_rules()] * 6
    definition = ruleset(*(rule(f"r{n}", w) for n, w in enumerate(whens)))
    compiled = compile_ruleset(ROUTING, definition)
    assert len(compiled.chunks) >= 10
    assert match(definition, {"vip_level": 5})
    match(definition, {"vip_level": -3})


def test_resolve_uses_engine_indexes():
    """resolve() turns engine indexes (enabled rules only) into the right rule ids."""
    definition = ruleset(rule("off", None, enabled=False), rule("a"), rule("b"))
    compiled = compile_ruleset(ROUTING, definition)
    got = resolve(ROUTING, compiled.rules, ENGINE.match(compiled, {}))
    assert got.rule_id == "a" and got.matched == ["a", "b"]
