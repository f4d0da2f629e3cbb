"""Validate a ruleset definition against its decision point, before the engine ever sees it.

A definition is plain JSON (stored in the database, written as YAML in `rulesets/`):
``{"rules": [{"id", "name", "enabled", "continue", "when": group, "then": [{"action", "params"}]}],
"cases": [{"name", "facts", "expect": {"rule", "actions"}}]}``; a group is
``{"all" | "any" | "none": [group or {"field", "op", "value"}]}``.
Every problem names its rule and says why, in Chinese and English.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from .conditions import OPS_BY_TYPE, VALUE_KIND
from .points import DecisionPoint, FactSpec, ParamSpec

MAX_RULES = 200
MAX_DEPTH = 4
# Limits of one rule's conditions, set by what durable-rules can evaluate (measured; see compiler.py
# and tests/rules/test_engine.py): each group takes two of the 31 expression slots a rule has, and
# the engine's matching stack (64) holds about one entry per condition plus one per "any" group.
MAX_CONDITIONS = 40
MAX_GROUPS = 12
# The engine runs a rule's action once per way its conditions can hold ("a or b" and "c or d"
# is four ways): more than this many makes one evaluation slow.
MAX_ALTERNATIVES = 64
MAX_NUMBER = 10**15  # numbers beyond this (or not finite) are refused in rules and missing in facts
MAX_REF_ID = 2**53
MAX_LIST = 100
MAX_TEXT = 500
GROUP_KEYS = ("all", "any", "none")
RULE_ID = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A picture the widget shows: https on any host, or this site's static files; no quotes, spaces,
# backslashes or parentheses (it may end up in CSS), so never javascript:, data: or //host.
SAFE_URL = re.compile(r"^(https://[A-Za-z0-9.\-]+(:[0-9]{1,5})?|/static)/[A-Za-z0-9._~/%\-+=&?#@!$,;:]*$")

MESSAGES: dict[str, tuple[str, str]] = {
    "shape": ("格式错误：{detail}", "malformed: {detail}"),
    "too_many_rules": ("规则过多 (最多 {max} 条)", "too many rules (at most {max})"),
    "bad_id": ("规则编号只能包含字母、数字、- 和 _", "rule id may hold only letters, digits, - and _"),
    "duplicate_id": ("规则编号「{id}」重复", "rule id “{id}” is used twice"),
    "no_name": ("规则需要名称", "the rule needs a name"),
    "empty_group": ("条件组不能为空", "a condition group cannot be empty"),
    "too_deep": ("条件嵌套过深 (最多 {max} 层)", "conditions nest too deep (at most {max} levels)"),
    "too_many_conditions": ("条件过多 (最多 {max} 个)", "too many conditions (at most {max})"),
    "too_many_groups": ("条件组过多 (最多 {max} 个)", "too many condition groups (at most {max})"),
    "too_many_alternatives": (
        "条件组合过多：展开后有 {count} 种情形 (最多 {max} 种)，请减少「任一」组的嵌套",
        "too many combinations: the conditions expand to {count} cases (at most {max});"
        " nest fewer “any” groups",
    ),
    "unknown_field": ("未知字段「{field}」", "unknown field “{field}”"),
    "bad_op": ("字段「{field}」不能用运算符「{op}」", "field “{field}” does not allow operator “{op}”"),
    "bad_value": ("字段「{field}」的值不对：{expected}", "wrong value for “{field}”: {expected}"),
    "no_actions": ("规则至少需要一个动作", "the rule needs at least one action"),
    "unknown_action": ("未知动作「{action}」", "unknown action “{action}”"),
    "duplicate_action": ("动作「{action}」重复", "action “{action}” appears twice"),
    "missing_param": ("动作「{action}」缺少参数「{param}」", "action “{action}” is missing “{param}”"),
    "bad_param": (
        "动作「{action}」的参数「{param}」不对：{expected}",
        "action “{action}” has a wrong “{param}”: {expected}",
    ),
    "unknown_param": ("动作「{action}」没有参数「{param}」", "action “{action}” has no parameter “{param}”"),
    "dangling_ref": ("{kind}「{value}」不存在或已删除", "{kind} “{value}” does not exist or was deleted"),
    "case_failed": ("用例「{case}」未通过：{detail}", "case “{case}” failed: {detail}"),
    "case_unknown_rule": (
        "用例「{case}」期望的规则「{rule}」不存在",
        "case “{case}” expects rule “{rule}”, which does not exist",
    ),
}
EXPECTED: dict[str, tuple[str, str]] = {
    "number": ("应为数字 (绝对值不超过 10^15)", "a number (at most 10^15 in size) is expected"),
    "text": ("应为文字", "text is expected"),
    "short_text": ("应为不超过 {max} 字的文字", "text of at most {max} characters is expected"),
    "list": ("应为非空列表 (最多 {max} 项)", "a non-empty list (at most {max} items) is expected"),
    "choice": ("应为以下之一：{choices}", "one of {choices} is expected"),
    "ref": ("应选择一项", "pick an item"),
    "none": ("此运算符不需要值", "this operator takes no value"),
    "bool": ("应为是/否", "yes or no is expected"),
    "int": ("应为 {min}–{max} 的整数", "a whole number from {min} to {max} is expected"),
    "color": ("应为 #rrggbb 格式的颜色，如 #1677ff", "a colour like #1677ff is expected"),
    "url": (
        "应为 https:// 开头或本站 /static/ 下的地址 (最多 {max} 字)",
        "an https:// address or a /static/ path of this site (at most {max} characters) is expected",
    ),
}
KIND_LABELS = {
    "skill_group": ("技能组", "skill group"),
    "channel": ("渠道", "channel"),
    "agent": ("客服", "agent"),
    "robot": ("机器人", "robot"),
}


@dataclass
class Problem:
    """One reason a definition cannot be published, located at a rule (or a case)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    rule_index: int | None = None
    rule_id: str = ""
    rule_name: str = ""
    path: str = ""

    def message(self, lang: str = "zh") -> str:
        """Say where and why, in the given language."""
        zh, en = MESSAGES[self.code]
        text = (en if lang == "en" else zh).format(**{k: _localize(v, lang) for k, v in self.params.items()})
        if self.rule_index is None:
            return text
        where = (
            f"Rule {self.rule_index + 1} “{self.rule_name or self.rule_id}”: "
            if lang == "en"
            else f"规则 {self.rule_index + 1}「{self.rule_name or self.rule_id}」："
        )
        return where + text

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule_id,
            "rule_index": self.rule_index,
            "path": self.path,
            "message": self.message(lang),
        }


