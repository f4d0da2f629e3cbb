"""BM25 search of the knowledge base on SQLite (FTS5) and PostgreSQL (tsvector + GIN), ranked alike.

The database finds the matching documents inside the scope (company, kinds, status, validity,
audience, visibility) and hands back the best candidates by its own ranking (FTS5 `bm25()`; on
PostgreSQL, whose ts_rank is not BM25, the idf-weighted number of matched terms). The final
ranking is Okapi BM25 computed here from the stored tokens, with N, average length and document
frequencies taken over the same scope on both databases, so both give the same order
(reference/dependencies.md §7).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import case, column, func, literal_column, or_, select, table, text
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from .index import article_texts, entry_texts
from .models import KnowledgeArticle, KnowledgeDoc, KnowledgeEntry
from .tokens import query_terms, tokenize

K1 = 1.2
B = 0.75
# Field weights (a term in the questions or title counts TITLE_WEIGHT times one in the answer or
# body). Measured on seed_data/knowledge_eval.yaml: weighting questions 2-8x did not beat 1x
# (top-3 90.9 % vs 91.7 %), so both count alike; the knob stays for larger, wordier bases.
TITLE_WEIGHT = 1.0
BODY_WEIGHT = 1.0
# Candidates the database ranks for the exact BM25 here; more than any page anyone reads.
CANDIDATES = 200
PER_PAGE_MAX = 50
SNIPPET_CHARS = 120

_fts = table("knowledge_fts", column("rowid"))
_Doc = KnowledgeDoc


@dataclass(frozen=True)
class Scope:
    """What a search may find. None means "do not filter on this"."""

    company_id: int
    kinds: tuple[str, ...] = ("qa",)
    statuses: tuple[str, ...] = ("published",)
    valid_at: datetime | None = None  # the robot and the panel pass now; the console None
    channel_id: int | None = None
    customer_groups: tuple[str, ...] | None = None  # the visitor's tags
    skill_group_ids: tuple[int, ...] | None = None  # the agent's groups (internal articles)
    category_ids: tuple[int, ...] | None = None


@dataclass
class Hit:
    """One ranked result with its escaped, highlighted title and snippet."""

    doc_id: int
    kind: str
    entry_id: int | None
    article_id: int | None
    score: float
    title: str = ""
    matched: str = ""  # the question or similar question that matched best (Q&A)
    title_html: Markup = field(default_factory=Markup)
    snippet_html: Markup = field(default_factory=Markup)


@dataclass
class Page:
    """A page of results and what the query became."""

    query: str
    terms: list[str]
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    took_ms: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (HTML fields are safe strings)."""
        return {
            "query": self.query, "terms": self.terms, "total": self.total, "page": self.page,
            "per_page": self.per_page, "took_ms": round(self.took_ms, 2),
            "hits": [{"doc_id": h.doc_id, "kind": h.kind, "entry_id": h.entry_id,
                      "article_id": h.article_id, "score": round(h.score, 4), "title": h.title,
                      "matched": h.matched, "title_html": str(h.title_html),
                      "snippet_html": str(h.snippet_html)} for h in self.hits],
        }


def _scope_filters(scope: Scope) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        _Doc.company_id == scope.company_id, _Doc.kind.in_(scope.kinds), _Doc.status.in_(scope.statuses),
    ]
    if scope.valid_at is not None:
        at = scope.valid_at
        where += [or_(_Doc.valid_from.is_(None), _Doc.valid_from <= at),
                  or_(_Doc.valid_until.is_(None), _Doc.valid_until > at)]
    if scope.channel_id is not None:
        where.append(or_(_Doc.channels == "", _Doc.channels.contains(f"\n{scope.channel_id}\n")))
    if scope.customer_groups is not None:
        where.append(or_(_Doc.customer_groups == "", *[
            _Doc.customer_groups.contains(f"\n{g}\n", autoescape=True) for g in scope.customer_groups]))
    if scope.skill_group_ids is not None:
        where.append(or_(_Doc.skill_groups == "", *[
            _Doc.skill_groups.contains(f"\n{g}\n") for g in scope.skill_group_ids]))
    if scope.category_ids is not None:
        where.append(_Doc.category_id.in_(scope.category_ids))
    return where


