"""Keep an entry's or article's search document in step with it, inside the writing transaction."""

from __future__ import annotations

from sqlalchemy import delete, select

from ..extensions import db
from .html import plain_text
from .models import KnowledgeArticle, KnowledgeDoc, KnowledgeEntry
from .tokens import terms


def _listed(values: list[str]) -> str:
    """Delimit a list so that `LIKE '%<d>value<d>%'` finds one member; empty for none."""
    return "".join(f"\n{v}" for v in values) + "\n" if values else ""


def entry_texts(entry: KnowledgeEntry) -> tuple[str, str]:
    """The title text (question and similar questions) and body text (answer) that are indexed."""
    return "\n".join([entry.question, *entry.similar]), plain_text(entry.answer)


def article_texts(article: KnowledgeArticle) -> tuple[str, str]:
    """The title and the body's plain text."""
    return article.title, plain_text(article.body)


def _fill(doc: KnowledgeDoc, title: str, body: str) -> None:
    title_terms, body_terms = terms(title), terms(body)
    doc.title_tokens = " ".join(title_terms)
    doc.body_tokens = " ".join(body_terms)
    doc.length = len(title_terms) + len(body_terms)


def build_entry_doc(entry: KnowledgeEntry, doc: KnowledgeDoc | None = None) -> KnowledgeDoc:
    """Return the entry's document (new or the given one) filled from the entry."""
    doc = doc or KnowledgeDoc(company_id=entry.company_id, entry_id=entry.id)
    doc.kind, doc.status, doc.category_id = entry.kind, entry.status, entry.category_id
    doc.valid_from, doc.valid_until = entry.valid_from, entry.valid_until
    doc.channels = _listed([str(c) for c in entry.channel_ids])
    doc.customer_groups = _listed(list(entry.customer_groups))
    doc.skill_groups = ""
    _fill(doc, *entry_texts(entry))
    return doc


def build_article_doc(article: KnowledgeArticle, doc: KnowledgeDoc | None = None) -> KnowledgeDoc:
    """Return the article's document (new or the given one) filled from the article."""
    doc = doc or KnowledgeDoc(company_id=article.company_id, article_id=article.id)
    doc.kind, doc.status, doc.category_id = "article", article.status, article.category_id
    doc.valid_from = doc.valid_until = None
    doc.channels = doc.customer_groups = ""
    doc.skill_groups = _listed([str(g) for g in article.skill_group_ids])
    _fill(doc, *article_texts(article))
    return doc


def reindex(obj: KnowledgeEntry | KnowledgeArticle, *, fresh: bool = False) -> KnowledgeDoc:
    """Write the object's document in the current transaction (the caller commits).

    fresh: the object was just created, so there is no document to look up (bulk imports).
    """
    doc: KnowledgeDoc | None = None
    if isinstance(obj, KnowledgeEntry):
        if not fresh:
            doc = db.session.scalar(select(KnowledgeDoc).where(KnowledgeDoc.entry_id == obj.id))
        doc = build_entry_doc(obj, doc)
    else:
        if not fresh:
            doc = db.session.scalar(select(KnowledgeDoc).where(KnowledgeDoc.article_id == obj.id))
        doc = build_article_doc(obj, doc)
    db.session.add(doc)
    return doc


def unindex(obj: KnowledgeEntry | KnowledgeArticle) -> None:
    """Delete the object's document in the current transaction."""
    column = KnowledgeDoc.entry_id if isinstance(obj, KnowledgeEntry) else KnowledgeDoc.article_id
    # A statement now, not an ORM delete at flush: the flush knows no order between the document
    # and its article or entry, and deleting the owner first had the foreign key's cascade remove
    # the document under the ORM ("expected to delete 1 row, 0 were matched").
    db.session.execute(delete(KnowledgeDoc).where(column == obj.id).execution_options(
        synchronize_session="fetch"))