def _localize(value: Any, lang: str) -> Any:
    if isinstance(value, tuple) and len(value) == 2:  # (zh, en)
        return value[1] if lang == "en" else value[0]
    return value


def expected(kind: str, **fmt: Any) -> tuple[str, str]:
    zh, en = EXPECTED[kind]
    return zh.format(**fmt), en.format(**fmt)


class RuleError(ValueError):
    """A definition that cannot be published; `problems` says which rule and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message("en") for p in problems))
        self.problems = problems

    def messages(self, lang: str = "zh") -> list[str]:
        return [p.message(lang) for p in self.problems]


def is_number(value: Any) -> bool:
    """A finite number of at most MAX_NUMBER in size (not a bool)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= MAX_NUMBER
    )


def is_ref(value: Any) -> bool:
    """A reference is a database id, or a name in a portable (exported) file."""
    return (isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_REF_ID) or (
        isinstance(value, str) and 0 < len(value.strip()) <= 120
    )


def alternatives(node: dict[str, Any], negate: bool = False) -> int:
    """Count the ways a condition tree can hold: the terms of its disjunctive normal form."""
    for key in GROUP_KEYS:
        if key in node:
            inner = not negate if key == "none" else negate
            counts = [alternatives(c, inner) for c in node[key]]
            conjunction = (key == "any") == negate  # all / none / negated any: every child holds
            return math.prod(counts) if conjunction else sum(counts)
    return 1


