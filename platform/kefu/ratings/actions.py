"""Every write about ratings: a visitor's submission and the console's schemes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..conversations.models import Conversation, ConversationEvent
from ..conversations.schemas import load
from ..dblock import locked
from ..errors import KefuError, NotFound
from ..extensions import db
from ..realtime.events import AGENT_NS, VISITOR_NS, agent_room, publish, visitor_room
from ..settings.queries import company_settings
from ..timeutil import utcnow
from ..visitors.token import VisitorClaims
from . import queries, schemes
from .models import COMMENT_MAX, Rating, RatingScheme
from .schemas import SubmitSchema
from .serialize import rating_dict

# The on-close invitation arrives after the chat ended: the visitor may answer it for this long.
RATE_AFTER_CLOSE = timedelta(minutes=30)


def visitor_conversation(claims: VisitorClaims, conversation_id: int) -> Conversation:
    """Return the visitor's own conversation; another visitor's is "not found"."""
    conv = db.session.get(Conversation, conversation_id)
    if conv is None:
        raise NotFound("not_found")
    if conv.company_id != claims.company_id:
        raise NotFound("not_found")
    if conv.visitor_id != claims.visitor_id:
        raise NotFound("not_found")
    return conv


def check_rateable(conv: Conversation) -> None:
    """Refuse a conversation no agent served, or one that ended too long ago."""
    if queries.agent_chain(conv.id)[0] is None:
        raise KefuError("rating_no_agent", status=409)
    if conv.closed_at is not None and utcnow() - conv.closed_at > RATE_AFTER_CLOSE:
        raise KefuError("rating_expired", status=409,
                        minutes=int(RATE_AFTER_CLOSE.total_seconds() // 60))


def check_submit(claims: VisitorClaims, data: Any) -> tuple[Rating, RatingScheme, bool]:
    """Validate a visitor's rating and store it; return (rating, scheme, newly_created)."""
    fields = load(SubmitSchema(), data)
    conv = visitor_conversation(claims, fields["conversation_id"])
    client_id = fields["client_id"]
    if client_id:
        earlier = queries.rating_by_client_id(conv.id, client_id)
        if earlier is not None:  # a replay: answer with what is stored, change nothing
            return earlier, schemes.resolve_scheme(conv.company_id, conv.skill_group_id), False
    check_rateable(conv)
    scheme = schemes.resolve_scheme(conv.company_id, conv.skill_group_id)
    answer = check_answer(scheme, fields)
    return do_submit(conv, scheme, answer, client_id)


def check_answer(scheme: RatingScheme, fields: dict[str, Any]) -> dict[str, Any]:
    """Check a rating's content against the scheme; return score, tags, comment and solved."""
    score = fields["score"]
    allowed = schemes.score_range(scheme.scale)
    if score not in allowed:
        raise KefuError("rating_score", fields={"score": [f"{allowed[0]}-{allowed[-1]}"]},
                        low=allowed[0], high=allowed[-1])
    offered = schemes.tag_values(scheme, score)
    tags: list[str] = []
    for tag in fields["tags"]:
        tag = tag.strip()
        if tag not in offered:
            raise KefuError("rating_tag", fields={"tags": [f"not offered: {tag}"]}, tag=tag[:60])
        if tag not in tags:
            tags.append(tag)
    if scheme.tags_required and offered and not tags:
        raise KefuError("rating_tags_required", fields={"tags": ["required"]})
    comment = fields["comment"].strip()
    if scheme.comment_mode == "hidden" and comment:
        raise KefuError("rating_comment_hidden", fields={"comment": ["not taken"]})
    if scheme.comment_mode == "required" and not comment:
        raise KefuError("rating_comment_required", fields={"comment": ["required"]})
    if len(comment) > COMMENT_MAX:
        raise KefuError("rating_comment_too_long", fields={"comment": ["too long"]},
                        limit=COMMENT_MAX)
    solved = fields["solved"] if scheme.ask_solved else None
    return {"score": score, "tags": tags, "comment": comment,
            "solved": -1 if solved is None else int(solved)}


