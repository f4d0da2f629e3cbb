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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import bindparam, literal, select, text

from ..extensions import db
from ..timeutil import UTCDateTime
from .html import plain_text
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
# Candidates are drawn by the rarest terms of a long query only (all of them still score):
# every more term is one more test of every matching row, and a pasted 10,000-character query
# of 15 terms, common ones like 退款 and 订单 among them, took the database 40 ms.
CANDIDATE_TERMS = 10
PER_PAGE_MAX = 50
SNIPPET_CHARS = 120



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


class _Sql:
    """The scope as an SQL condition with its parameters, written once per search.

    Plain SQL rather than SQLAlchemy expressions: building and compiling ~30 expression objects
    per query cost more than the queries themselves.
    """

    def __init__(self, scope: Scope) -> None:
        self.params: dict[str, Any] = {"company": scope.company_id}
        self.types: dict[str, Any] = {}
        parts = ["d.company_id = :company", f"d.kind IN ({self._list('k', scope.kinds)})",
                 f"d.status IN ({self._list('s', scope.statuses)})"]
        if scope.valid_at is not None:
            self.params["at"] = scope.valid_at
            self.types["at"] = UTCDateTime()
            parts += ["(d.valid_from IS NULL OR d.valid_from <= :at)",
                      "(d.valid_until IS NULL OR d.valid_until > :at)"]
        if scope.channel_id is not None:
            parts.append(self._member("channels", "c", [str(scope.channel_id)]))
        if scope.customer_groups is not None:
            parts.append(self._member("customer_groups", "g", list(scope.customer_groups)))
        if scope.skill_group_ids is not None:
            parts.append(self._member("skill_groups", "sg", [str(g) for g in scope.skill_group_ids]))
        if scope.category_ids is not None:
            parts.append(f"d.category_id IN ({self._list('cat', scope.category_ids) or 'NULL'})")
        self.where = " AND ".join(parts)

    def _list(self, prefix: str, values: Sequence[Any]) -> str:
        names = []
        for n, value in enumerate(values):
            self.params[f"{prefix}{n}"] = value
            names.append(f":{prefix}{n}")
        return ", ".join(names) or "NULL"

    def _member(self, column: str, prefix: str, values: list[str]) -> str:
        """Empty list (everyone) or one of the values between its delimiters."""
        tests = [f"d.{column} = ''"]
        for n, value in enumerate(values):
            escaped = value.replace("/", "//").replace("%", "/%").replace("_", "/_")
            self.params[f"{prefix}{n}"] = f"%\n{escaped}\n%"
            tests.append(f"d.{column} LIKE :{prefix}{n} ESCAPE '/'")
        return "(" + " OR ".join(tests) + ")"

    def run(self, sql: str, **extra: Any) -> Any:
        stmt = text(sql).bindparams(*[bindparam(k, type_=t) for k, t in self.types.items()])
        return db.session.connection().execute(stmt, {**self.params, **extra})


def _fts_match(terms: Sequence[str]) -> str:
    # Terms are letters/digits or CJK only (tokens.py), so quoting them is enough.
    return " OR ".join(f'"{t}"' for t in terms)


def _tsquery(terms: Sequence[str]) -> str:
    return " | ".join(f"'{t}'" for t in terms)


def _stats(sql: _Sql) -> tuple[int, float]:
    row = sql.run(f"SELECT count(*), coalesce(avg(d.length), 0) FROM knowledge_doc d WHERE {sql.where}").one()
    return int(row[0]), float(row[1]) or 1.0


# Corpus statistics (N, average length, document frequencies) per scope, for a few seconds:
# visitors ask the same few things, and a frequency a moment old changes a score, not what is
# found. A term seen in no document is never remembered, so a new entry is found at once; a
# write in this process forgets everything (knowledge/actions.py calls forget_statistics).
STATS_TTL = 30.0
STATS_MAX = 20_000
_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}


def forget_statistics() -> None:
    """Drop the remembered corpus statistics (after a knowledge write)."""
    _cache.clear()


def _remembered(key: tuple[Any, ...]) -> Any:
    hit = _cache.get(key)
    if hit is None or time.monotonic() - hit[0] > STATS_TTL:
        return None
    return hit[1]


def _remember(key: tuple[Any, ...], value: Any) -> None:
    if len(_cache) >= STATS_MAX:
        _cache.clear()
    _cache[key] = (time.monotonic(), value)