def count_groups(node: dict[str, Any]) -> int:
    """Count the all/any/none groups of a condition tree."""
    for key in GROUP_KEYS:
        if key in node:
            return 1 + sum(count_groups(c) for c in node[key])
    return 0


def check_scalar(spec: FactSpec, value: Any) -> tuple[str, str] | None:
    """Return what is expected if `value` is not a valid single value of the fact."""
    if spec.type == "number":
        return None if is_number(value) else expected("number")
    if spec.type in ("text", "tags"):
        ok = isinstance(value, str) and 0 < len(value) <= MAX_TEXT
        return None if ok else expected("short_text", max=MAX_TEXT)
    if spec.type == "enum":
        values = [c[0] for c in spec.choices]
        return None if value in values else expected("choice", choices=", ".join(values))
    if spec.type == "ref":
        return None if is_ref(value) else expected("ref")
    return expected("none")


class _Checker:
    def __init__(self, point: DecisionPoint):
        self.point = point
        self.problems: list[Problem] = []
        self.where: dict[str, Any] = {}

    def add(self, code: str, path: str = "", **params: Any) -> None:
        self.problems.append(Problem(code, params, path=path, **self.where))

    def group(self, node: Any, path: str, depth: int, count: list[int]) -> dict[str, Any] | None:
        if not isinstance(node, dict):
            self.add("shape", path, detail="condition")
            return None
        keys = [k for k in GROUP_KEYS if k in node]
        if not keys:
            return self.leaf(node, path, count)
        if len(keys) != 1 or len(node) != 1:
            self.add("shape", path, detail="group takes exactly one of all/any/none")
            return None
        if depth > MAX_DEPTH:
            self.add("too_deep", path, max=MAX_DEPTH)
            return None
        key = keys[0]
        children = node[key]
        if not isinstance(children, list) or not children:
            self.add("empty_group", f"{path}.{key}")
            return None
        out = [self.group(c, f"{path}.{key}[{i}]", depth + 1, count) for i, c in enumerate(children)]
        if any(c is None for c in out):
            return None
        return {key: out}

    def leaf(self, node: dict[str, Any], path: str, count: list[int]) -> dict[str, Any] | None:
        count[0] += 1
        if count[0] == MAX_CONDITIONS + 1:
            self.add("too_many_conditions", path, max=MAX_CONDITIONS)
        name, op = node.get("field"), node.get("op")
        if set(node) - {"field", "op", "value"}:
            self.add("shape", path, detail="a condition has field, op and value")
            return None
        spec = self.point.fact(name) if isinstance(name, str) else None
        if spec is None:
            self.add("unknown_field", path, field=name)
            return None
        label = (spec.zh, spec.en)
        if op not in OPS_BY_TYPE[spec.type]:
            self.add("bad_op", path, field=label, op=op)
            return None
        kind, value = VALUE_KIND[op], node.get("value")
        problem: tuple[str, str] | None = None
        if kind == "none":
            problem = expected("none") if value is not None else None
        elif kind == "list":
            if not isinstance(value, list) or not value or len(value) > MAX_LIST:
                problem = expected("list", max=MAX_LIST)
            else:
                problem = next((p for p in (check_scalar(spec, v) for v in value) if p), None)
                value = list(dict.fromkeys(value))  # duplicates change nothing
        elif kind == "text":
            ok = isinstance(value, str) and 0 < len(value) <= MAX_TEXT
            problem = None if ok else expected("short_text", max=MAX_TEXT)
        else:
            problem = check_scalar(spec, value)
        if problem:
            self.add("bad_value", path, field=label, expected=problem)
            return None
        out: dict[str, Any] = {"field": name, "op": op}
        if kind != "none":
            out["value"] = value
        return out

    def param(self, action: tuple[str, str], spec: ParamSpec, value: Any, path: str) -> bool:
        problem: tuple[str, str] | None = None
        if spec.type == "text":
            ok = (
                isinstance(value, str)
                and len(value) <= spec.max_length
                and (value.strip() or not spec.required)
            )
            problem = None if ok else expected("short_text", max=spec.max_length)
        elif spec.type == "int":
            lo, hi = spec.min if spec.min is not None else 0, spec.max if spec.max is not None else 10**9
            ok = isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi
            problem = None if ok else expected("int", min=lo, max=hi)
        elif spec.type == "bool":
            problem = None if isinstance(value, bool) else expected("bool")
        elif spec.type == "enum":
            values = [c[0] for c in spec.choices]
            problem = None if value in values else expected("choice", choices=", ".join(values))
        elif spec.type == "multi_enum":
            values = [c[0] for c in spec.choices]
            ok = isinstance(value, list) and bool(value) and all(v in values for v in value)
            problem = None if ok else expected("choice", choices=", ".join(values))
        elif spec.type == "ref":
            problem = None if is_ref(value) else expected("ref")
        elif spec.type == "color":
            problem = None if isinstance(value, str) and COLOR.match(value) else expected("color")
        elif spec.type == "url":
            ok = (isinstance(value, str) and len(value) <= spec.max_length
                  and SAFE_URL.match(value) is not None)
            problem = None if ok else expected("url", max=spec.max_length)
        if problem:
            self.add("bad_param", path, action=action, param=(spec.zh, spec.en), expected=problem)
        return problem is None

    def actions(self, then: Any, path: str) -> list[dict[str, Any]] | None:
        if not isinstance(then, list) or not then:
            self.add("no_actions", path)
            return None
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        ok = True
        for i, item in enumerate(then):
            at = f"{path}[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("action"), str):
                self.add("shape", at, detail="an action has a name and params")
                ok = False
                continue
            spec = self.point.action(item["action"])
            if spec is None:
                self.add("unknown_action", at, action=item["action"])
                ok = False
                continue
            label = (spec.zh, spec.en)
            if spec.name in seen:
                self.add("duplicate_action", at, action=label)
                ok = False
            seen.add(spec.name)
            raw = item.get("params") or {}
            if not isinstance(raw, dict):
                self.add("shape", at, detail="params must be a mapping")
                ok = False
                continue
            params: dict[str, Any] = {}
            for key in raw:
                if not any(p.name == key for p in spec.params):
                    self.add("unknown_param", at, action=label, param=key)
                    ok = False
            for p in spec.params:
                value = raw.get(p.name)
                if value is None or value == "":
                    if p.required:
                        self.add("missing_param", f"{at}.{p.name}", action=label, param=(p.zh, p.en))
                        ok = False
                    continue
                if self.param(label, p, value, f"{at}.{p.name}"):
                    params[p.name] = value
                else:
                    ok = False
            out.append({"action": spec.name, "params": params})
        return out if ok else None


