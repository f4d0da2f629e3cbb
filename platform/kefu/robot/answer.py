"""How the robot answers one question: search the visitor's scope, judge how sure it is, decide.

BM25 scores grow with the query's length and the corpus, so they cannot be compared with a fixed
threshold. The robot's confidence is instead the share of the query's information (its terms
weighted by idf; a term no entry has counts fully) that the best entry covers, in its questions
(full weight) or answer (half weight). Thresholds on it mean the same for a short 退款 and a long
English sentence, for a 70-entry and a 20,000-entry base (calibrated on seed_data/knowledge_eval.yaml:
tests/robot/test_calibration.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..knowledge import search as kb
from ..knowledge.models import KnowledgeDoc
from ..knowledge.tokens import query_terms

KINDS = ("qa", "greeting", "chitchat")
SUGGEST_MAX = 3  # "did you mean" buttons
BODY_SHARE = 0.5  # a term found only in the answer counts half
# A runner-up about as sure (within TIE_MARGIN) and ranked about as high by BM25 (at least
# TIE_RATIO of the best score) makes the robot ask rather than guess: 发票 alone fits several entries.
TIE_MARGIN = 0.05
TIE_RATIO = 0.8
QUESTION_MAX = 500  # characters of a visitor's message the robot reads


@dataclass
class Candidate:
    """One entry the robot may give, with its confidence 0..1."""

    entry_id: int
    kind: str
    title: str
    confidence: float
    score: float


@dataclass
class Match:
    """What the search made of a question: the decision and its candidates."""

    outcome: str  # answered | suggested | unknown (greeting/chitchat come out as answered + kind)
    best: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)
    took_ms: float = 0.0
    hits: int = 0
    top_doc_id: int | None = None


def coverage(terms: list[str], idf: dict[str, float], title: set[str], body: set[str],
             unknown_idf: float) -> float:
    """Share of the query's idf mass a document covers (questions fully, answer by BODY_SHARE)."""
    total = got = 0.0
    for t in terms:
        weight = idf.get(t, unknown_idf)
        total += weight
        if t in title:
            got += weight
        elif t in body:
            got += BODY_SHARE * weight
    return got / total if total else 0.0


def match(scope: kb.Scope, question: str, confident: float, suggest: float,
          per_page: int = SUGGEST_MAX + 1) -> Match:
    """Search the scope for a question and decide: answer the best, suggest a few, or not know."""
    started = time.perf_counter()
    question = question[:QUESTION_MAX]
    page = kb.search(scope, question, per_page=per_page)
    result = Match("unknown", hits=page.total,
                   top_doc_id=page.hits[0].doc_id if page.hits else None)
    if page.hits:
        terms = query_terms(question)
        # The same corpus statistics the search just used (remembered for a few seconds).
        sql = kb._Sql(scope)  # noqa: SLF001 - one package's two halves
        n_docs, _avgdl, dfs = kb._statistics(db.engine.dialect.name == "postgresql", terms, sql)  # noqa: SLF001
        idf = {t: kb.idf_of(n_docs, df) for t, df in zip(terms, dfs, strict=True) if df}
        unknown = kb.idf_of(n_docs, 0)
        ids = [h.doc_id for h in page.hits]
        docs = {r.id: r for r in db.session.execute(select(
            KnowledgeDoc.id, KnowledgeDoc.title_tokens, KnowledgeDoc.body_tokens).where(
            KnowledgeDoc.id.in_(ids)))}
        for h in page.hits:
            doc = docs.get(h.doc_id)
            if doc is None or h.entry_id is None:
                continue
            conf = coverage(terms, idf, set(doc.title_tokens.split()), set(doc.body_tokens.split()),
                            unknown)
            result.candidates.append(Candidate(h.entry_id, h.kind, h.title, round(conf, 4), h.score))
        # BM25 ranks; confidence decides. Keep the search's order among equally sure candidates.
        result.candidates.sort(key=lambda c: -c.confidence)
    close = [c for c in result.candidates if c.confidence >= suggest]
    if close:
        best = close[0]
        runner_up = close[1] if len(close) > 1 else None
        tied = runner_up is not None and best.confidence - runner_up.confidence < TIE_MARGIN \
            and runner_up.score >= best.score * TIE_RATIO
        if best.confidence >= confident and not tied:
            result.outcome, result.best = "answered", best
            result.candidates = [c for c in close[1:SUGGEST_MAX + 1]]
        else:
            result.outcome, result.best = "suggested", best
            result.candidates = close[:SUGGEST_MAX]
    else:
        result.candidates = []
    result.took_ms = (time.perf_counter() - started) * 1000
    return result
