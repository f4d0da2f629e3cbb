"""`kefu bench knowledge`: index build time, search latency and retrieval quality, SQLite and PostgreSQL.

On each database (a fresh SQLite file; a dropped and re-created PostgreSQL database) the bench
imports a generated mixed Chinese/English knowledge base (20,000 Q&A entries by default) through
the real bulk-import action, in one company, and the shipped demo knowledge base in another;
then times `knowledge.search.search` as the robot calls it (published, valid now, one channel,
the visitor's customer groups) over a mix of paraphrased questions, product queries, 2-character
Chinese words, single English words, traditional-character queries and 10,000-character pastes,
and asks the shipped test set (seed_data/knowledge_eval.yaml) for top-1 and top-3 accuracy.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from typing import Any

from .rules import make_app, pct

SEARCH_P99_GOAL_MS = 50.0
ROBOT_P99_GOAL_MS = 100.0
TOP3_GOAL = 0.90

_ZH_ADJ = "智能 无线 便携 家用 儿童 专业 户外 迷你 经典 轻薄".split()
_ZH_NOUN = ("手表 耳机 音箱 台灯 背包 水杯 跑鞋 键盘 鼠标 相机 吹风机 电饭煲 空气炸锅 扫地机器人 充电宝 "
            "保温杯 行李箱 羽绒服 牛仔裤 面膜").split()
_EN_ADJ = "smart wireless portable kids pro outdoor mini classic slim premium".split()
_EN_NOUN = ("watch|headphones|speaker|desk lamp|backpack|bottle|running shoes|keyboard|mouse|camera|"
            "hair dryer|rice cooker|air fryer|robot vacuum|power bank|suitcase|down jacket|jeans|"
            "face mask").split("|")
_ZH_WORDS = "退款 发票 快递 积分 保修 地址 密码 优惠券 会员 换货 物流 分期".split()
_EN_WORDS = "refund invoice shipping points warranty address password coupon member exchange".split()
_TRAD = ["退貨運費", "發票抬頭寫錯", "會員積分怎麼用", "帳號被凍結", "訂單取消", "海外配送"]
_ZH_FILL = ["该型号支持全国联保。", "包装内含说明书和保修卡。", "颜色以实物为准。", "本品不支持定制刻字。"]
_EN_FILL = ["This model has a nationwide warranty.", "The box includes a manual.",
            "Colours may differ slightly from photos.", "Engraving is not available for this item."]


def _product(rng: random.Random, zh: bool) -> str:
    if zh:
        return f"{rng.choice(_ZH_ADJ)}{rng.choice(_ZH_NOUN)} K{rng.randint(1, 999)}"
    return f"{rng.choice(_EN_ADJ)} {rng.choice(_EN_NOUN)} K{rng.randint(1, 999)}"


def generate(n: int, templates: list[dict[str, Any]], seed: int = 7) -> list[dict[str, Any]]:
    """n import rows: the shipped entries' topics about generated products, half zh, half en."""
    rng = random.Random(seed)
    zh_rows = [t for t in templates if t["key"].endswith(".zh") and t.get("kind", "qa") == "qa"]
    en_rows = [t for t in templates if t["key"].endswith(".en") and t.get("kind", "qa") == "qa"]
    rows = []
    for i in range(n):
        zh = i % 2 == 0
        base = rng.choice(zh_rows if zh else en_rows)
        product = _product(rng, zh)
        fill = rng.choice(_ZH_FILL if zh else _EN_FILL)
        question = f"{product}：{base['question']}" if zh else f"{base['question']} ({product})"
        similar = [f"{product} {s}" for s in base["similar"][:2]]
        rows.append({"question": question[:200], "similar": similar, "status": "published",
                     "answer": f"{base['answer']}<p>{product}：{fill}</p>",
                     "channel_ids": [], "customer_groups": ["VIP"] if i % 10 == 0 else []})
    return rows


def queries(n: int, eval_questions: list[str], seed: int = 11) -> list[str]:
    """A mix of what visitors and agents type, n of them."""
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(n):
        kind = i % 20
        if kind < 8:
            out.append(rng.choice(eval_questions))
        elif kind < 12:
            zh = kind % 2 == 0
            word = rng.choice(_ZH_WORDS if zh else _EN_WORDS)
            out.append(f"{_product(rng, zh).rsplit(' ', 1)[0]} {word}")
        elif kind < 14:
            out.append(rng.choice(_ZH_WORDS))
        elif kind < 16:
            out.append(rng.choice(_EN_WORDS))
        elif kind < 18:
            out.append(rng.choice(_TRAD))
        elif kind == 18:
            out.append(("我想申请退款，但是订单显示已发货，怎么办？" * 500)[:10000])
        else:
            out.append(("how do I get a refund for a damaged item " * 300)[:10000])
    return out


