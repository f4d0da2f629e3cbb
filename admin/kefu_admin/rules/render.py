"""Rulesets as sentences an admin can read, and a line diff between two versions."""

from __future__ import annotations

import difflib
from typing import Any

from kefu.rules.conditions import OP_LABELS
from kefu.rules.points import DecisionPoint

# Comparisons read better as symbols; every other operator uses its zh/en label.
SYMBOLS = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}
WORDS = {
    "if": ("如果", "if"),
    "always": ("总是", "always"),
    "all": (" 且 ", " and "),
    "any": (" 或 ", " or "),
    "none": ("都不满足", "none of"),
    "rule": ("规则", "Rule"),
    "disabled": ("（已停用）", " (disabled)"),
    "continue": ("（继续匹配后续规则）", " (continues to later rules)"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "sep": ("、", ", "),
}

RefNames = dict[str, dict[int, str]]


def _w(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return en if lang == "en" else zh


def _label(item: dict[str, str] | tuple[str, str], lang: str) -> str:
    if isinstance(item, tuple):
        return item[1] if lang == "en" else item[0]
    return item.get(lang) or item.get("zh") or ""


def _choice(choices: tuple[tuple[str, str, str], ...], value: Any, lang: str) -> str:
    for v, zh, en in choices:
        if v == value:
            return en if lang == "en" else zh
    return str(value)


def _value(kind: str, choices: Any, source: str, value: Any, names: RefNames, lang: str) -> str:
    if isinstance(value, list):
        return _w("sep", lang).join(_value(kind, choices, source, v, names, lang) for v in value)
    if kind == "ref":
        return names.get(source, {}).get(value, f"#{value}") if isinstance(value, int) else str(value)
    if kind in ("enum", "multi_enum"):
        return _choice(choices, value, lang)
    if kind == "bool":
        return _w("yes" if value else "no", lang)
    if kind in ("text", "tags") and isinstance(value, str):
        return f"“{value}”"
    return str(value)


def condition_text(point: DecisionPoint, node: dict[str, Any] | None, names: RefNames,
                   lang: str, top: bool = True) -> str:
    """Render a condition tree: `VIP 等级 ≥ 2 且 (渠道 = 网页 或 …)`."""
    if node is None:
        return _w("always", lang)
    for key in ("all", "any", "none"):
        if key in node:
            parts = [condition_text(point, c, names, lang, top=False) for c in node[key]]
            if key == "none":
                text = f"{_w('none', lang)} ({_w('sep', lang).join(parts)})"
            else:
                text = _w(key, lang).join(parts)
            return text if top or len(parts) == 1 or key == "none" else f"({text})"
    spec = point.fact(node.get("field", ""))
    field = _label((spec.zh, spec.en), lang) if spec else str(node.get("field"))
    op = node.get("op", "")
    op_text = SYMBOLS.get(op) or _label(OP_LABELS.get(op, (op, op)), lang)
    if "value" not in node or node.get("value") is None:
        return f"{field} {op_text}"
    kind = spec.type if spec else "text"
    value = _value(kind, spec.choices if spec else (), spec.source if spec else "",
                   node["value"], names, lang)
    return f"{field} {op_text} {value}"


def action_text(point: DecisionPoint, item: dict[str, Any], names: RefNames, lang: str) -> str:
    """Render one action: `分配到技能组 VIP 专席` or `分配策略（策略：轮流分配）`."""
    spec = point.action(item.get("action", ""))
    if spec is None:
        return str(item.get("action"))
    label = _label((spec.zh, spec.en), lang)
    params = item.get("params") or {}
    shown = [p for p in spec.params if params.get(p.name) not in (None, "")]
    if not shown:
        return label
    if len(spec.params) == 1 and spec.params[0].type in ("ref", "enum", "text", "int"):
        p = shown[0]
        return f"{label} {_value(p.type, p.choices, p.source, params[p.name], names, lang)}"
    colon, sep = (": ", ", ") if lang == "en" else ("：", "，")
    inner = sep.join(
        f"{_label((p.zh, p.en), lang)}{colon}"
        f"{_value(p.type, p.choices, p.source, params[p.name], names, lang)}"
        for p in shown
    )
    return f"{label} ({inner})" if lang == "en" else f"{label}（{inner}）"


def rule_line(point: DecisionPoint, index: int, rule: dict[str, Any], names: RefNames,
              lang: str) -> str:
    """One line per rule: `规则 2「VIP」: 如果 VIP 等级 ≥ 2 → 分配到技能组 VIP 专席`."""
    name = rule.get("name") or rule.get("id") or ""
    head = (f"{_w('rule', lang)} {index + 1} “{name}”" if lang == "en"
            else f"{_w('rule', lang)} {index + 1}「{name}」")
    cond = condition_text(point, rule.get("when"), names, lang)
    actions = "; ".join(action_text(point, a, names, lang) for a in rule.get("then") or [])
    flags = ""
    if rule.get("enabled") is False:
        flags += _w("disabled", lang)
    if rule.get("continue"):
        flags += _w("continue", lang)
    return f"{head}: {_w('if', lang)} {cond} → {actions}{flags}"


def ruleset_lines(point: DecisionPoint, definition: dict[str, Any] | None, names: RefNames,
                  lang: str) -> list[str]:
    """Render every rule of a definition, in order."""
    rules = (definition or {}).get("rules") or []
    return [rule_line(point, i, r, names, lang) for i, r in enumerate(rules) if isinstance(r, dict)]


def diff_lines(before: list[str], after: list[str]) -> list[tuple[str, str]]:
    """Return (kind, text) pairs: kind is "+", "-" or " " (unchanged)."""
    out: list[tuple[str, str]] = []
    for line in difflib.ndiff(before, after):
        kind = line[:1]
        if kind in ("+", "-", " "):
            out.append((kind, line[2:]))
    return out