def _statistics(pg: bool, terms: list[str], sql: _Sql) -> tuple[int, float, list[int]]:
    scope_key = (db.engine.url.render_as_string(), sql.where, tuple(sorted(sql.params.items(), key=str)))
    stats = _remembered(scope_key)
    if stats is None:
        stats = _stats(sql)
        _remember(scope_key, stats)
    n_docs, avgdl = stats
    if not n_docs:
        return 0, avgdl, [0] * len(terms)
    known = {t: _remembered((*scope_key, t)) for t in terms}
    missing = [t for t, df in known.items() if df is None]
    if missing:
        for t, df in zip(missing, _document_frequencies(pg, missing, sql), strict=True):
            known[t] = df
            if df:
                _remember((*scope_key, t), df)
    return n_docs, avgdl, [int(known[t] or 0) for t in terms]


def _document_frequencies(pg: bool, terms: list[str], sql: _Sql) -> list[int]:
    extra = {f"t{n}": (_tsquery([t]) if pg else _fts_match([t])) for n, t in enumerate(terms)}
    if pg:
        counts = ", ".join(f"count(*) FILTER (WHERE d.search_vector @@ to_tsquery('simple', :t{n}))"
                           for n in range(len(terms)))
        row = sql.run(f"SELECT {counts} FROM knowledge_doc d WHERE {sql.where} "
                      "AND d.search_vector @@ to_tsquery('simple', :all)", all=_tsquery(terms), **extra).one()
    else:
        # `id IN (FTS query)`: SQLite runs the FTS query once; a join would probe it for every row.
        counts = ", ".join(
            f"(SELECT count(*) FROM knowledge_doc d WHERE {sql.where} AND d.id IN "
            f"(SELECT rowid FROM knowledge_fts WHERE knowledge_fts MATCH :t{n}))" for n in range(len(terms)))
        row = sql.run(f"SELECT {counts}", **extra).one()
    return [int(v) for v in row]


def _candidates(pg: bool, terms: list[str], idf: dict[str, float], sql: _Sql, limit: int) -> list[Any]:
    """The best `limit` matches by the database's own ranking, with their tokens, and the match count.

    The ranking query carries only ids (a sort of wide token rows cost more than the ranking);
    the tokens of the chosen few are read afterwards by primary key.
    """
    if pg:
        extra: dict[str, Any] = {f"t{n}": _tsquery([t]) for n, t in enumerate(terms)}
        extra.update({f"w{n}": idf[t] for n, t in enumerate(terms)})
        weight = " + ".join(f"(CASE WHEN d.search_vector @@ to_tsquery('simple', :t{n}) "
                            f"THEN CAST(:w{n} AS float8) ELSE 0 END)" for n in range(len(terms)))
        # The weight is computed in a materialized CTE: flattened, the window below carried every
        # matching row whole (tsvector and all) and spilled to disk for a common term like 退款.
        ranked = sql.run(f"WITH m AS MATERIALIZED (SELECT d.id, {weight} AS w FROM knowledge_doc d "
                         f"WHERE {sql.where} AND d.search_vector @@ to_tsquery('simple', :all)) "
                         "SELECT m.id, count(*) OVER () AS total FROM m ORDER BY m.w DESC, m.id LIMIT :limit",
                         all=_tsquery(terms), limit=limit, **extra).all()
    else:
        # bm25() only works next to its MATCH: rank inside the FTS query, filter and count outside.
        ranked = sql.run(
            "WITH ranked AS MATERIALIZED (SELECT rowid, "
            f"bm25(knowledge_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}) AS rank FROM knowledge_fts "
            f"WHERE knowledge_fts MATCH :m) SELECT d.id, count(*) OVER () AS total FROM knowledge_doc d "
            f"JOIN ranked r ON r.rowid = d.id WHERE {sql.where} ORDER BY r.rank, d.id LIMIT :limit",
            m=_fts_match(terms), limit=limit).all()
    if not ranked:
        return []
    ids = [r.id for r in ranked]
    docs = {r.id: r for r in _run(select(
        KnowledgeDoc.id, KnowledgeDoc.kind, KnowledgeDoc.entry_id, KnowledgeDoc.article_id,
        KnowledgeDoc.title_tokens, KnowledgeDoc.body_tokens, KnowledgeDoc.length,
        literal(int(ranked[0].total)).label("total")).where(KnowledgeDoc.id.in_(ids)))}
    return [docs[i] for i in ids if i in docs]


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


