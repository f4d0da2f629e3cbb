"""Validation: every problem names its rule (index and name) and says why, in Chinese and English."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.rules import RuleError, get_point, validate_ruleset
from kefu.rules.definition import (
    MAX_ALTERNATIVES,
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_GROUPS,
    MAX_NUMBER,
    Problem,
    alternatives,
)

ROUTING = get_point("routing")
LEAVE = [{"action": "leave_message"}]


def cond(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op} if value is None else {"field": field, "op": op, "value": value}


def problems(definition: dict[str, Any]) -> list[Problem]:
    with pytest.raises(RuleError) as caught:
        validate_ruleset(ROUTING, definition)
    assert caught.value.problems and str(caught.value)
    return caught.value.problems


def second_rule_problem(bad: dict[str, Any]) -> Problem:
    """Validate [a good rule, `bad` named "坏规则"]; return the one problem, checked to name rule 2."""
    definition = {
        "rules": [
            {"id": "ok", "name": "好规则", "when": cond("vip_level", "gte", 1), "then": LEAVE},
            {"id": "bad", "name": "坏规则", "when": None, "then": LEAVE, **bad},
        ]
    }
    (problem,) = problems(definition)
    rule_id = bad.get("id", "bad")
    shown = "坏规则" if "name" not in bad else rule_id  # a rule without a usable name shows its id
    assert (problem.rule_index, problem.rule_id) == (1, rule_id)
    assert problem.message("zh").startswith(f"规则 2「{shown}」：")
    assert problem.message("en").startswith(f"Rule 2 “{shown}”: ")
    assert problem.to_dict("en")["rule_index"] == 1 and problem.to_dict("en")["rule"] == rule_id
    return problem


CASES = [
    (
        "unknown_field",
        {"when": cond("shoe_size", "eq", 42)},
        "未知字段「shoe_size」",
        "unknown field “shoe_size”",
    ),
    (
        "bad_value",
        {"when": cond("vip_level", "gt", "三")},
        "VIP 等级」的值不对：应为数字",
        "“VIP level”: a number",
    ),
    ("bad_value", {"when": cond("skill_group", "eq", True)}, "技能组」的值不对：应选择一项", "pick an item"),
    (
        "bad_value",
        {"when": cond("page_url", "contains", "")},
        "应为不超过 500 字的文字",
        "at most 500 characters",
    ),
    ("bad_value", {"when": cond("channel_type", "eq", "fax")}, "应为以下之一：web, h5", "one of web, h5"),
    ("bad_value", {"when": cond("channel_type", "in", [])}, "应为非空列表", "a non-empty list"),
    ("bad_value", {"when": cond("returning", "is_true", 1)}, "此运算符不需要值", "takes no value"),
    ("bad_op", {"when": cond("returning", "gt", 1)}, "不能用运算符「gt」", "does not allow operator “gt”"),
    ("empty_group", {"when": {"all": []}}, "条件组不能为空", "a condition group cannot be empty"),
    (
        "empty_group",
        {"when": {"any": [cond("vip_level", "gt", 1), {"none": []}]}},
        "条件组不能为空",
        "cannot be empty",
    ),
    ("unknown_action", {"then": [{"action": "fly"}]}, "未知动作「fly」", "unknown action “fly”"),
    (
        "missing_param",
        {"then": [{"action": "route"}]},
        "动作「分配到技能组」缺少参数「技能组」",
        "is missing “Skill group”",
    ),
    (
        "bad_param",
        {"then": [{"action": "priority", "params": {"level": "urgent"}}]},
        "参数「优先级」不对：应为以下之一：high, normal, low",
        "has a wrong “Level”: one of high, normal, low",
    ),
    (
        "bad_param",
        {"then": [{"action": "strategy", "params": {"strategy": "round_robin", "hours": 0}}]},
        "应为 1–720 的整数",
        "a whole number from 1 to 720",
    ),
    (
        "unknown_param",
        {"then": [{"action": "leave_message", "params": {"x": 1}}]},
        "没有参数「x」",
        "has no parameter “x”",
    ),
    (
        "duplicate_action",
        {"then": [{"action": "leave_message"}, {"action": "leave_message"}]},
        "动作「转留言」重复",
        "“Offer leave-message” appears twice",
    ),
    ("no_actions", {"then": []}, "规则至少需要一个动作", "needs at least one action"),
    ("duplicate_id", {"id": "ok"}, "规则编号「ok」重复", "rule id “ok” is used twice"),
    ("bad_id", {"id": "有空格 的编号"}, "规则编号只能包含", "rule id may hold only"),
    ("no_name", {"name": "  "}, "规则需要名称", "the rule needs a name"),
    (
        "too_deep",
        {"when": {"all": [{"any": [{"all": [{"any": [{"all": [cond("vip_level", "gt", 1)]}]}]}]}]}},
        f"条件嵌套过深 (最多 {MAX_DEPTH} 层)",
        f"conditions nest too deep (at most {MAX_DEPTH} levels)",
    ),
    (
        "too_many_conditions",
        {"when": {"any": [cond("vip_level", "eq", n) for n in range(MAX_CONDITIONS + 1)]}},
        f"条件过多 (最多 {MAX_CONDITIONS} 个)",
        f"too many conditions (at most {MAX_CONDITIONS})",
    ),
    (
        "too_many_groups",
        {"when": {"all": [{"all": [cond("vip_level", "eq", n)]} for n in range(MAX_GROUPS)]}},
        f"条件组过多 (最多 {MAX_GROUPS} 个)",
        f"too many condition groups (at most {MAX_GROUPS})",
    ),
    (
        "too_many_alternatives",
        {"when": {"all": [{"any": [cond("vip_level", "eq", n), cond("hour", "eq", n)]} for n in range(7)]}},
        f"展开后有 128 种情形 (最多 {MAX_ALTERNATIVES} 种)",
        f"expand to 128 cases (at most {MAX_ALTERNATIVES})",
    ),
    ("bad_value", {"when": cond("vip_level", "gt", float("nan"))}, "应为数字", "a number"),
    ("bad_value", {"when": cond("vip_level", "lt", MAX_NUMBER * 10)}, "绝对值不超过 10^15", "at most 10^15"),
    ("bad_value", {"when": cond("skill_group", "eq", 2**60)}, "应选择一项", "pick an item"),
]


@pytest.mark.parametrize(("code", "bad", "zh", "en"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_problem_names_the_rule_and_says_why(code: str, bad: dict[str, Any], zh: str, en: str):
    """Each invalid definition gives one problem at rule 2 "坏规则", with a zh and an en reason."""
    problem = second_rule_problem(bad)
    assert problem.code == code
    assert zh in problem.message("zh"), problem.message("zh")
    assert en in problem.message("en"), problem.message("en")


def test_case_expecting_an_unknown_rule():
    """A case that expects a rule id the ruleset does not have is a problem naming the case and the rule."""
    definition = {
        "rules": [{"id": "a", "name": "A", "then": LEAVE}],
        "cases": [{"name": "VIP 客户", "facts": {"vip_level": 3}, "expect": {"rule": "nope"}}],
    }
    (problem,) = problems(definition)
    assert problem.code == "case_unknown_rule" and problem.rule_index is None
    assert problem.message("zh") == "用例「VIP 客户」期望的规则「nope」不存在"
    assert problem.message("en") == "case “VIP 客户” expects rule “nope”, which does not exist"


def test_every_problem_is_reported_at_once():
    """All problems of all rules are listed together, each at its own rule, in both languages."""
    definition = {
        "rules": [
            {"id": "a", "name": "A", "when": cond("nope", "eq", 1), "then": [{"action": "fly"}]},
            {"id": "b", "name": "B", "when": {"any": []}, "then": [{"action": "route"}]},
        ]
    }
    with pytest.raises(RuleError) as caught:
        validate_ruleset(ROUTING, definition)
    error = caught.value
    assert [(p.rule_index, p.code) for p in error.problems] == [
        (0, "unknown_field"),
        (0, "unknown_action"),
        (1, "empty_group"),
        (1, "missing_param"),
    ]
    assert error.messages("zh")[0] == "规则 1「A」：未知字段「nope」"
    assert error.messages("en")[2] == "Rule 2 “B”: a condition group cannot be empty"


@pytest.mark.parametrize(
    "definition",
    [None, [], "rules", {"rules": "x"}, {"rules": [1]}, {"rules": [{"id": "a", "name": "a", "when": 5}]}],
)
def test_malformed_definitions_are_problems_not_crashes(definition: Any):
    """Wrong shapes (not a mapping, rules not a list, a rule not a mapping...) are reported, not raised."""
    assert problems(definition)


def test_valid_definition_round_trips_to_canonical_form():
    """A valid definition comes back canonical (enabled=True, continue=False, values deduplicated), stably."""
    raw = {
        "name": "VIP",
        "rules": [
            {
                "name": "VIP 优先",
                "when": {
                    "all": [
                        cond("vip_level", "gte", 3),
                        {
                            "any": [
                                cond("channel_type", "in", ["web", "h5", "web"]),
                                cond("tags", "has", "vip"),
                            ]
                        },
                        {"none": [cond("returning", "is_false")]},
                    ]
                },
                "then": [
                    {"action": "route", "params": {"group": "售后"}},
                    {"action": "strategy", "params": {"strategy": "last_agent", "hours": 24, "agent": None}},
                ],
            },
            {"id": "off", "name": "关闭", "enabled": False, "continue": True, "when": {}, "then": LEAVE},
        ],
        "cases": [{"facts": {"vip_level": 3}, "expect": {"rule": "r1"}}],
    }
    canonical = validate_ruleset(ROUTING, raw)
    assert canonical == {
        "name": "VIP",
        "rules": [
            {
                "id": "r1",
                "name": "VIP 优先",
                "enabled": True,
                "continue": False,
                "when": {
                    "all": [
                        {"field": "vip_level", "op": "gte", "value": 3},
                        {
                            "any": [
                                {"field": "channel_type", "op": "in", "value": ["web", "h5"]},
                                {"field": "tags", "op": "has", "value": "vip"},
                            ]
                        },
                        {"none": [{"field": "returning", "op": "is_false"}]},
                    ]
                },
                "then": [
                    {"action": "route", "params": {"group": "售后"}},
                    {"action": "strategy", "params": {"strategy": "last_agent", "hours": 24}},
                ],
            },
            {
                "id": "off",
                "name": "关闭",
                "enabled": False,
                "continue": True,
                "when": None,
                "then": LEAVE_CANON,
            },
        ],
        "cases": [{"name": "case 1", "facts": {"vip_level": 3}, "expect": {"rule": "r1"}}],
    }
    assert validate_ruleset(ROUTING, canonical) == canonical


LEAVE_CANON = [{"action": "leave_message", "params": {}}]


def test_limits_are_inclusive():
    """Exactly MAX_CONDITIONS conditions, MAX_GROUPS groups, MAX_ALTERNATIVES cases, MAX_DEPTH levels pass."""
    pairs = [{"any": [cond("vip_level", "eq", n), cond("hour", "eq", n)]} for n in range(6)]  # 2**6 cases
    deep = {"all": [{"any": [{"all": [cond("vip_level", "gt", 1)]}]}]}  # with the root: 4 levels
    extra = [{"all": [cond("hour", "lt", 9)]}, {"any": [cond("hour", "gt", 20)]}]
    fill = [cond("visit_count", "ne", n) for n in range(MAX_CONDITIONS - 15)]
    when = {"all": [*pairs, deep, *extra, *fill]}
    assert (MAX_GROUPS, MAX_ALTERNATIVES, MAX_DEPTH) == (1 + 6 + 3 + 2, 2**6, 4)
    assert alternatives(when) == MAX_ALTERNATIVES
    validate_ruleset(ROUTING, {"rules": [{"name": "limit", "when": when, "then": LEAVE}]})


@pytest.mark.parametrize(
    ("when", "count"),
    [
        (cond("vip_level", "eq", 1), 1),
        ({"any": [cond("vip_level", "eq", 1), cond("hour", "eq", 1)]}, 2),
        ({"none": [cond("vip_level", "eq", 1), cond("hour", "eq", 1)]}, 1),
        ({"none": [{"all": [cond("vip_level", "eq", 1), cond("hour", "eq", 1)]}]}, 2),
        ({"none": [{"any": [cond("vip_level", "eq", 1), cond("hour", "eq", 1)]}]}, 1),
        ({"all": [{"any": [cond("vip_level", "eq", n) for n in range(3)]}] * 2}, 9),
        ({"any": [{"all": [cond("vip_level", "eq", n) for n in range(3)]}] * 2}, 2),
    ],
)
def test_alternatives_count_the_ways_a_condition_holds(when: dict[str, Any], count: int):
    """alternatives() is the number of terms of the condition's disjunctive normal form."""
    assert alternatives(when) == count
