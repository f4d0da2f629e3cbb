"""The explainer (plain Python) and durable-rules agree on random rulesets and facts.

The routing point has every fact type (number, text, enum, ref, bool, tags). Rulesets are random
but valid: 1-8 rules, random enabled/continue flags, nested all/any/none groups, every operator
each fact type allows, edge values (0, negatives, floats, thresholds, Chinese and "$" text, refs
as ints and as strings). Facts have each field present, missing or of the wrong type.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kefu.rules import Engine, RuleError, decide, get_point, validate_ruleset
from kefu.rules.compiler import FIELD_BUDGET, STACK_BUDGET, Compiled, compile_ruleset, groups, stack_need
from kefu.rules.conditions import VALUE_KIND
from kefu.rules.decision import coerce_facts
from kefu.rules.explain import explain, matching_indexes
from kefu.rules.points import FactSpec

POINT = get_point("routing")
ENGINE = Engine()  # one per process, as in production; it unloads old rulesets by itself

NUMBERS = [0, 0.0, -0.0, 1, -1, 2, 3, 5, 2.5, -2.5, 0.1, 0.2, 0.30000000000000004, 0.3, 1e-05, 1e-07]
NUMBERS += [1e15, -1e15, 123456.789, 10, 17, 18, 2**52 + 1]
TEXTS = ["a", "A", "abc", "ABC def", "中文", "退款", "我要退款 refund", "$x", "$", "%d+", ".*", 'a"b']
TEXTS += ["back\\slash", "ß", "SS", "İ", "x\x00y", " ", "\n", "vip", "VIP", "tag1", "http://a.b/c?d=1"]
REFS = [1, 2, 3, 5, 2**53, "1", "2", "5", "a", "A", "$1", " x", "中文组", "售后"]


def numbers() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(NUMBERS),
        st.integers(-20, 20),
        st.floats(-1e15, 1e15, allow_nan=False, allow_infinity=False),
    )


def texts() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(TEXTS), st.text(min_size=1, max_size=6))


def scalar(spec: FactSpec) -> st.SearchStrategy[Any]:
    """A valid single value for a condition on this fact."""
    if spec.type == "number":
        return numbers()
    if spec.type in ("text", "tags"):
        return texts()
    if spec.type == "enum":
        return st.sampled_from([c[0] for c in spec.choices])
    return st.sampled_from(REFS)


@st.composite
def leaf(draw: st.DrawFn) -> dict[str, Any]:
    spec = draw(st.sampled_from(POINT.facts))
    op = draw(st.sampled_from(spec.ops))
    kind = VALUE_KIND[op]
    out: dict[str, Any] = {"field": spec.name, "op": op}
    if kind == "scalar":
        out["value"] = draw(scalar(spec))
    elif kind == "list":
        out["value"] = draw(st.lists(scalar(spec), min_size=1, max_size=4))
    elif kind == "text":
        out["value"] = draw(texts())
    return out


def condition(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    return leaf() if depth == 0 else st.one_of(leaf(), group(depth))


def group(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(
        st.sampled_from(["all", "any", "none"]),
        st.lists(condition(depth - 1), min_size=1, max_size=4),
    ).map(lambda t: {t[0]: t[1]})


ACTIONS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "route": st.fixed_dictionaries({"group": st.sampled_from(REFS)}),
    "strategy": st.fixed_dictionaries(
        {"strategy": st.sampled_from(["least_saturation", "round_robin", "last_agent", "designated"])},
        optional={
            "hours": st.integers(1, 720),
            "agent": st.sampled_from(REFS),
            "fallback": st.booleans(),
        },
    ),
    "overflow": st.fixed_dictionaries(
        {
            "group": st.sampled_from(REFS),
            "when": st.sampled_from(["none_online", "all_saturated", "closed", "always"]),
        }
    ),
    "priority": st.fixed_dictionaries({"level": st.sampled_from(["high", "normal", "low"])}),
    "leave_message": st.just({}),
}


def wide() -> st.SearchStrategy[dict[str, Any]]:
    """An `any` group of many conditions (or a `none` of `all`s): wide branching in the engine."""
    return st.one_of(
        st.lists(leaf(), min_size=2, max_size=10).map(lambda c: {"any": c}),
        st.lists(st.lists(leaf(), min_size=2, max_size=3), min_size=1, max_size=2).map(
            lambda g: {"none": [{"all": c} for c in g]}
        ),
    )


@st.composite
def rule(draw: st.DrawFn, index: int, depth: int = 3) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(ACTIONS)), min_size=1, max_size=3, unique=True))
    out: dict[str, Any] = {
        "id": f"r{index}",
        "name": draw(st.sampled_from(["规则", "rule", "VIP 优先"])) + str(index),
        "when": draw(st.one_of(st.none(), group(depth), leaf()) if depth else wide()),
        "then": [{"action": n, "params": draw(ACTIONS[n])} for n in names],
    }
    for flag in ("enabled", "continue"):
        value = draw(st.sampled_from([None, True, False]))
        if value is not None:
            out[flag] = value
    return out


@st.composite
def rulesets(draw: st.DrawFn, min_rules: int = 1, max_rules: int = 8, depth: int = 3) -> dict[str, Any]:
    count = draw(st.integers(min_rules, max_rules))
    raw = {"rules": [draw(rule(i, depth)) for i in range(count)]}
    try:
        return validate_ruleset(POINT, raw)
    except RuleError:  # e.g. too many combinations of "any" groups: a valid ruleset is the premise
        assume(False)
        raise


def wrong(spec: FactSpec) -> st.SearchStrategy[Any]:
    """A value of the wrong type (or out of range) for this fact: it must count as missing."""
    common = [None, "", [], {}, True, "1", 1, 1.5]
    extra: dict[str, list[Any]] = {
        "number": [float("nan"), float("inf"), -float("inf"), 10**16, -(10**20), "5", True],
        "text": [5, ["a"], b"bytes", None],
        "enum": [5, ["web"], None],
        "ref": [0, -1, True, 2**53 + 1, "", "   ", "x" * 121, 1.0],
        "bool": [0, 1, "true", "false", None],
        "tags": ["vip", 5, None, {"a": 1}],
    }
    return st.sampled_from(common + extra[spec.type])


def good(spec: FactSpec) -> st.SearchStrategy[Any]:
    """A value of the right type, often equal to the values the rules use."""
    if spec.type == "number":
        return numbers()
    if spec.type == "text":
        return st.one_of(texts(), st.just(""), st.text(max_size=12))
    if spec.type == "enum":
        return st.sampled_from([c[0] for c in spec.choices] + ["", "WEB", "other", "$web"])
    if spec.type == "ref":
        return st.sampled_from(REFS)
    if spec.type == "bool":
        return st.booleans()
    return st.lists(st.one_of(texts(), st.just(""), st.integers(0, 3), st.just(None)), max_size=4)


@st.composite
def facts(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in POINT.facts:
        how = draw(st.sampled_from(["good", "good", "good", "missing", "wrong"]))
        if how == "good":
            out[spec.name] = draw(good(spec))
        elif how == "wrong":
            out[spec.name] = draw(wrong(spec))
    if draw(st.booleans()):
        out["not_a_fact"] = draw(st.sampled_from([1, "x", None]))
    return out


def check_shape(compiled: Compiled) -> None:
    """The compiled rulesets stay inside what durable-rules takes (see compiler.py)."""
    for chunk in compiled.chunks:
        conds = [body["all"][0]["m"] for key, body in chunk.body.items() if key != "end"]
        assert all(groups(c) <= 15 for c in conds)  # 31 expression slots, two per group
        needs = [stack_need(c) for c in conds]
        assert len(conds) == 1 or sum(w for w, _ in needs) + max(h - w for w, h in needs) <= STACK_BUDGET
        assert len(chunk.fields) + len(chunk.features) + 3 <= FIELD_BUDGET
    assert sum(chunk.count for chunk in compiled.chunks) == len(compiled.rules)


def check(definition: dict[str, Any], samples: list[dict[str, Any]]) -> None:
    compiled = compile_ruleset(POINT, definition)
    check_shape(compiled)
    for raw in [*samples, {}]:
        assert ENGINE.match(compiled, coerce_facts(POINT, raw)) == matching_indexes(POINT, definition, raw)
        got = decide(ENGINE, POINT, compiled, raw)
        want = explain(POINT, definition, raw)["decision"]
        assert got.actions == want["actions"]
        assert (got.rule_id, got.applied, got.matched) == (want["rule_id"], want["applied"], want["matched"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definition=rulesets(), samples=st.lists(facts(), min_size=1, max_size=4))
def test_engine_agrees_with_explainer(definition: dict[str, Any], samples: list[dict[str, Any]]) -> None:
    """durable-rules and the Python explainer find the same matching rules and the same decision."""
    check(definition, samples)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(definition=rulesets(30, 90, depth=0), samples=st.lists(facts(), min_size=1, max_size=2))
def test_large_rulesets_agree_across_chunks(
    definition: dict[str, Any], samples: list[dict[str, Any]]
) -> None:
    """Rulesets big enough to be split over several engine rulesets (chunks) still agree."""
    check(definition, samples)