def validate_ruleset(point: DecisionPoint, definition: Any) -> dict[str, Any]:
    """Return the definition in canonical form, or raise RuleError listing every problem."""
    checker = _Checker(point)
    if not isinstance(definition, dict) or not isinstance(definition.get("rules", []), list):
        raise RuleError([Problem("shape", {"detail": "a ruleset has a list of rules"})])
    rules_in = definition.get("rules") or []
    if len(rules_in) > MAX_RULES:
        raise RuleError([Problem("too_many_rules", {"max": MAX_RULES})])
    rules: list[dict[str, Any]] = []
    ids: set[str] = set()
    for index, raw in enumerate(rules_in):
        if not isinstance(raw, dict):
            checker.where = {"rule_index": index}
            checker.add("shape", f"rules[{index}]", detail="a rule is a mapping")
            continue
        rule_id = str(raw.get("id") or f"r{index + 1}")
        name = raw.get("name")
        checker.where = {
            "rule_index": index,
            "rule_id": rule_id,
            "rule_name": name.strip() if isinstance(name, str) else "",  # blank: shown by its id
        }
        if not RULE_ID.match(rule_id):
            checker.add("bad_id")
        if rule_id in ids:
            checker.add("duplicate_id", id=rule_id)
        ids.add(rule_id)
        if not isinstance(name, str) or not name.strip() or len(name) > 120:
            checker.add("no_name")
        when = raw.get("when")
        cond = None if when in (None, {}) else checker.group(when, "when", 1, [0])
        if cond is not None:
            if count_groups(cond) > MAX_GROUPS:
                checker.add("too_many_groups", "when", max=MAX_GROUPS)
            ways = alternatives(cond)
            if ways > MAX_ALTERNATIVES:
                checker.add("too_many_alternatives", "when", count=ways, max=MAX_ALTERNATIVES)
        then = checker.actions(raw.get("then"), "then")
        rules.append(
            {
                "id": rule_id,
                "name": name if isinstance(name, str) else "",
                "enabled": raw.get("enabled", True) is not False,
                "continue": raw.get("continue", False) is True,
                "when": cond,
                "then": then or [],
            }
        )
    checker.where = {}
    cases = _cases(checker, definition.get("cases") or [], ids)
    if checker.problems:
        raise RuleError(checker.problems)
    out: dict[str, Any] = {"rules": rules, "cases": cases}
    for key in ("name", "description"):
        if isinstance(definition.get(key), str):
            out[key] = definition[key]
    return out


