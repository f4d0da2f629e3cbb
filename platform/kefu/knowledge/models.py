"""Knowledge base: category tree, articles (内部知识库), Q&A entries (知识库管理) and their search index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, FetchedValue, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

STATUSES = ("draft", "published")
ENTRY_KINDS = ("qa", "greeting", "chitchat")
DOC_KINDS = (*ENTRY_KINDS, "article")
NAME_MAX = 60
TITLE_MAX = 200
QUESTION_MAX = 200
SIMILAR_MAX = 50  # similar questions per entry
RELATED_MAX = 10
BODY_MAX = 200_000  # sanitised HTML of one article or answer
GROUP_MAX = 40  # characters of one customer-group name
CATEGORY_DEPTH_MAX = 5


class KnowledgeCategory(db.Model):  # type: ignore[name-defined]
    """A folder of the company's knowledge tree; entries and articles hang from one."""

    __tablename__ = "knowledge_category"
    __table_args__ = (Index("ix_knowledge_category_company_parent", "company_id", "parent_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_category.id", ondelete="CASCADE"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    name_en: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[KnowledgeCategory | None] = relationship(remote_side="KnowledgeCategory.id")

    def __str__(self) -> str:
        return self.name


class KnowledgeArticle(db.Model):  # type: ignore[name-defined]
    """A rich-text article of the internal knowledge base, shown to agents in the workbench."""

    __tablename__ = "knowledge_article"
    __table_args__ = (Index("ix_knowledge_article_company_status", "company_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_category.id", ondelete="SET NULL"), nullable=True, index=True
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text, default="")  # HTML, sanitised by the action
    status: Mapped[str] = mapped_column(String(16), default="draft")  # one of STATUSES
    # Skill groups whose agents see it; empty: every agent of the company.
    skill_group_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    def __str__(self) -> str:
        return self.title


class KnowledgeEntry(db.Model):  # type: ignore[name-defined]
    """A Q&A entry the robot answers from: standard question, similar questions, answer."""

    __tablename__ = "knowledge_entry"
    __table_args__ = (Index("ix_knowledge_entry_company_status", "company_id", "status", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_category.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="qa")  # one of ENTRY_KINDS
    question: Mapped[str] = mapped_column(String(QUESTION_MAX))
    similar: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text, default="")  # HTML, sanitised by the action
    related_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Audience: empty lists mean everyone. Customer groups are visitor tags (VIP, 企业客户 …).
    channel_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    customer_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # one of STATUSES
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    def __str__(self) -> str:
        return self.question


class KnowledgeDoc(db.Model):  # type: ignore[name-defined]
    """One searchable document (an entry or an article): its tokens and the fields search filters on.

    Written by knowledge/actions.py in the transaction that writes its source. SQLite mirrors the
    tokens into the FTS5 table `knowledge_fts` by triggers; PostgreSQL derives `search_vector`
    (a generated column with a GIN index). Both are created by migration 0019.
    """

    __tablename__ = "knowledge_doc"
    __table_args__ = (Index("ix_knowledge_doc_scope", "company_id", "status", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_entry.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_article.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # one of DOC_KINDS
    status: Mapped[str] = mapped_column(String(16))
    category_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Audience and visibility as delimited lists (",3,7," / "\nVIP\n"), so one LIKE filters them;
    # empty: everyone.
    channels: Mapped[str] = mapped_column(Text, default="")
    customer_groups: Mapped[str] = mapped_column(Text, default="")
    skill_groups: Mapped[str] = mapped_column(Text, default="")
    # Space-separated terms from knowledge/tokens.py: the question (and similar questions) or title,
    # and the answer or body. `length` is their number of terms (BM25's document length).
    title_tokens: Mapped[str] = mapped_column(Text, default="")
    body_tokens: Mapped[str] = mapped_column(Text, default="")
    length: Mapped[int] = mapped_column(Integer, default=0)
    # PostgreSQL only (GENERATED ALWAYS from the tokens); never written by the application.
    search_vector: Mapped[str | None] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"), nullable=True,
        server_default=FetchedValue(), server_onupdate=FetchedValue(), deferred=True,
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