def do_submit(
    conv: Conversation, scheme: RatingScheme, answer: dict[str, Any], client_id: str | None
) -> tuple[Rating, RatingScheme, bool]:
    """Store a rating once (or again, if the scheme allows repeats) and tell whoever may see it."""
    with locked(Conversation, [conv.id]):
        if client_id:  # a twin committed while this one waited for the lock
            earlier = queries.rating_by_client_id(conv.id, client_id)
            if earlier is not None:
                db.session.rollback()
                return earlier, scheme, False
        if not scheme.allow_repeat and queries.is_rated(conv.id):
            db.session.rollback()
            raise KefuError("already_rated", status=409)
        agent_id, chain, group_id = queries.agent_chain(conv.id)
        rating = Rating(
            company_id=conv.company_id, conversation_id=conv.id, agent_id=agent_id,
            agent_ids=chain, skill_group_id=group_id, scheme_id=scheme.id, scale=scheme.scale,
            source=_source(conv.id), client_id=client_id, **answer,
        )
        db.session.add(rating)
        db.session.flush()
        db.session.add(ConversationEvent(
            company_id=conv.company_id, conversation_id=conv.id, kind="rated",
            data={"rating_id": rating.id, "score": rating.score, "agent_id": agent_id},
        ))
        event = {"type": "rating.created", "rating": rating_dict(rating)}
        publish(event, (VISITOR_NS, visitor_room(conv.visitor_id)), skip_origin=True)
        if agent_id is not None and company_settings(conv.company_id).agents_see_ratings:
            publish(event, (AGENT_NS, agent_room(agent_id)))
        db.session.commit()
    return rating, scheme, True


def _source(conversation_id: int) -> str:
    """Which invitation the rating answers: the latest one, or none (the visitor's own idea)."""
    data = db.session.scalar(
        select(ConversationEvent.data)
        .where(ConversationEvent.conversation_id == conversation_id,
               ConversationEvent.kind == "rating_invited")
        .order_by(ConversationEvent.id.desc()).limit(1)
    )
    if not data:
        return "visitor"
    by = str(data.get("by") or ("rule" if data.get("deadline") else "visitor"))
    return by if by in ("agent", "close", "rule") else "visitor"


# --- schemes (console) ----------------------------------------------------------------------

def check_scheme(scheme: RatingScheme, labels_text: str, tags_text: str) -> None:
    """Validate a scheme the console filled in and set its labels and tags (the caller saves)."""
    from .schemas import SchemeSchema

    plain = load(SchemeSchema(), {k: getattr(scheme, k) or "" for k in SchemeSchema().fields})
    for key, value in plain.items():
        setattr(scheme, key, value.strip() if isinstance(value, str) else value)
    allowed = schemes.score_range(scheme.scale)
    labels, bad = schemes.parse_labels(labels_text)
    bad += [k for k in labels if int(k) not in allowed]
    bad += [k for k, v in labels.items() if len(v["zh"]) > schemes.MAX_LABEL_CHARS
            or len(v["en"]) > schemes.MAX_LABEL_CHARS]
    if bad:
        raise KefuError("rating_scheme_lines", fields={"labels": [f"bad line: {bad[0]}"]},
                        line=bad[0][:60], low=allowed[0], high=allowed[-1])
    tags, bad = schemes.parse_tags(tags_text)
    bad += [k for k in tags if int(k) not in allowed]
    for key, entries in tags.items():
        values = [t["zh"] for t in entries]
        if len(values) != len(set(values)) or len(values) > schemes.MAX_TAGS_PER_SCORE:
            bad.append(key)
        bad += [t["zh"] for t in entries
                if not t["zh"] or len(t["zh"]) > schemes.MAX_TAG_CHARS
                or len(t["en"]) > schemes.MAX_TAG_CHARS]
    if bad:
        raise KefuError("rating_scheme_lines", fields={"tags": [f"bad line: {bad[0]}"]},
                        line=bad[0][:60], low=allowed[0], high=allowed[-1])
    scheme.labels = labels
    scheme.tags = tags
    other = schemes.group_scheme(scheme.company_id, scheme.skill_group_id)
    if other is not None and other.id != scheme.id:
        raise KefuError("rating_scheme_exists", fields={"skill_group": ["taken"]})
