"""Every write of the knowledge base: validated, audited, and re-indexed in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from sqlalchemy import func, select, text

from ..aftercommit import on_commit
from ..audit.actions import changes_of, record
from ..channels.models import Channel
from ..conversations.schemas import load
from ..errors import KefuError, NotFound
from ..extensions import db
from ..org.models import SkillGroup
from ..settings.actions import check_same_company
from ..timeutil import utcnow
from .html import plain_text, sanitize
from .index import reindex, unindex
from .models import (
    BODY_MAX,
    CATEGORY_DEPTH_MAX,
    GROUP_MAX,
    NAME_MAX,
    QUESTION_MAX,
    RELATED_MAX,
    SIMILAR_MAX,
    TITLE_MAX,
    KnowledgeArticle,
    KnowledgeCategory,
    KnowledgeEntry,
)
from .schemas import ArticleSchema, CategorySchema, EntrySchema
from .search import forget_statistics

Indexed = KnowledgeEntry | KnowledgeArticle


def _save(actor_id: int | None, obj: Any, *, created: bool) -> Any:
    """Scope-check, audit, re-index and commit one knowledge row (rolled back on refusal)."""
    changes = changes_of(obj)
    if created:
        db.session.add(obj)
    try:
        db.session.flush()  # ids for the audit row and the search document
        check_same_company(obj)
    except KefuError:
        db.session.rollback()
        raise
    record(actor_id, "create" if created else "update", obj, obj.company_id, changes)
    if isinstance(obj, Indexed):
        reindex(obj)
    on_commit(forget_statistics)
    db.session.commit()
    return obj


def _refuse(code: str, **params: Any) -> NoReturn:
    raise KefuError(code, **params)


def _question(value: str) -> str:
    value = " ".join(value.split())
    if not value or len(value) > QUESTION_MAX:
        _refuse("knowledge_question", fields={"question": [f"1-{QUESTION_MAX}"]}, limit=QUESTION_MAX)
    return value


def _similar(values: Iterable[str], question: str) -> list[str]:
    out = [" ".join(v.split()) for v in values]
    out = [v for v in dict.fromkeys(out) if v and v != question]
    if len(out) > SIMILAR_MAX or any(len(v) > QUESTION_MAX for v in out):
        _refuse("knowledge_similar", fields={"similar": ["too many or too long"]}, limit=SIMILAR_MAX,
                chars=QUESTION_MAX)
    return out


def _rich(value: str, code: str, field: str, *, required: bool) -> str:
    clean = sanitize(value)
    if len(clean) > BODY_MAX or (required and not plain_text(clean)):
        _refuse(code, fields={field: ["empty or too long"]}, limit=BODY_MAX)
    return clean


def _owned_ids(model: Any, company_id: int, ids: Iterable[int]) -> list[int]:
    """The ids in order without repeats, if all are the company's; else None."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = set(db.session.scalars(select(model.id).where(model.id.in_(wanted),
                                                           model.company_id == company_id)))
    return wanted if found == set(wanted) else []


def _apply_entry(entry: KnowledgeEntry, fields: dict[str, Any]) -> None:
    company_id = entry.company_id
    question = _question(fields["question"])
    entry.kind = fields["kind"]
    entry.question = question
    entry.similar = _similar(fields["similar"], question)
    entry.answer = _rich(fields["answer"], "knowledge_answer", "answer", required=True)
    entry.category_id = fields["category_id"]
    entry.status = fields["status"]
    if fields["valid_from"] and fields["valid_until"] and fields["valid_until"] <= fields["valid_from"]:
        _refuse("knowledge_validity", fields={"valid_until": ["before valid_from"]})
    entry.valid_from, entry.valid_until = fields["valid_from"], fields["valid_until"]
    related = [i for i in dict.fromkeys(fields["related_ids"]) if i != entry.id]
    if len(related) > RELATED_MAX or (related and not _owned_ids(KnowledgeEntry, company_id, related)):
        _refuse("knowledge_related", fields={"related_ids": ["unknown"]}, limit=RELATED_MAX)
    entry.related_ids = related
    channels = list(dict.fromkeys(fields["channel_ids"]))
    if channels and not _owned_ids(Channel, company_id, channels):
        _refuse("knowledge_audience", fields={"channel_ids": ["unknown"]}, chars=GROUP_MAX)
    entry.channel_ids = channels
    groups = list(dict.fromkeys(" ".join(g.split()) for g in fields["customer_groups"]))
    if any(not g or len(g) > GROUP_MAX for g in groups):
        _refuse("knowledge_audience", fields={"customer_groups": ["1-40"]}, chars=GROUP_MAX)
    entry.customer_groups = groups
    if entry.status == "published" and entry.published_at is None:
        entry.published_at = utcnow()