def _fts_match(terms: Sequence[str]) -> str:
    # Terms are letters/digits or CJK only (tokens.py), so quoting them is enough.
    return " OR ".join(f'"{t}"' for t in terms)


def _tsquery(terms: Sequence[str]) -> ColumnElement[Any]:
    return func.to_tsquery(literal_column("'simple'"), " | ".join(f"'{t}'" for t in terms))


def _stats(where: list[ColumnElement[bool]]) -> tuple[int, float]:
    row = db.session.execute(
        select(func.count(_Doc.id), func.coalesce(func.avg(_Doc.length), 0)).where(*where)).one()
    return int(row[0]), float(row[1]) or 1.0


def _document_frequencies(pg: bool, terms: list[str], where: list[ColumnElement[bool]]) -> list[int]:
    if pg:
        vector = _Doc.search_vector
        counts = [func.count().filter(vector.op("@@")(_tsquery([t]))) for t in terms]
        row = db.session.execute(select(*counts).where(*where, vector.op("@@")(_tsquery(terms)))).one()
        return [int(v) for v in row]
    subqueries = [
        select(func.count()).select_from(_Doc).join(_fts, _fts.c.rowid == _Doc.id)
        .where(text("knowledge_fts MATCH :m" + str(i)).bindparams(**{f"m{i}": _fts_match([t])}), *where)
        .scalar_subquery()
        for i, t in enumerate(terms)
    ]
    return [int(v) for v in db.session.execute(select(*subqueries)).one()]


def _candidates(pg: bool, terms: list[str], idf: dict[str, float], where: list[ColumnElement[bool]],
                limit: int) -> list[Any]:
    columns = (_Doc.id, _Doc.kind, _Doc.entry_id, _Doc.article_id, _Doc.title_tokens, _Doc.body_tokens,
               _Doc.length, func.count().over().label("total"))
    if pg:
        vector = _Doc.search_vector
        weight: ColumnElement[Any] = sum(
            (case((vector.op("@@")(_tsquery([t])), idf[t]), else_=0.0) for t in terms),
            start=literal_column("0.0"))
        stmt = (select(*columns).where(*where, vector.op("@@")(_tsquery(terms)))
                .order_by(weight.desc(), _Doc.id).limit(limit))
    else:
        # bm25() only works next to its MATCH: rank inside the FTS query, filter and count outside.
        ranked = (select(_fts.c.rowid, literal_column(
            f"bm25(knowledge_fts, {TITLE_WEIGHT}, {BODY_WEIGHT})").label("rank"))
            .where(text("knowledge_fts MATCH :m").bindparams(m=_fts_match(terms)))
            .cte("ranked").prefix_with("MATERIALIZED"))
        stmt = (select(*columns).select_from(_Doc).join(ranked, ranked.c.rowid == _Doc.id)
                .where(*where).order_by(ranked.c.rank, _Doc.id).limit(limit))
    return list(db.session.execute(stmt).all())


def idf_of(n_docs: int, df: int) -> float:
    """Okapi BM25's idf in its non-negative form (Lucene's): ln(1 + (N - n + 0.5) / (n + 0.5))."""
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def bm25(title_tokens: str, body_tokens: str, length: int, terms: Sequence[str],
         idf: dict[str, float], avgdl: float) -> float:
    """Score one document: per term, weighted frequency over the fields, saturated and normalised."""
    title, body = title_tokens.split(), body_tokens.split()
    norm = K1 * (1.0 - B + B * length / avgdl)
    score = 0.0
    for t in terms:
        tf = TITLE_WEIGHT * title.count(t) + BODY_WEIGHT * body.count(t)
        if tf:
            score += idf[t] * tf * (K1 + 1.0) / (tf + norm)
    return score