@contextmanager
def _index_scans(pg: bool) -> Iterator[None]:
    """On PostgreSQL, match through the GIN index even where the planner would scan the table.

    The planner prices a tsvector match like any operator and scans the table when a common
    term (退款) matches a quarter of the rows, but testing every row took 25 ms where the GIN
    bitmap took 5 (20,000 entries, `kefu bench knowledge`). Transaction-local, and put back.
    """
    if not pg:
        yield
        return
    was = db.session.connection().execute(
        text("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")).scalar()
    try:
        yield
    finally:
        db.session.connection().execute(text("SELECT set_config('enable_seqscan', :was, true)"),
                                        {"was": was})


def search(scope: Scope, query: str, page: int = 1, per_page: int = 10) -> Page:
    """Rank the scope's documents for the query by BM25; return one page, highlighted."""
    started = time.perf_counter()
    page, per_page = max(1, page), max(1, min(per_page, PER_PAGE_MAX))
    terms = query_terms(query or "")
    if not terms:
        return Page(query, [], 0, page, per_page, [], (time.perf_counter() - started) * 1000)
    pg = db.engine.dialect.name == "postgresql"
    sql = _Sql(scope)
    with _index_scans(pg):
        n_docs, avgdl, dfs = _statistics(pg, terms, sql)
        present = [t for t, df in zip(terms, dfs, strict=True) if df]
        if not present:
            return Page(query, terms, 0, page, per_page, [], (time.perf_counter() - started) * 1000)
        idf = {t: idf_of(n_docs, df) for t, df in zip(terms, dfs, strict=True) if df}
        drawing = sorted(present, key=lambda t: -idf[t])[:CANDIDATE_TERMS]
        rows = _candidates(pg, drawing, idf, sql, max(CANDIDATES, page * per_page))
    total = int(rows[0].total) if rows else 0
    scored = sorted(((bm25(r.title_tokens, r.body_tokens, r.length, present, idf, avgdl), r) for r in rows),
                    key=lambda pair: (-pair[0], pair[1].id))
    chosen = scored[(page - 1) * per_page: page * per_page]
    hits = [Hit(r.id, r.kind, r.entry_id, r.article_id, s) for s, r in chosen]
    _decorate(hits, set(present))
    return Page(query, terms, total, page, per_page, hits, (time.perf_counter() - started) * 1000)


def _run(stmt: Any) -> Any:
    return db.session.connection().execute(stmt)


def _decorate(hits: list[Hit], terms: set[str]) -> None:
    """Fill in titles, the best-matching question and highlighted snippets of a page of hits."""
    entry_ids = [h.entry_id for h in hits if h.entry_id]
    article_ids = [h.article_id for h in hits if h.article_id]
    E, A = KnowledgeEntry, KnowledgeArticle
    entries = {r.id: r for r in _run(select(E.id, E.question, E.similar, E.answer)
                                     .where(E.id.in_(entry_ids)))} if entry_ids else {}
    articles = {r.id: r for r in _run(select(A.id, A.title, A.body)
                                      .where(A.id.in_(article_ids)))} if article_ids else {}
    for hit in hits:
        if hit.entry_id in entries:
            entry = entries[hit.entry_id]
            hit.title = entry.question
            questions = [entry.question, *(entry.similar or [])]
            hit.matched = max(questions, key=lambda q: len({t.term for t in tokenize(q)} & terms))
            body = plain_text(entry.answer)
            hit.title_html = highlight(entry.question, terms)
        elif hit.article_id in articles:
            article = articles[hit.article_id]
            hit.title, body = article.title, plain_text(article.body)
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
    parts, at = [], 0
    for start, end in merged:
        parts += [str(escape(text_[at:start])), "<mark>", str(escape(text_[start:end])), "</mark>"]
        at = end
    parts.append(str(escape(text_[at:])))
    return Markup("".join(parts))  # every piece of text above went through escape()


def snippet(text_: str, terms: set[str], width: int = SNIPPET_CHARS) -> Markup:
    """A window of the text around its first match, escaped and highlighted, with … at cuts."""
    text_ = " ".join(text_.split())
    # Only the head is looked at for the first match: a snippet is for the eye, and a long body
    # would cost its whole segmentation on every result page.
    first = next((t.start for t in tokenize(text_, limit=2000) if t.term in terms), 0)
    start = max(0, min(first - width // 4, len(text_) - width))
    window = text_[start:start + width]
    out = highlight(window, terms)
    if start > 0:
        out = Markup("…") + out
    if start + width < len(text_):
        out += Markup("…")
    return out
