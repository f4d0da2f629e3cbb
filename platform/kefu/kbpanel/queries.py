"""Reads of the knowledge panel: what an agent may open, category listings, items, favourites.

Visibility is the search scope of `knowledge.queries.agent_scope` applied to one document: the
agent's company, published (drafts never show in the workbench: they are unreviewed text an agent
could send to a customer; admins preview drafts in the console), valid now, and for articles
limited to skill groups, the agent's groups (owners, admins and managers see all).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from markupsafe import escape
from sqlalchemy import ColumnElement, and_, func, or_, select

from ..errors import KefuError
from ..extensions import db
from ..knowledge.html import plain_text, sanitize
from ..knowledge.models import KnowledgeArticle, KnowledgeCategory, KnowledgeDoc, KnowledgeEntry
from ..knowledge.queries import agent_scope, category_tree, related_entries
from ..knowledge.search import Scope, search
from ..org.models import User
from .models import KnowledgeFavourite

SNIPPET_CHARS = 120
RELATED_MAX = 5
FAVOURITES_MAX = 200


def _conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """The scope as SQLAlchemy conditions on KnowledgeDoc (listing, counts; search has its own)."""
    D = KnowledgeDoc
    conds: list[ColumnElement[bool]] = [
        D.company_id == scope.company_id, D.kind.in_(scope.kinds), D.status.in_(scope.statuses)]
    if scope.valid_at is not None:
        conds += [or_(D.valid_from.is_(None), D.valid_from <= scope.valid_at),
                  or_(D.valid_until.is_(None), D.valid_until > scope.valid_at)]
    if scope.skill_group_ids is not None:  # ints: nothing to escape in the pattern
        conds.append(or_(D.skill_groups == "",
                         *[D.skill_groups.like(f"%\n{g}\n%") for g in scope.skill_group_ids]))
    return conds


def _visible(scope: Scope, doc: KnowledgeDoc) -> bool:
    """Whether one document is inside the scope (the same tests as the search's SQL)."""
    if doc.company_id != scope.company_id or doc.kind not in scope.kinds:
        return False
    if doc.status not in scope.statuses:
        return False
    at = scope.valid_at
    if at is not None and ((doc.valid_from is not None and doc.valid_from > at)
                           or (doc.valid_until is not None and doc.valid_until <= at)):
        return False
    if scope.skill_group_ids is not None and doc.skill_groups:
        return any(f"\n{g}\n" in doc.skill_groups for g in scope.skill_group_ids)
    return True


def visible_doc(user: User, kind: str, obj_id: int, scope: Scope | None = None) -> KnowledgeDoc:
    """The document of an entry or article the agent may see; not_found otherwise (also across
    companies, so an id of another company's item tells nothing)."""
    column = KnowledgeDoc.entry_id if kind == "entry" else KnowledgeDoc.article_id
    doc = db.session.scalar(select(KnowledgeDoc).where(column == obj_id))
    if doc is None or not _visible(scope or agent_scope(user), doc):
        raise KefuError("not_found", status=404)
    return doc


def _descendants(company_id: int, category_id: int) -> list[int]:
    rows = db.session.execute(select(KnowledgeCategory.id, KnowledgeCategory.parent_id).where(
        KnowledgeCategory.company_id == company_id)).all()
    children: dict[int | None, list[int]] = {}
    for cid, parent in rows:
        children.setdefault(parent, []).append(cid)
    if category_id not in {cid for cid, _ in rows}:
        return []
    out, todo = [], [category_id]
    while todo:
        cid = todo.pop()
        out.append(cid)
        todo += children.get(cid, [])
    return out


def search_page(user: User, q: str, category_id: int | None, page: int, per_page: int) -> dict[str, Any]:
    """Search the agent's scope (within a category and its subcategories when one is given)."""
    scope = agent_scope(user)
    if category_id:
        cats = tuple(_descendants(scope.company_id, category_id))
        scope = replace(scope, category_ids=cats)
    return search(scope, q, page, per_page).as_dict()


def browse_page(user: User, category_id: int | None, page: int, per_page: int) -> dict[str, Any]:
    """List a category's visible items (with its subcategories; None: uncategorised) by title."""
    scope = agent_scope(user)
    D, E, A = KnowledgeDoc, KnowledgeEntry, KnowledgeArticle
    conds = _conditions(scope)
    if category_id:
        conds.append(D.category_id.in_(_descendants(scope.company_id, category_id) or [-1]))
    else:
        conds.append(D.category_id.is_(None))
    title = func.coalesce(E.question, A.title)
    total = db.session.scalar(select(func.count()).select_from(D).where(and_(*conds))) or 0
    rows = db.session.execute(
        select(D.id, D.kind, D.entry_id, D.article_id, title.label("title"),
               func.coalesce(E.answer, A.body).label("body"))
        .outerjoin(E, E.id == D.entry_id).outerjoin(A, A.id == D.article_id)
        .where(and_(*conds)).order_by(title, D.id)
        .offset((page - 1) * per_page).limit(per_page)).all()
    hits = []
    for r in rows:
        text = " ".join(plain_text(r.body or "").split())
        cut = text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else "")
        hits.append({"doc_id": r.id, "kind": r.kind, "entry_id": r.entry_id, "article_id": r.article_id,
                     "title": r.title, "matched": "", "title_html": str(escape(r.title)),
                     "snippet_html": str(escape(cut))})
    return {"query": "", "terms": [], "total": int(total), "page": page, "per_page": per_page,
            "hits": hits}


