"""Helpers of the knowledge console tests: categories and entries made through the console forms."""

from __future__ import annotations

import html
import re
from typing import Any

from kefu.knowledge.models import KnowledgeCategory, KnowledgeEntry

from ..admin.helpers import owner_client, page, problems, rows, submit

# Flask-WTF's token in our own pages' forms (the import, move and attachment forms).
_PAGE_TOKEN = re.compile(r'<form[^>]*id="(?:kb-import-form|kb-move|kb-attach)"[^>]*>\s*'
                         r'<input name="csrf_token" type="hidden" value="([^"]+)"')


def page_token(text: str) -> str:
    """The CSRF token of one of the knowledge pages' own forms."""
    found = _PAGE_TOKEN.search(text)
    assert found, "page has its form's token"
    return html.unescape(found.group(1))


def category(client: Any, name: str, parent: KnowledgeCategory | None = None,
             **extra: Any) -> KnowledgeCategory:
    """Create a category through the console form."""
    data = {"name": name, "name_en": extra.get("name_en", ""), "sort_order": str(extra.get("sort_order", 0)),
            "parent": str(parent.id) if parent else ""}
    r = submit(client, "/admin/knowledge_categories/new/", data)
    assert r.status_code == 302, problems(r)
    return rows(KnowledgeCategory, KnowledgeCategory.name == name)[-1]


def entry(client: Any, question: str, answer: str = "<p>答案</p>", **extra: Any) -> KnowledgeEntry:
    """Create a Q&A entry through the console form."""
    data = {"kind": "qa", "question": question, "similar": "", "answer": answer, "category": "",
            "status": "draft", "customer_groups": "", **extra}
    r = submit(client, "/admin/knowledge_entries/new/", data)
    assert r.status_code == 302, problems(r)
    return rows(KnowledgeEntry, KnowledgeEntry.question == question)[-1]


__all__ = ["category", "entry", "owner_client", "page", "page_token", "problems", "rows", "submit"]