def check_save_entry(actor_id: int | None, company_id: int, data: Any,
                     entry_id: int | None = None) -> KnowledgeEntry:
    """Validate a Q&A entry from untrusted input and create it, or update the given one."""
    fields = load(EntrySchema(), data)
    if entry_id is None:
        entry = KnowledgeEntry(company_id=company_id, created_by_id=actor_id)
    else:
        entry = _get(KnowledgeEntry, company_id, entry_id)
    with db.session.no_autoflush:  # the audit row reads the pending changes
        try:
            _apply_entry(entry, fields)
        except KefuError:
            db.session.rollback()  # nothing half-applied stays in the session
            raise
        entry.updated_by_id = actor_id
        return _save(actor_id, entry, created=entry_id is None)  # type: ignore[no-any-return]


IMPORT_MAX = 50_000
ANALYZE_AFTER = 1000  # imported rows


def check_import_entries(actor_id: int | None, company_id: int, rows: list[Any]) -> list[KnowledgeEntry]:
    """Validate every row, then create all entries and their documents in one commit, or none.

    A refusal names each bad row (1-based) with its error, so an import file is fixed in one pass.
    """
    errors: dict[str, Any] = {}
    entries: list[KnowledgeEntry] = []
    if len(rows) > IMPORT_MAX:
        raise KefuError("invalid_input", fields={"rows": [f"at most {IMPORT_MAX}"]})
    with db.session.no_autoflush:
        for n, row in enumerate(rows, start=1):
            entry = KnowledgeEntry(company_id=company_id, created_by_id=actor_id, updated_by_id=actor_id)
            try:
                _apply_entry(entry, load(EntrySchema(), row))
            except KefuError as exc:
                errors[str(n)] = exc.to_dict()["error"]
                continue
            if entry.category_id is not None:
                category = db.session.get(KnowledgeCategory, entry.category_id)
                if category is None or category.company_id != company_id:
                    errors[str(n)] = KefuError("cross_company").to_dict()["error"]
                    continue
            entries.append(entry)
    if errors:
        db.session.rollback()
        raise KefuError("knowledge_import", fields={"rows": errors}, count=len(errors))
    db.session.add_all(entries)
    db.session.flush()  # ids for the documents and the audit rows, in batched INSERTs
    for entry in entries:
        record(actor_id, "create", entry, company_id, {"question": [None, entry.question]})
        reindex(entry, fresh=True)
    on_commit(forget_statistics)
    db.session.commit()
    if len(entries) >= ANALYZE_AFTER and db.engine.dialect.name == "postgresql":
        # Fresh planner statistics: without them PostgreSQL scans the company's rows one by one
        # instead of using the GIN index, until autovacuum comes round.
        db.session.execute(text("ANALYZE knowledge_doc"))
        db.session.commit()
    return entries


def check_save_article(actor_id: int | None, company_id: int, data: Any,
                       article_id: int | None = None) -> KnowledgeArticle:
    """Validate an internal article from untrusted input and create it, or update the given one."""
    fields = load(ArticleSchema(), data)
    if article_id is None:
        article = KnowledgeArticle(company_id=company_id, created_by_id=actor_id)
    else:
        article = _get(KnowledgeArticle, company_id, article_id)
    with db.session.no_autoflush:
        try:
            _apply_article(article, fields)
        except KefuError:
            db.session.rollback()
            raise
        article.updated_by_id = actor_id
        return _save(actor_id, article, created=article_id is None)  # type: ignore[no-any-return]


def _apply_article(article: KnowledgeArticle, fields: dict[str, Any]) -> None:
    company_id = article.company_id
    title = " ".join(fields["title"].split())
    if not title or len(title) > TITLE_MAX:
        _refuse("knowledge_title", fields={"title": [f"1-{TITLE_MAX}"]}, limit=TITLE_MAX)
    article.title = title
    article.body = _rich(fields["body"], "knowledge_body", "body", required=False)
    article.category_id = fields["category_id"]
    groups = list(dict.fromkeys(fields["skill_group_ids"]))
    if groups and not _owned_ids(SkillGroup, company_id, groups):
        _refuse("knowledge_audience", fields={"skill_group_ids": ["unknown"]}, chars=GROUP_MAX)
    article.skill_group_ids = groups
    article.status = fields["status"]
    if article.status == "published" and article.published_at is None:
        article.published_at = utcnow()


