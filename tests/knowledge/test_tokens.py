"""The one tokenizer: Chinese words and bigrams, traditional folding, English stems, caps."""

from __future__ import annotations

import time

from kefu.knowledge.tokens import QUERY_MAX_TERMS, fold, query_terms, terms, tokenize


def test_two_character_word_is_a_term_of_longer_words():
    """退款 is a term of 申请退款 and of 退款流程, and 退货 of 退货运费 (which jieba cuts 退|货运费)."""
    assert "退款" in terms("申请退款")
    assert "退款" in terms("退款流程是什么")
    assert "退货" in terms("退货运费谁出")
    assert query_terms("退款") == ["退款"]


def test_traditional_characters_fold_to_simplified_one_for_one():
    """A traditional query yields the simplified terms, and offsets still point into the original."""
    assert fold("退貨運費 發票") == "退货运费 发票"
    assert "退货" in terms("退貨運費")
    text = "請問發票怎麼開"
    spans = {t.term: text[t.start:t.end] for t in tokenize(text)}
    assert spans["发票"] == "發票"


def test_english_is_lower_cased_and_stemmed():
    """Refunds, refunded and REFUND meet on one stem; shipping meets ship; stop-words go."""
    assert terms("Refunds") == terms("refunded") == terms("REFUND") == ["refund"]
    assert terms("shipping") == terms("ship")
    assert terms("How do I get a refund?") == ["get", "refund"]


def test_width_and_diacritics_fold():
    """Full-width Latin letters and accented letters become plain ASCII terms."""
    assert terms("ｒｅｆｕｎｄ") == ["refund"]
    assert terms("café") == terms("cafe")


def test_mixed_text_keeps_both_languages():
    """A sentence mixing Chinese and English yields the terms of both."""
    found = terms("我想申请退款, how do I get a refund?")
    assert {"申请", "退款", "refund"} <= set(found)


def test_stop_words_and_punctuation_only_give_no_terms():
    """A query of particles and punctuation has nothing to search for."""
    assert query_terms("") == []
    assert query_terms("   ") == []
    assert query_terms("的了吗？！ the a is") == []


def test_long_query_is_capped_and_fast():
    """A 10,000-character query becomes at most QUERY_MAX_TERMS terms in well under a second."""
    query = ("我想申请退款，但是订单显示已发货，怎么办？ refund shipping invoice " * 400)[:10000]
    started = time.perf_counter()
    found = query_terms(query)
    assert time.perf_counter() - started < 1.0
    assert 0 < len(found) <= QUERY_MAX_TERMS
    assert "退款" in found


def test_dictionary_loads_on_first_use_only():
    """Importing kefu (and the tokenizer) loads no jieba; the first tokenization loads it, once."""
    import subprocess
    import sys

    code = (
        "import sys, time\n"
        "import kefu, kefu.models, kefu.knowledge.tokens as t\n"
        "assert 'jieba' not in sys.modules, 'jieba imported eagerly'\n"
        "s = time.perf_counter(); t.terms('申请退款'); first = time.perf_counter() - s\n"
        "s = time.perf_counter(); t.terms('快递多久到'); second = time.perf_counter() - s\n"
        "assert t._jieba is not None and second < first, (first, second)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
