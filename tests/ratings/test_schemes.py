"""Rating schemes: which one applies, what the widget receives, and the console's validation."""

from __future__ import annotations

import pytest

from kefu.errors import KefuError
from kefu.ratings.actions import check_scheme
from kefu.ratings.models import RatingScheme
from kefu.ratings.schemes import resolve_scheme, scheme_dict

from .helpers import scheme


def test_company_without_scheme_gets_the_five_star_default(make):
    """A company that configured nothing rates with 5 stars, 非常不满意…非常满意, tags per score."""
    company = make.company()
    s = resolve_scheme(company.id, None)
    out = scheme_dict(s)
    assert out["scale"] == "stars5"
    assert [x["score"] for x in out["scores"]] == [1, 2, 3, 4, 5]
    assert out["scores"][0]["label"] == {"zh": "非常不满意", "en": "Very dissatisfied"}
    assert out["scores"][4]["label"]["zh"] == "非常满意"
    assert "态度好" in [t["value"] for t in out["scores"][4]["tags"]]
    assert out["invite_text"]["zh"] and out["thanks_text"]["en"]


def test_group_scheme_wins_over_global(make):
    """A skill group's own scheme applies to its chats; other groups fall back to the global one."""
    company = make.company()
    g1, g2 = make.group(company), make.group(company)
    scheme(company, name="global", scale="stars5")
    own = scheme(company, g1, name="g1", scale="score10")
    assert resolve_scheme(company.id, g1.id).id == own.id
    assert resolve_scheme(company.id, g2.id).name == "global"
    assert resolve_scheme(company.id, None).name == "global"
    assert [x["score"] for x in scheme_dict(own)["scores"]] == list(range(11))


def test_schemes_do_not_cross_companies(make):
    """Another company's global scheme never applies to this company."""
    a, b = make.company(), make.company()
    scheme(a, name="a-only", scale="score10")
    assert resolve_scheme(b.id, None).id is None  # b still has the default


def test_console_lines_become_labels_and_tags(make):
    """The console's "score: 中文 / English" lines are parsed into labels and tags."""
    company = make.company()
    row = RatingScheme(company_id=company.id, name="x", scale="stars5", comment_mode="required")
    check_scheme(row, "5: 超赞 / Great\n1：很差", "1: 态度差 / Rude, 回复慢\n5: 专业")
    assert row.labels == {"5": {"zh": "超赞", "en": "Great"}, "1": {"zh": "很差", "en": "很差"}}
    assert row.tags["1"] == [{"zh": "态度差", "en": "Rude"}, {"zh": "回复慢", "en": "回复慢"}]
    out = scheme_dict(row)
    assert out["scores"][4]["label"]["en"] == "Great" and out["comment"] == "required"


@pytest.mark.parametrize(("labels", "tags", "field"), [
    ("7: 太好了", "", "labels"),  # no 7 on a 5-star scale
    ("five: 好", "", "labels"),
    ("", "0: 差", "tags"),
    ("", "1: 差, 差", "tags"),  # twice the same tag
    ("", "1: " + "长" * 31, "tags"),
])
def test_console_refuses_bad_lines_naming_the_field(make, labels, tags, field):
    """A label or tag line outside the scale, malformed, repeated or too long is refused on its field."""
    company = make.company()
    row = RatingScheme(company_id=company.id, name="x", scale="stars5", comment_mode="optional")
    with pytest.raises(KefuError) as exc:
        check_scheme(row, labels, tags)
    assert exc.value.code == "rating_scheme_lines" and field in exc.value.fields
    assert "这一行有误" in exc.value.to_dict("zh")["error"]["message"]


def test_console_refuses_unknown_scale_and_comment_mode(make):
    """Scale and comment mode must be among the offered choices."""
    company = make.company()
    row = RatingScheme(company_id=company.id, name="x", scale="stars7", comment_mode="sometimes")
    with pytest.raises(KefuError) as exc:
        check_scheme(row, "", "")
    assert {"scale", "comment_mode"} <= set(exc.value.fields)


def test_one_scheme_per_scope(make):
    """A second global scheme (or a second one for the same group) is refused."""
    company = make.company()
    group = make.group(company)
    scheme(company)
    scheme(company, group)
    for g in (None, group):
        row = RatingScheme(company_id=company.id, skill_group_id=g.id if g else None, name="dup",
                           scale="stars5", comment_mode="optional")
        with pytest.raises(KefuError) as exc:
            check_scheme(row, "", "")
        assert exc.value.code == "rating_scheme_exists"