def check_save_category(actor_id: int | None, company_id: int, data: Any,
                        category_id: int | None = None) -> KnowledgeCategory:
    """Validate a category (name, parent within the company, depth) and save it."""
    fields = load(CategorySchema(), data)
    if category_id is None:
        category = KnowledgeCategory(company_id=company_id)
    else:
        category = _get(KnowledgeCategory, company_id, category_id)
    with db.session.no_autoflush:
        name = " ".join(fields["name"].split())
        depth = _depth(company_id, fields["parent_id"], category_id)
        if not name or len(name) > NAME_MAX or depth is None or depth >= CATEGORY_DEPTH_MAX:
            db.session.rollback()
            _refuse("knowledge_category", fields={"name": ["invalid"]}, limit=NAME_MAX,
                    depth=CATEGORY_DEPTH_MAX)
        category.name, category.name_en = name, " ".join(fields["name_en"].split())[:NAME_MAX]
        category.parent_id, category.sort_order = fields["parent_id"], fields["sort_order"]
        return _save(actor_id, category, created=category_id is None)  # type: ignore[no-any-return]


def _depth(company_id: int, parent_id: int | None, self_id: int | None) -> int | None:
    """Levels above a category placed under parent_id; None if the parent is foreign or a cycle."""
    depth, seen = 0, set()
    while parent_id is not None:
        if parent_id == self_id or parent_id in seen:
            return None
        parent = db.session.get(KnowledgeCategory, parent_id)
        if parent is None or parent.company_id != company_id:
            return None
        seen.add(parent_id)
        depth, parent_id = depth + 1, parent.parent_id
    return depth


def _get(model: Any, company_id: int, obj_id: Any) -> Any:
    obj = db.session.get(model, obj_id) if isinstance(obj_id, int) else None
    if obj is None or obj.company_id != company_id:
        raise NotFound("not_found", status=404)
    return obj


def do_set_status(actor_id: int | None, obj: Indexed, status: str) -> Indexed:
    """Publish or unpublish an entry or article; search follows in the same commit."""
    if status not in ("draft", "published"):
        raise KefuError("invalid_input", fields={"status": ["draft|published"]})
    with db.session.no_autoflush:
        obj.status = status
        if status == "published":
            obj.published_at = utcnow()
        obj.updated_by_id = actor_id
        return _save(actor_id, obj, created=False)  # type: ignore[no-any-return]


def check_set_status(actor_id: int | None, company_id: int, kind: str, obj_id: Any,
                     status: str) -> Indexed:
    """Publish or unpublish the company's entry ("entry") or article ("article")."""
    model = KnowledgeEntry if kind == "entry" else KnowledgeArticle
    return do_set_status(actor_id, _get(model, company_id, obj_id), status)


def do_delete(actor_id: int | None, obj: Indexed | KnowledgeCategory) -> None:
    """Delete an entry, article or category (its sub-tree; entries in it become uncategorised)."""
    record(actor_id, "delete", obj, obj.company_id, {"deleted": str(obj)})
    if isinstance(obj, Indexed):
        unindex(obj)
        on_commit(forget_statistics)
    if isinstance(obj, KnowledgeEntry):
        # Other entries stop pointing at it, so "related questions" never names a missing entry.
        for other in db.session.scalars(select(KnowledgeEntry).where(
                KnowledgeEntry.company_id == obj.company_id, KnowledgeEntry.id != obj.id)):
            if obj.id in (other.related_ids or []):
                other.related_ids = [i for i in other.related_ids if i != obj.id]
    db.session.delete(obj)
    db.session.commit()


def check_delete(actor_id: int | None, company_id: int, kind: str, obj_id: Any) -> None:
    """Delete the company's entry, article or category by id."""
    model = {"entry": KnowledgeEntry, "article": KnowledgeArticle}.get(kind, KnowledgeCategory)
    do_delete(actor_id, _get(model, company_id, obj_id))


def do_seed(company_id: int, data: dict[str, Any]) -> dict[str, int]:
    """Load a knowledge file (categories by name, published entries and articles); return key -> entry id."""
    categories: dict[str, KnowledgeCategory] = {}
    for i, c in enumerate(data.get("categories", [])):
        categories[c["name"]] = check_save_category(
            None, company_id, {"name": c["name"], "name_en": c.get("name_en", ""), "sort_order": i})
    keys: dict[str, int] = {}
    for row in data.get("entries", []):
        category = categories.get(row.get("category", ""))
        fields = {k: v for k, v in row.items() if k not in ("category", "key")}
        fields.update(category_id=category.id if category else None, status="published")
        entry = check_save_entry(None, company_id, fields)
        keys[row.get("key") or f"#{entry.id}"] = entry.id
    for row in data.get("articles", []):
        category = categories.get(row.get("category", ""))
        fields = {k: v for k, v in row.items() if k != "category"}
        fields.update(category_id=category.id if category else None, status="published")
        check_save_article(None, company_id, fields)
    return keys


def count_entries(company_id: int) -> int:
    """How many Q&A entries the company has (any status)."""
    return int(db.session.scalar(select(func.count(KnowledgeEntry.id)).where(
        KnowledgeEntry.company_id == company_id)) or 0)
