"""Rating schemes: the built-in defaults, which scheme applies, and how the widget receives one.

Texts are pairs {"zh": …, "en": …} so one event serves every tab whatever its language. A tag's
value (what a visitor submits and what is stored) is its Chinese text; "en" is only shown.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from .models import RatingScheme

Pair = dict[str, str]

STAR_LABELS: dict[int, Pair] = {
    1: {"zh": "非常不满意", "en": "Very dissatisfied"},
    2: {"zh": "不满意", "en": "Dissatisfied"},
    3: {"zh": "一般", "en": "Neutral"},
    4: {"zh": "满意", "en": "Satisfied"},
    5: {"zh": "非常满意", "en": "Very satisfied"},
}
# 0–10 reads like the stars it maps to: 0–2 as 1 star … 9–10 as 5 stars.
SCORE10_STAR = {0: 1, 1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 7: 4, 8: 4, 9: 5, 10: 5}
_BAD = [{"zh": "态度差", "en": "Unfriendly"}, {"zh": "回复慢", "en": "Slow replies"},
        {"zh": "问题没解决", "en": "Problem not solved"}]
_MID = [{"zh": "回复慢", "en": "Slow replies"}, {"zh": "不够专业", "en": "Not expert enough"}]
_GOOD = [{"zh": "态度好", "en": "Friendly"}, {"zh": "回复及时", "en": "Quick replies"},
         {"zh": "专业", "en": "Expert"}]
DEFAULT_TAGS = {1: _BAD, 2: _BAD, 3: _MID, 4: _GOOD, 5: _GOOD}
DEFAULT_INVITE = {"zh": "请对本次服务进行评价", "en": "Please rate this conversation"}
DEFAULT_THANKS = {"zh": "感谢您的评价！", "en": "Thank you for your feedback!"}
MAX_TAGS_PER_SCORE = 12
MAX_TAG_CHARS = 30
MAX_LABEL_CHARS = 30


def score_range(scale: str) -> range:
    """The scores a scale allows."""
    return range(0, 11) if scale == "score10" else range(1, 6)


def default_scheme(company_id: int, skill_group_id: int | None = None) -> RatingScheme:
    """An unsaved scheme holding the defaults: 5 stars, tags per score, optional comment."""
    return RatingScheme(
        company_id=company_id, skill_group_id=skill_group_id, name="", scale="stars5",
        labels={}, tags={str(k): v for k, v in DEFAULT_TAGS.items()}, tags_required=False,
        comment_mode="optional", ask_solved=True, allow_repeat=False, invite_text_zh="",
        invite_text_en="", thanks_text_zh="", thanks_text_en="",
    )


def group_scheme(company_id: int, skill_group_id: int | None) -> RatingScheme | None:
    """The scheme saved for exactly this group (None: the global one), if any."""
    cond = (RatingScheme.skill_group_id.is_(None) if skill_group_id is None
            else RatingScheme.skill_group_id == skill_group_id)
    return db.session.scalars(
        select(RatingScheme).where(RatingScheme.company_id == company_id, cond)
        .order_by(RatingScheme.id).limit(1)
    ).first()


def resolve_scheme(company_id: int, skill_group_id: int | None) -> RatingScheme:
    """The scheme that applies: the group's own, else the company's global one, else the default."""
    if skill_group_id is not None:
        own = group_scheme(company_id, skill_group_id)
        if own is not None:
            return own
    return group_scheme(company_id, None) or default_scheme(company_id, None)


def label_of(scheme: RatingScheme, score: int) -> Pair:
    """The label of a score: the scheme's own, else the default for the scale."""
    own = (scheme.labels or {}).get(str(score))
    if isinstance(own, dict) and own.get("zh"):
        return {"zh": own["zh"], "en": own.get("en") or own["zh"]}
    star = SCORE10_STAR[score] if scheme.scale == "score10" else score
    return dict(STAR_LABELS[star])


def tags_of(scheme: RatingScheme, score: int) -> list[Pair]:
    """The tags offered for a score."""
    return [t for t in (scheme.tags or {}).get(str(score), []) if isinstance(t, dict)]


def tag_values(scheme: RatingScheme, score: int) -> list[str]:
    """The submittable values of a score's tags."""
    return [t["zh"] for t in tags_of(scheme, score)]


def _text(zh: str, en: str, default: Pair) -> Pair:
    return {"zh": zh or default["zh"], "en": en or zh or default["en"]}


def invite_text(scheme: RatingScheme) -> Pair:
    """The invitation text in both languages."""
    return _text(scheme.invite_text_zh, scheme.invite_text_en, DEFAULT_INVITE)


def thanks_text(scheme: RatingScheme) -> Pair:
    """The thank-you text in both languages."""
    return _text(scheme.thanks_text_zh, scheme.thanks_text_en, DEFAULT_THANKS)


def scheme_dict(scheme: RatingScheme) -> dict[str, Any]:
    """What a widget needs to render the form (both languages)."""
    return {
        "id": scheme.id,
        "scale": scheme.scale,
        "scores": [
            {"score": s, "label": label_of(scheme, s),
             "tags": [{"value": t["zh"], "zh": t["zh"], "en": t.get("en") or t["zh"]}
                      for t in tags_of(scheme, s)]}
            for s in score_range(scheme.scale)
        ],
        "tags_required": scheme.tags_required,
        "comment": scheme.comment_mode,
        "ask_solved": scheme.ask_solved,
        "allow_repeat": scheme.allow_repeat,
        "invite_text": invite_text(scheme),
        "thanks_text": thanks_text(scheme),
    }


# --- the console's text format: one line per score ----------------------------------------

def _pair(text: str) -> Pair:
    zh, _, en = text.partition("/")
    return {"zh": zh.strip(), "en": en.strip() or zh.strip()}


def parse_labels(text: str) -> tuple[dict[str, Pair], list[str]]:
    """Parse "5: 非常满意 / Very satisfied" lines; return the labels and the bad lines."""
    out: dict[str, Pair] = {}
    bad: list[str] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, sep, rest = line.replace("：", ":").partition(":")
        if not sep or not key.strip().isdigit() or not rest.strip():
            bad.append(line.strip())
            continue
        out[str(int(key))] = _pair(rest)
    return out, bad


def parse_tags(text: str) -> tuple[dict[str, list[Pair]], list[str]]:
    """Parse "1: 态度差 / Unfriendly, 回复慢 / Slow" lines; return the tags and the bad lines."""
    out: dict[str, list[Pair]] = {}
    bad: list[str] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, sep, rest = line.replace("，", ",").replace("：", ":").partition(":")
        if not sep or not key.strip().isdigit():
            bad.append(line.strip())
            continue
        tags = [_pair(part) for part in rest.split(",") if part.strip()]
        out.setdefault(str(int(key)), []).extend(tags)
    return out, bad


def format_labels(labels: dict[str, Any]) -> str:
    """Labels back to the console's lines."""
    return "\n".join(f"{k}: {v['zh']} / {v.get('en') or v['zh']}"
                     for k, v in sorted((labels or {}).items(), key=lambda kv: int(kv[0])))


def format_tags(tags: dict[str, Any]) -> str:
    """Tags back to the console's lines."""
    return "\n".join(
        f"{k}: " + ", ".join(f"{t['zh']} / {t.get('en') or t['zh']}" for t in v)
        for k, v in sorted((tags or {}).items(), key=lambda kv: int(kv[0])) if v
    )