def tree(user: User) -> dict[str, Any]:
    """The category tree with each node's number of visible items (subcategories included)."""
    scope = agent_scope(user)
    counts = dict(db.session.execute(
        select(KnowledgeDoc.category_id, func.count()).where(and_(*_conditions(scope)))
        .group_by(KnowledgeDoc.category_id)).all())
    nodes = category_tree(scope.company_id)

    def add(node: dict[str, Any]) -> int:
        node["count"] = counts.get(node["id"], 0) + sum(add(c) for c in node["children"])
        return int(node["count"])

    for node in nodes:
        add(node)
    return {"tree": nodes, "uncategorised": int(counts.get(None, 0))}


def _path(company_id: int, category_id: int | None) -> list[dict[str, Any]]:
    """The category and its ancestors, root first."""
    if category_id is None:
        return []
    rows = {c.id: c for c in db.session.scalars(select(KnowledgeCategory).where(
        KnowledgeCategory.company_id == company_id))}
    path: list[dict[str, Any]] = []
    at = rows.get(category_id)
    while at is not None and len(path) < 10:
        path.insert(0, {"id": at.id, "name": at.name, "name_en": at.name_en})
        at = rows.get(at.parent_id) if at.parent_id else None
    return path


def _is_favourite(user: User, kind: str, obj_id: int) -> bool:
    column = KnowledgeFavourite.entry_id if kind == "entry" else KnowledgeFavourite.article_id
    return db.session.scalar(select(KnowledgeFavourite.id).where(
        KnowledgeFavourite.user_id == user.id, column == obj_id)) is not None


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def item(user: User, kind: str, obj_id: int) -> dict[str, Any]:
    """One entry or article the agent may see: sanitised HTML, plain text to reply with, related."""
    scope = agent_scope(user)
    doc = visible_doc(user, kind, obj_id, scope)
    related: list[dict[str, Any]] = []
    obj: KnowledgeEntry | KnowledgeArticle | None
    if kind == "entry":
        obj = db.session.get(KnowledgeEntry, obj_id)
        assert obj is not None  # its document exists, and deleting one deletes the other
        title, raw, similar = obj.question, obj.answer, list(obj.similar or [])
        docs = {d.entry_id: d for d in db.session.scalars(select(KnowledgeDoc).where(
            KnowledgeDoc.entry_id.in_(obj.related_ids or [-1])))}
        related = [{"kind": "entry", "id": e.id, "title": e.question} for e in related_entries(obj)
                   if e.id in docs and _visible(scope, docs[e.id])][:RELATED_MAX]
    else:
        obj = db.session.get(KnowledgeArticle, obj_id)
        assert obj is not None
        title, raw, similar = obj.title, obj.body, []
    if not related:  # nothing curated: the items that search best for this one's title
        for h in search(scope, title, 1, RELATED_MAX + 1).hits:
            if h.doc_id != doc.id and len(related) < RELATED_MAX:
                related.append({"kind": "article" if h.article_id else "entry",
                                "id": h.article_id or h.entry_id, "title": h.title})
    # Sanitised again on the way out: a row written before the sanitiser (or by hand in the
    # database) must not carry markup the panel would show.
    body_html = sanitize(raw)
    return {"item": {
        "kind": kind, "id": obj_id, "doc_id": doc.id, "title": title, "similar": similar,
        "body_html": body_html, "text": plain_text(body_html),
        "category": _path(scope.company_id, doc.category_id),
        "updated_at": _stamp(obj.updated_at), "favourite": _is_favourite(user, kind, obj_id),
        "related": related,
    }}


def favourites(user: User) -> dict[str, Any]:
    """The agent's favourites that they may still see, newest first (hidden ones stay stored)."""
    scope = agent_scope(user)
    F, D = KnowledgeFavourite, KnowledgeDoc
    rows = db.session.execute(
        select(F.entry_id, F.article_id, F.created_at, D,
               func.coalesce(KnowledgeEntry.question, KnowledgeArticle.title).label("title"))
        .join(D, or_(and_(F.entry_id.is_not(None), D.entry_id == F.entry_id),
                     and_(F.article_id.is_not(None), D.article_id == F.article_id)))
        .outerjoin(KnowledgeEntry, KnowledgeEntry.id == F.entry_id)
        .outerjoin(KnowledgeArticle, KnowledgeArticle.id == F.article_id)
        .where(F.user_id == user.id, F.company_id == scope.company_id)
        .order_by(F.created_at.desc(), F.id.desc()).limit(FAVOURITES_MAX)).all()
    out = []
    for r in rows:
        if not _visible(scope, r.KnowledgeDoc):
            continue
        kind = "entry" if r.entry_id else "article"
        out.append({"kind": kind, "id": r.entry_id or r.article_id, "doc_id": r.KnowledgeDoc.id,
                    "doc_kind": r.KnowledgeDoc.kind, "title": r.title,
                    "created_at": _stamp(r.created_at)})
    return {"favourites": out}
