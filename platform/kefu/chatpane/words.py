"""Sensitive-word matching: one compiled regex per company and scope, cached per process."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from sqlalchemy import event, select

from ..extensions import db
from .models import SensitiveWord

# Every message is checked, so the list is cached; an edit in this process is seen at once
# (after_commit below), other processes see it within the TTL.
_TTL = 10.0
_cache: dict[tuple[int, int, str], tuple[float, Matcher]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Matcher:
    """Find a company's words in a text (case-insensitive; longest word wins at a position)."""

    pattern: re.Pattern[str] | None
    words: dict[str, str]  # casefolded -> as entered

    def find(self, text: str) -> list[str]:
        """Return the distinct listed words the text contains, in order of appearance."""
        if self.pattern is None:
            return []
        found: dict[str, None] = {}
        for match in self.pattern.finditer(text):
            found[self.words.get(match.group(0).casefold(), match.group(0))] = None
        return list(found)

    def first(self, text: str) -> str | None:
        """Return the first listed word in the text, or None."""
        if self.pattern is None:
            return None
        match = self.pattern.search(text)
        return None if match is None else self.words.get(match.group(0).casefold(), match.group(0))


def compile_words(words: list[str]) -> Matcher:
    """Build the matcher of a list (longest first, so 'abc' wins over 'ab')."""
    cleaned = {w.strip().casefold(): w.strip() for w in words if w.strip()}
    if not cleaned:
        return Matcher(None, {})
    alternation = "|".join(re.escape(w) for w in sorted(cleaned, key=len, reverse=True))
    return Matcher(re.compile(alternation, re.IGNORECASE), cleaned)


def matcher(company_id: int, scope: str) -> Matcher:
    """Return the company's matcher for a scope (agent | visitor), cached for a few seconds."""
    key = (id(db.engine), company_id, scope)  # per app: tests run several
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    words = list(db.session.scalars(
        select(SensitiveWord.word).where(SensitiveWord.company_id == company_id,
                                         SensitiveWord.scope == scope)
    ))
    built = compile_words(words)
    with _lock:
        _cache[key] = (now + _TTL, built)
    return built


def forget_company(company_id: int) -> None:
    """Drop a company's matchers from this process's cache (its list changed)."""
    with _lock:
        for key in [k for k in _cache if k[1] == company_id]:
            _cache.pop(key, None)


def _changed(_mapper: object, _conn: object, target: SensitiveWord) -> None:
    from ..aftercommit import on_commit

    company_id = target.company_id
    on_commit(lambda: forget_company(company_id))


# However the list is written (console, seeder, tests), this process stops using the old one.
for _what in ("after_insert", "after_update", "after_delete"):
    event.listen(SensitiveWord, _what, _changed)


def clear_word_cache() -> None:
    """Drop every cached matcher (tests: company ids restart with every test)."""
    with _lock:
        _cache.clear()
