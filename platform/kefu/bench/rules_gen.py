"""A realistic routing ruleset of N rules and the visit facts to decide on, for `kefu bench rules`.

Rules are built from templates per product line (VIP lanes, campaigns on mobile, after-sales
pages, off-hours overflow, messaging apps in English), so they mix number comparisons, enum
equality, tag operators, text contains/keywords and nested any/none groups. Facts are drawn
the way the product's fact builders fill them (some fields missing), then mixed so that a set
share of them matches no rule at all.
"""

from __future__ import annotations

import random
from typing import Any

PRODUCTS = ("phone", "laptop", "tablet", "watch", "tv", "camera", "audio", "router", "printer", "monitor")
TAGS = ("vip", "svip", "complaint", "new", "enterprise", "blacklist", "spam", "repeat_buyer")
REFERRERS = ("https://www.baidu.com/s?wd=", "https://www.google.com/search?q=", "https://weibo.com/",
             "https://www.zhihu.com/question/", "https://review.example.com/")


def group_names(rules: int) -> list[str]:
    """The skill groups the ruleset routes to (created in the company before publishing)."""
    return ["售前 Presales", "售后 Aftersales", "VIP 专席", "WhatsApp"] + [f"{p} 组" for p in PRODUCTS]


def _rule(i: int, groups: dict[str, int], threshold: int) -> dict[str, Any]:
    product = PRODUCTS[i % len(PRODUCTS)]
    kind = (i // len(PRODUCTS)) % 5
    own = groups[f"{product} 组"]
    if kind == 0:
        when = {"all": [
            {"field": "vip_level", "op": "gte", "value": 3},
            {"field": "page_url", "op": "contains", "value": f"/{product}"},
            {"any": [{"field": "tags", "op": "has_any", "value": ["vip", "svip"]},
                     {"field": "visit_count", "op": "gte", "value": 10 + threshold}]},
        ]}
        then = [{"action": "route", "params": {"group": groups["VIP 专席"]}},
                {"action": "priority", "params": {"level": "high"}},
                {"action": "strategy", "params": {"strategy": "last_agent", "hours": 72}}]
        name = f"VIP {product}"
    elif kind == 1:
        when = {"all": [
            {"field": "utm_campaign", "op": "keywords", "value": [f"{product}_sale", f"{product}-promo"]},
            {"field": "device", "op": "eq", "value": "mobile"},
            {"none": [{"field": "tags", "op": "has_any", "value": ["blacklist", "spam"]}]},
        ]}
        then = [{"action": "route", "params": {"group": own}},
                {"action": "strategy", "params": {"strategy": "round_robin"}}]
        name = f"{product} 活动 campaign"
    elif kind == 2:
        when = {"all": [
            {"field": "page_url", "op": "contains", "value": f"/{product}/support"},
            {"any": [{"field": "tags", "op": "has", "value": "complaint"},
                     {"field": "referrer", "op": "contains", "value": "review"},
                     {"all": [{"field": "returning", "op": "is_true"},
                              {"field": "visit_count", "op": "gt", "value": 3}]}]},
            {"field": "group_available", "op": "gt", "value": 0},
        ]}
        then = [{"action": "route", "params": {"group": groups["售后 Aftersales"]}},
                {"action": "overflow", "params": {"group": own, "when": "all_saturated"}}]
        name = f"{product} 售后 after-sales"
    elif kind == 3:
        when = {"all": [
            {"field": "page_url", "op": "starts_with", "value": f"https://shop.example.com/{product}"},
            {"field": "group_in_hours", "op": "is_false"},
            {"field": "queue_length", "op": "gte", "value": 5 + (i + threshold) % 7},
        ]}
        then = [{"action": "leave_message"}]
        name = f"{product} 下班排队 off hours"
    else:
        when = {"all": [
            {"field": "channel_type", "op": "in", "value": ["whatsapp", "line"]},
            {"field": "language", "op": "eq", "value": "en"},
            {"any": [{"field": "page_url", "op": "contains", "value": product},
                     {"field": "utm_source", "op": "eq", "value": product}]},
            {"field": "hour", "op": "gte", "value": 8},
            {"field": "hour", "op": "lt", "value": 22},
            {"none": [{"field": "weekday", "op": "gt", "value": 5}]},
        ]}
        then = [{"action": "route", "params": {"group": groups["WhatsApp"]}},
                {"action": "overflow", "params": {"group": groups["售前 Presales"], "when": "none_online"}}]
        name = f"{product} WhatsApp/LINE"
    return {"id": f"r{i:03d}", "name": name, "when": when, "then": then}


def ruleset(rules: int, groups: dict[str, int], threshold: int = 0) -> dict[str, Any]:
    """A routing definition of `rules` rules; `threshold` shifts numbers (a "new version")."""
    out = [_rule(i, groups, threshold) for i in range(rules)]
    # interleave the kinds so the first rules are not all of one sort
    out.sort(key=lambda r: (int(r["id"][1:]) % len(PRODUCTS), r["id"]))
    return {"rules": out, "cases": []}


def visit(rng: random.Random, groups: dict[str, int], channel_id: int) -> dict[str, Any]:
    """Facts as the routing fact builder fills them for one visit (fields may be missing)."""
    product = rng.choice(PRODUCTS + ("home", "cart"))
    section = rng.choice(("", "/support", "/specs", "/buy"))
    facts: dict[str, Any] = {
        "channel_type": rng.choice(("web", "web", "h5", "whatsapp", "line", "messenger")),
        "channel": channel_id,
        "page_url": f"https://shop.example.com/{product}{section}?id={rng.randint(1, 9999)}",
        "device": rng.choice(("desktop", "mobile")),
        "language": rng.choice(("zh", "zh", "en")),
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
        "vip_level": rng.randint(0, 5),
        "returning": rng.random() < 0.4,
        "visit_count": rng.randint(1, 30),
        "hour": rng.randint(0, 23),
        "weekday": rng.randint(1, 7),
        "in_business_hours": rng.random() < 0.7,
        "agents_online": rng.randint(0, 20),
        "skill_group": groups[rng.choice(list(groups))],
        "group_online": rng.randint(0, 8),
        "group_available": rng.randint(0, 4),
        "group_in_hours": rng.random() < 0.7,
        "queue_length": rng.randint(0, 15),
        "has_last_agent": rng.random() < 0.3,
    }
    if facts["has_last_agent"]:
        facts["last_agent_online"] = rng.random() < 0.5
    if rng.random() < 0.6:
        facts["referrer"] = rng.choice(REFERRERS) + product
    if rng.random() < 0.5:
        facts["utm_source"] = rng.choice((product, "baidu", "google", "newsletter"))
        facts["utm_campaign"] = rng.choice((f"{product}_sale", f"{product}-promo-2024", "brand", "618"))
    return facts


def workload(
    decide: Any, size: int, groups: dict[str, int], channel_id: int, unmatched: float = 0.1, seed: int = 7
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`size` visit facts of which `unmatched` match no rule; `decide(facts)` classifies them.

    Returns the facts (shuffled) and how they spread over the rules.
    """
    rng = random.Random(seed)
    matched: list[dict[str, Any]] = []
    nothing: list[dict[str, Any]] = []
    rules_hit: dict[str, int] = {}
    want_none = round(size * unmatched)
    tries = 0
    while (len(matched) < size - want_none or len(nothing) < want_none) and tries < size * 200:
        tries += 1
        facts = visit(rng, groups, channel_id)
        if rng.random() < 0.5:  # bias towards pages the rules talk about
            facts["page_url"] = facts["page_url"].replace("/home", "/" + rng.choice(PRODUCTS))
        decision = decide(facts)
        if decision.rule_id is None:
            if len(nothing) < want_none:
                nothing.append(facts)
        elif len(matched) < size - want_none:
            matched.append(facts)
            rules_hit[decision.rule_id] = rules_hit.get(decision.rule_id, 0) + 1
    out = matched + nothing
    rng.shuffle(out)
    return out, {"facts": len(out), "matching_nothing": len(nothing), "distinct_rules_hit": len(rules_hit)}