def _one_backend(name: str, config: dict[str, Any], entries: int, n_queries: int) -> dict[str, Any]:
    from ..extensions import db
    from ..knowledge.actions import check_import_entries, do_seed
    from ..knowledge.evaluate import EVAL_FILE, KNOWLEDGE_FILE, load_yaml, retrieval_quality
    from ..knowledge.search import Scope, search
    from ..org.actions import do_create_company
    from ..timeutil import utcnow

    app = make_app(config, tempfile.mkdtemp(prefix="kefu-bench-kb-"))
    shipped = load_yaml(KNOWLEDGE_FILE)
    eval_rows = load_yaml(EVAL_FILE)["questions"]
    rows = generate(entries, shipped["entries"])
    with app.app_context():
        big = do_create_company(None, "Bench KB", "benchkb", "owner@benchkb.test", "Owner", "bench-pass-123")
        started = time.perf_counter()
        check_import_entries(None, big.id, rows)
        build_s = time.perf_counter() - started
        demo = do_create_company(None, "Demo KB", "demokb", "owner@demokb.test", "Owner", "bench-pass-123")
        keys = do_seed(demo.id, shipped)
        quality = retrieval_quality(demo.id, keys, eval_rows)
        scope = Scope(big.id, valid_at=utcnow(), channel_id=1, customer_groups=())
        asked = queries(n_queries, [r["q"] for r in eval_rows])
        for q in asked[:20]:  # warm the caches and the connection pool, untimed
            search(scope, q)
        times, cpu, found = [], [], 0
        for q in asked:
            t0, c0 = time.perf_counter(), time.process_time()
            page = search(scope, q)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            found += bool(page.hits)
            db.session.rollback()  # end the read transaction, as a request would
        robot_times, robot_cpu = _robot_times(scope, asked)
        db.session.remove()
        db.engine.dispose()
    return {
        "database": name,
        "entries": entries,
        "index_build_s": round(build_s, 2),
        "entries_per_s": round(entries / build_s, 1),
        "search_ms": {"queries": len(times), "p50": round(pct(times, 50), 2),
                      "p99": round(pct(times, 99), 2), "max": round(max(times), 2),
                      "with_hits": found},
        # This process's CPU per search (the database server's own work on PostgreSQL excluded):
        # on a shared, loaded machine it shows what a search costs apart from waiting for a core.
        "search_cpu_ms": {"p50": round(pct(cpu, 50), 2), "p99": round(pct(cpu, 99), 2)},
        "retrieval": {k: v for k, v in quality.items() if k != "misses"}
                     | {"missed": [m["q"] for m in quality["misses"]]},
        # The robot's whole decision (search, confidence, answer / suggest / unknown) per question.
        "robot_answer_ms": {"questions": len(robot_times), "p50": round(pct(robot_times, 50), 2),
                            "p99": round(pct(robot_times, 99), 2), "max": round(max(robot_times), 2)},
        "robot_answer_cpu_ms": {"p50": round(pct(robot_cpu, 50), 2), "p99": round(pct(robot_cpu, 99), 2)},
    }


def _robot_times(scope: Any, asked: list[str]) -> tuple[list[float], list[float]]:
    """Time robot.answer.match (wall clock and this process's CPU) over the questions, with the
    robot's kinds and default thresholds."""
    from dataclasses import replace

    from ..extensions import db
    from ..robot.answer import KINDS, match
    from ..robot.models import DEFAULT_CONFIDENT, DEFAULT_SUGGEST

    robot_scope = replace(scope, kinds=KINDS)
    for q in asked[:20]:  # warm, untimed
        match(robot_scope, q, DEFAULT_CONFIDENT, DEFAULT_SUGGEST)
    times, cpu = [], []
    for q in asked:
        t0, c0 = time.perf_counter(), time.process_time()
        match(robot_scope, q, DEFAULT_CONFIDENT, DEFAULT_SUGGEST)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        db.session.rollback()
    return times, cpu


def run(entries: int = 20000, n_queries: int = 500, backends: tuple[str, ...] = ("sqlite", "postgresql"),
        database_url: str = "postgresql://postgres@127.0.0.1/kefu_bench_knowledge") -> dict[str, Any]:
    """Run the bench on each backend; return the JSON-ready report."""
    from ..knowledge.tokens import warm_up

    started = time.perf_counter()
    warm_up()  # what the first search of a fresh process pays, once: jieba's dictionary
    # Latency on a shared machine says little without its load; the report carries it.
    report: dict[str, Any] = {"load_average_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
                              "tokenizer_load_s": round(time.perf_counter() - started, 2),
                              "goals": {"search_p99_ms": SEARCH_P99_GOAL_MS, "top3": TOP3_GOAL,
                                        "robot_answer_p99_ms": ROBOT_P99_GOAL_MS},
                              "results": []}
    for name in backends:
        if name == "sqlite":
            path = tempfile.mkdtemp(prefix="kefu-bench-kb-") + "/kb.sqlite3"
            config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "KEFU_REDIS_URL": ""}
        else:
            from .stack import _fresh_postgres

            config = {"SQLALCHEMY_DATABASE_URI": _fresh_postgres(database_url), "KEFU_REDIS_URL": ""}
        result = _one_backend(name, config, entries, n_queries)
        result["meets_goals"] = (result["search_ms"]["p99"] <= SEARCH_P99_GOAL_MS
                                 and result["robot_answer_ms"]["p99"] <= ROBOT_P99_GOAL_MS
                                 and result["retrieval"]["top3"] >= TOP3_GOAL)
        report["results"].append(result)
    return report
