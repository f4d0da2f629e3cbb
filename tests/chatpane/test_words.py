"""The sensitive-word matcher and its per-company cache."""

from __future__ import annotations

from kefu.chatpane.models import SensitiveWord
from kefu.chatpane.words import compile_words, matcher
from kefu.extensions import db


def test_matcher_finds_words_case_insensitively_longest_first():
    """Words are found in any case, the longer of two overlapping ones wins, regex characters are literal."""
    m = compile_words(["退款", "退款保证", "a+b", " ", "VIP"])
    assert m.find("我们退款保证，vip 价 a+b") == ["退款保证", "VIP", "a+b"]
    assert m.first("先退款再说") == "退款"
    assert m.first("aab") is None
    assert compile_words([]).find("anything") == []


def test_a_new_word_is_used_at_once_and_companies_do_not_share_lists(make):
    """Adding a word takes effect in this process immediately; another company's list is separate."""
    a, b = make.company(), make.company()
    assert matcher(a.id, "agent").first("保证退款") is None
    db.session.add(SensitiveWord(company_id=a.id, scope="agent", word="保证"))
    db.session.commit()
    assert matcher(a.id, "agent").first("保证退款") == "保证"
    assert matcher(a.id, "visitor").first("保证退款") is None
    assert matcher(b.id, "agent").first("保证退款") is None
    db.session.delete(db.session.query(SensitiveWord).filter_by(company_id=a.id).one())
    db.session.commit()
    assert matcher(a.id, "agent").first("保证退款") is None