def _cases(checker: _Checker, raw_cases: Any, ids: set[str]) -> list[dict[str, Any]]:
    if not isinstance(raw_cases, list):
        checker.add("shape", "cases", detail="cases is a list")
        return []
    cases = []
    for i, case in enumerate(raw_cases):
        if not isinstance(case, dict) or not isinstance(case.get("facts", {}), dict):
            checker.add("shape", f"cases[{i}]", detail="a case has facts and expect")
            continue
        name = str(case.get("name") or f"case {i + 1}")
        expect = case.get("expect") or {}
        if not isinstance(expect, dict):
            checker.add("shape", f"cases[{i}].expect", detail="expect is a mapping")
            continue
        rule = expect.get("rule")
        if rule is not None and rule not in ids:
            checker.add("case_unknown_rule", f"cases[{i}]", case=name, rule=rule)
        cases.append({"name": name, "facts": case.get("facts") or {}, "expect": expect})
    return cases


def refs(point: DecisionPoint, definition: dict[str, Any]) -> list[tuple[int, str, str, Any]]:
    """List every reference a canonical definition holds: (rule index, rule id, source, value)."""
    found: list[tuple[int, str, str, Any]] = []

    def walk(node: Any, index: int, rule_id: str) -> None:
        if node is None:
            return
        for key in GROUP_KEYS:
            if key in node:
                for child in node[key]:
                    walk(child, index, rule_id)
                return
        spec = point.fact(node["field"])
        if spec is not None and spec.type == "ref" and "value" in node:
            values = node["value"] if isinstance(node["value"], list) else [node["value"]]
            found.extend((index, rule_id, spec.source, v) for v in values)

    for index, rule in enumerate(definition["rules"]):
        walk(rule["when"], index, rule["id"])
        for item in rule["then"]:
            action = point.action(item["action"])
            for p in action.params if action else ():
                if p.type == "ref" and p.name in item["params"]:
                    found.append((index, rule["id"], p.source, item["params"][p.name]))
    return found


def kind_label(source: str) -> tuple[str, str]:
    return KIND_LABELS.get(source, (source, source))
