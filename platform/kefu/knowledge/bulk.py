"""Bulk edits of the console's lists: move many entries or articles to a category in one commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..aftercommit import on_commit
from ..audit.actions import changes_of, record
from ..errors import KefuError
from ..extensions import db
from .index import reindex
from .models import KnowledgeArticle, KnowledgeCategory, KnowledgeEntry
from .search import forget_statistics

BULK_MAX = 1000


def check_move(actor_id: int | None, company_id: int, kind: str, ids: list[int],
               category_id: int | None) -> int:
    """Put the company's entries ("entry") or articles ("article") into a category (None: none).

    Every row is audited and re-indexed in one commit; ids of other companies are ignored.
    Returns how many rows moved.
    """
    if category_id is not None:
        category = db.session.get(KnowledgeCategory, category_id)
        if category is None or category.company_id != company_id:
            raise KefuError("cross_company", fields={"category_id": ["unknown"]})
    model: Any = KnowledgeEntry if kind == "entry" else KnowledgeArticle
    wanted = [i for i in dict.fromkeys(ids) if isinstance(i, int)][:BULK_MAX]
    rows: list[Any] = list(db.session.scalars(select(model).where(
        model.id.in_(wanted), model.company_id == company_id).order_by(model.id)))
    moved = 0
    with db.session.no_autoflush:
        for row in rows:
            if row.category_id == category_id:
                continue
            row.category_id = category_id
            row.updated_by_id = actor_id
            record(actor_id, "update", row, company_id, changes_of(row))
            reindex(row)
            moved += 1
    on_commit(forget_statistics)
    db.session.commit()
    return moved