def search(scope: Scope, query: str, page: int = 1, per_page: int = 10) -> Page:
    """Rank the scope's documents for the query by BM25; return one page, highlighted."""
    started = time.perf_counter()
    page, per_page = max(1, page), max(1, min(per_page, PER_PAGE_MAX))
    terms = query_terms(query or "")
    if not terms:
        return Page(query, [], 0, page, per_page, [], (time.perf_counter() - started) * 1000)
    pg = db.engine.dialect.name == "postgresql"
    where = _scope_filters(scope)
    n_docs, avgdl = _stats(where)
    dfs = _document_frequencies(pg, terms, where) if n_docs else [0] * len(terms)
    present = [t for t, df in zip(terms, dfs, strict=True) if df]
    if not present:
        return Page(query, terms, 0, page, per_page, [], (time.perf_counter() - started) * 1000)
    idf = {t: idf_of(n_docs, df) for t, df in zip(terms, dfs, strict=True) if df}
    rows = _candidates(pg, present, idf, where, max(CANDIDATES, page * per_page))
    total = int(rows[0].total) if rows else 0
    scored = sorted(((bm25(r.title_tokens, r.body_tokens, r.length, present, idf, avgdl), r) for r in rows),
                    key=lambda pair: (-pair[0], pair[1].id))
    chosen = scored[(page - 1) * per_page: page * per_page]
    hits = [Hit(r.id, r.kind, r.entry_id, r.article_id, s) for s, r in chosen]
    _decorate(hits, set(present))
    return Page(query, terms, total, page, per_page, hits, (time.perf_counter() - started) * 1000)


def _decorate(hits: list[Hit], terms: set[str]) -> None:
    """Fill in titles, the best-matching question and highlighted snippets of a page of hits."""
    entry_ids = [h.entry_id for h in hits if h.entry_id]
    article_ids = [h.article_id for h in hits if h.article_id]
    entries = {e.id: e for e in db.session.scalars(
        select(KnowledgeEntry).where(KnowledgeEntry.id.in_(entry_ids)))} if entry_ids else {}
    articles = {a.id: a for a in db.session.scalars(
        select(KnowledgeArticle).where(KnowledgeArticle.id.in_(article_ids)))} if article_ids else {}
    for hit in hits:
        if hit.entry_id in entries:
            entry = entries[hit.entry_id]
            hit.title = entry.question
            questions = [entry.question, *entry.similar]
            hit.matched = max(questions, key=lambda q: len({t.term for t in tokenize(q)} & terms))
            _, body = entry_texts(entry)
            hit.title_html = highlight(entry.question, terms)
        elif hit.article_id in articles:
            article = articles[hit.article_id]
            hit.title, body = article_texts(article)
            hit.title_html = highlight(hit.title, terms)
        else:
            continue
        hit.snippet_html = snippet(body, terms)


def highlight(text_: str, terms: set[str]) -> Markup:
    """Escape the text and wrap the parts that match query terms in <mark>."""
    spans: list[list[int]] = []
    for token in tokenize(text_):
        if token.term in terms:
            if spans and token.start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], token.end)
            else:
                spans.append([token.start, token.end])
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = Markup(), 0
    for start, end in merged:
        out += escape(text_[at:start]) + Markup("<mark>") + escape(text_[start:end]) + Markup("</mark>")
        at = end
    return out + escape(text_[at:])


def snippet(text_: str, terms: set[str], width: int = SNIPPET_CHARS) -> Markup:
    """A window of the text around its first match, escaped and highlighted, with … at cuts."""
    text_ = " ".join(text_.split())
    first = next((t.start for t in tokenize(text_) if t.term in terms), 0)
    start = max(0, min(first - width // 4, len(text_) - width))
    window = text_[start:start + width]
    out = highlight(window, terms)
    if start > 0:
        out = Markup("…") + out
    if start + width < len(text_):
        out += Markup("…")
    return out
