"""The one tokenizer of the knowledge base, used at index and at query time.

Chinese: jieba's search mode (so 退款 is a term of 申请退款 and of 退款流程) plus character bigrams
for what jieba segments across a word boundary (退|货运费 still yields 退货). English: lower case
and the Snowball (Porter 2) stemmer, so "Refunds" and "refund" meet. Traditional characters are
folded to simplified one character at a time (OpenCC's table), so offsets stay those of the text.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# A query longer than this is cut before it is segmented: a pasted essay answers as fast as a
# question, and nobody's question needs more (the robot and the search panel say the same).
QUERY_MAX_CHARS = 200
# At most this many distinct query terms reach the database (each is a posting list to merge).
QUERY_MAX_TERMS = 16
# Text indexed per field; a longer article is still stored whole, only its tail is not searchable.
INDEX_MAX_CHARS = 20000
TERM_MAX_CHARS = 32

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_RUN = re.compile(rf"([{_CJK}]+)|([a-z0-9]+)")
# Question words and particles that say nothing about the topic; kept small on purpose, since a
# word dropped here can never be found.
STOP_ZH = frozenset(
    "的 了 吗 呢 吧 啊 呀 哦 嘛 么 是 在 我 你 您 他 她 它 我们 你们 我的 你的 和 与 及 或 也 都 就 还 要 想 "
    "会 能 可以 请问 请 怎么 怎么样 怎样 如何 什么 为什么 哪里 哪儿 一下 这个 那个 这 那 有 个 把 被 给 "
    "吗 呢 啦 哈 嗯 得 地 着 过 么 谁 哪 该 应该 需要 能否 是否 多少 几 些".split()
)
_STOP_CHARS = frozenset("的了吗呢吧啊呀哦嘛么")
STOP_EN = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being am do does "
    "did doing have has had i me my we our you your he she it its they them their this that these those "
    "what which who whom how why when where can could will would shall should may might must please "
    "there here so not no yes just about into than then too very s t".split()
)

log = logging.getLogger(__name__)
_lock = threading.Lock()
_jieba: Any = None


@dataclass(frozen=True, slots=True)
class Token:
    """A term and where it stands in the text it came from (character offsets)."""

    term: str
    start: int
    end: int


def _segmenter() -> Any:
    """Load jieba's dictionary once per process, on first use (about half a second)."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _jieba = tokenizer
    return _jieba


def warm_up() -> None:
    """Pay the dictionary load now (a server or a benchmark before its first timed query)."""
    _segmenter()
    _fold_table()
    _stemmer()


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # The pure-Python Snowball stemmer costs ~0.1 ms a word; a vocabulary repeats, so remember it.
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=1)
def _t2s() -> dict[str, str]:
    """Traditional -> simplified, one character to one character, from OpenCC's own table."""
    import opencc_purepy

    table: dict[str, str] = {}
    path = Path(opencc_purepy.__file__).parent / "dicts" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or "\t" not in line:
            continue
        src, dst = line.split("\t", 1)
        first = dst.split(" ")[0]
        if len(src) == 1 and len(first) == 1:
            table[src] = first
    return table


class _FoldTable(dict[int, str]):
    """str.translate table filled on demand: NFKC width folding, diacritics, case, t->s."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        out = unicodedata.normalize("NFKC", char)
        if len(out) != 1:
            out = char  # keep offsets: a character that expands stays as it is
        out = _t2s().get(out, out)
        lower = out.lower()
        if len(lower) == 1:
            out = lower
        if not out.isascii() and out.isalpha():
            base = unicodedata.normalize("NFKD", out)[0]
            if base.isascii():
                out = base  # café -> cafe
        self[code] = out
        return out


@lru_cache(maxsize=1)
def _fold_table() -> _FoldTable:
    return _FoldTable()


def fold(text: str) -> str:
    """Normalise width, case, diacritics and traditional characters, one character for one."""
    return text.translate(_fold_table())


def _cjk_tokens(run: str, offset: int) -> list[Token]:
    return [Token(term, offset + start, offset + end) for term, start, end in _segment(run)]


@lru_cache(maxsize=200_000)
def _segment(run: str) -> tuple[tuple[str, int, int], ...]:
    # Knowledge bases repeat their phrases (and highlighting re-reads the same titles), and jieba
    # costs ~10 µs a character: remember each run's terms.
    out: list[tuple[str, int, int]] = []
    words: set[tuple[int, int]] = set()
    for word, start, end in _segmenter().tokenize(run, mode="search", HMM=False):
        words.add((start, end))
        if word in STOP_ZH or len(word) > TERM_MAX_CHARS:
            continue
        out.append((word, start, end))
    for i in range(len(run) - 1):
        if (i, i + 2) in words:
            continue
        pair = run[i:i + 2]
        if pair[0] in _STOP_CHARS or pair[1] in _STOP_CHARS or pair in STOP_ZH:
            continue
        out.append((pair, i, i + 2))
    return tuple(out)


def tokenize(text: str, limit: int = INDEX_MAX_CHARS) -> list[Token]:
    """Split text into search terms with their offsets in `text` (stop-words dropped)."""
    text = text[:limit]
    if len(text) <= 256:  # queries, questions and titles come back again and again
        return list(_tokenize_short(text))
    return _tokenize(text)


@lru_cache(maxsize=50_000)
def _tokenize_short(text: str) -> tuple[Token, ...]:
    return tuple(_tokenize(text))


def _tokenize(text: str) -> list[Token]:
    folded = fold(text)
    out: list[Token] = []
    for match in _RUN.finditer(folded):
        cjk, word = match.groups()
        if cjk:
            out.extend(_cjk_tokens(cjk, match.start()))
        elif word and word not in STOP_EN and len(word) <= TERM_MAX_CHARS:
            out.append(Token(word if word.isdigit() else _stem(word), match.start(), match.end()))
    return out


def terms(text: str, limit: int = INDEX_MAX_CHARS) -> list[str]:
    """The terms of a text in order (repeats kept: they are term frequencies)."""
    return [t.term for t in tokenize(text, limit)]


def query_terms(query: str) -> list[str]:
    """The distinct terms of a query, in order, capped in length and number."""
    seen = dict.fromkeys(terms(query.strip(), QUERY_MAX_CHARS))
    return list(seen)[:QUERY_MAX_TERMS]
