"""The shipped knowledge base and its retrieval test set: load them, and measure top-1 / top-3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .search import Scope, search

SEED_DIR = Path(__file__).resolve().parents[3] / "seed_data"
KNOWLEDGE_FILE = SEED_DIR / "knowledge.yaml"
EVAL_FILE = SEED_DIR / "knowledge_eval.yaml"


def load_yaml(path: Path) -> dict[str, Any]:
    """Read one seed file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def retrieval_quality(company_id: int, keys: dict[str, int],
                      questions: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Ask every test question; report how often the right entry is first, or in the first three."""
    questions = questions if questions is not None else load_yaml(EVAL_FILE)["questions"]
    top1 = top3 = 0
    misses: list[dict[str, Any]] = []
    for row in questions:
        page = search(Scope(company_id), row["q"], per_page=3)
        found = [h.entry_id for h in page.hits]
        want = keys[row["entry"]]
        top1 += bool(found) and found[0] == want
        top3 += want in found
        if want not in found:
            names = {v: k for k, v in keys.items()}
            misses.append({"q": row["q"], "want": row["entry"], "got": [names.get(i or 0) for i in found]})
    n = len(questions) or 1
    return {"questions": len(questions), "top1": round(top1 / n, 4), "top3": round(top3 / n, 4),
            "misses": misses}
