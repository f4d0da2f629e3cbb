"""满意度: rating schemes (global or per skill group) and the ratings visitors gave."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import IntEqualFilter
from flask_admin.helpers import is_form_submitted
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from kefu.org.models import SkillGroup, User
from kefu.ratings.actions import check_scheme
from kefu.ratings.models import Rating, RatingScheme
from kefu.ratings.schemes import DEFAULT_TAGS, format_labels, format_tags

from ..base import KefuModelView, company_options, company_rows
from ..fields import StrictQuerySelectField
from ..labels import labels

SCALE_CHOICES = [("stars5", _l("5 stars (非常不满意 … 非常满意)")), ("score10", _l("0–10 score"))]
COMMENT_CHOICES = [("optional", _l("Optional")), ("required", _l("Required")),
                   ("hidden", _l("Hidden"))]
SOURCE_LABELS = {"agent": _l("Agent invited"), "close": _l("On close"), "rule": _l("Session rule"),
                 "visitor": _l("Visitor's own rating")}
SOLVED_LABELS = {1: _l("Resolved"), 0: _l("Not resolved"), -1: "—"}
LINES_HELP = _l("One line per score, e.g. “5: 非常满意 / Very satisfied”; the English part is optional.")
TAGS_HELP = _l("One line per score, tags separated by commas, e.g. “1: 态度差 / Unfriendly, 回复慢”.")


class RatingSchemeView(KefuModelView):
    """CRUD of rating schemes; a group's scheme wins over the global one (no group)."""

    manager_readable = True
    column_list = ["name", "skill_group", "scale", "comment_mode", "tags_required", "ask_solved",
                   "allow_repeat"]
    column_labels = labels(
        skill_group=_l("Skill group (empty = global)"), scale=_l("Scale"),
        comment_mode=_l("Comment"), tags_required=_l("Tags required"),
        ask_solved=_l("Ask “resolved?”"), allow_repeat=_l("Allow repeat ratings"),
        labels=_l("Labels per score"), tags=_l("Tags per score"),
        invite_text_zh=_l("Invitation text (zh)"), invite_text_en=_l("Invitation text (en)"),
        thanks_text_zh=_l("Thank-you text (zh)"), thanks_text_en=_l("Thank-you text (en)"),
    )
    column_formatters = {
        "scale": lambda v, c, m, n: dict(SCALE_CHOICES).get(m.scale, m.scale),
        "comment_mode": lambda v, c, m, n: dict(COMMENT_CHOICES).get(m.comment_mode, m.comment_mode),
        "skill_group": lambda v, c, m, n: m.skill_group.name if m.skill_group else _l("Global"),
        "labels": lambda v, c, m, n: format_labels(m.labels),
        "tags": lambda v, c, m, n: format_tags(m.tags),
    }
    column_details_list = ["name", "skill_group", "scale", "labels", "tags", "tags_required",
                           "comment_mode", "ask_solved", "allow_repeat", "invite_text_zh",
                           "invite_text_en", "thanks_text_zh", "thanks_text_en", "updated_at"]
    form_columns = ["name", "skill_group", "scale", "labels", "tags", "tags_required",
                    "comment_mode", "ask_solved", "allow_repeat", "invite_text_zh",
                    "invite_text_en", "thanks_text_zh", "thanks_text_en"]
    form_overrides = {"skill_group": StrictQuerySelectField, "scale": SelectField,
                      "comment_mode": SelectField, "labels": TextAreaField, "tags": TextAreaField}
    form_args = {
        "name": {"validators": [InputRequired(), Length(max=120)]},
        "skill_group": {"query_factory": company_rows(SkillGroup),
                        "description": _l("Empty: the company's global scheme.")},
        "scale": {"choices": SCALE_CHOICES},
        "comment_mode": {"choices": COMMENT_CHOICES, "label": _l("Comment")},
        "labels": {"description": LINES_HELP},
        "tags": {"description": TAGS_HELP},
    }

    def scope_for_manager(self, query: Any, group_ids: set[int]) -> Any:
        """Managers read the schemes of the groups they oversee."""
        return query.filter(RatingScheme.skill_group_id.in_(group_ids))

    def create_form(self, obj: Any = None) -> Form:
        """Start from the default tags, so an admin edits rather than types them all."""
        form = super().create_form(obj)
        if not is_form_submitted():
            form.tags.data = format_tags({str(k): v for k, v in DEFAULT_TAGS.items()})
        return form

    def edit_form(self, obj: Any = None) -> Form:
        """Show labels and tags as the console's lines."""
        form = super().edit_form(obj)
        if obj is not None and not is_form_submitted():
            form.labels.data = format_labels(obj.labels)
            form.tags.data = format_tags(obj.tags)
        return form

    def populate(self, form: Form, model: Any) -> None:
        """Copy the plain fields; labels and tags are parsed in before_save."""
        for name, field in form._fields.items():
            if name not in ("labels", "tags", "skill_group", "csrf_token"):
                field.populate_obj(model, name)
        model.skill_group_id = form.skill_group.data.id if form.skill_group.data else None

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """Validate the scheme (scale, lines, one scheme per scope) through kefu's action."""
        check_scheme(model, form.labels.data or "", form.tags.data or "")


class RatingView(KefuModelView):
    """The ratings visitors gave (read-only); managers read their groups' ratings."""

    manager_readable = True
    allow_create = False
    allow_edit = False
    allow_delete = False
    column_list = ["created_at", "conversation_id", "agent", "skill_group", "score", "tags",
                   "comment", "solved", "source"]
    column_details_list = [*column_list, "agent_ids", "scale"]
    column_labels = labels(conversation_id=_l("Conversation"), agent=_l("Agent (last)"),
                           agent_ids=_l("Agents who handled it"), score=_l("Score"),
                           tags=_l("Tags"), comment=_l("Comment"), solved=_l("Resolved?"),
                           source=_l("Invited by"), scale=_l("Scale"))
    column_formatters = {
        "agent": lambda v, c, m, n: m.agent.shown_name if m.agent else "—",
        "skill_group": lambda v, c, m, n: m.skill_group.name if m.skill_group else "—",
        "tags": lambda v, c, m, n: ", ".join(m.tags or []),
        "solved": lambda v, c, m, n: SOLVED_LABELS.get(m.solved, "—"),
        "source": lambda v, c, m, n: SOURCE_LABELS.get(m.source, m.source),
        "score": lambda v, c, m, n: f"{m.score} / {10 if m.scale == 'score10' else 5}",
        "agent_ids": lambda v, c, m, n: " → ".join(str(i) for i in m.agent_ids or []),
    }
    column_searchable_list = ["comment"]
    column_filters = [
        IntEqualFilter(Rating.agent_id, _l("Agent"), options=company_options(User)),
        IntEqualFilter(Rating.skill_group_id, _l("Skill group"),
                       options=company_options(SkillGroup)),
        IntEqualFilter(Rating.score, _l("Score")),
    ]
    column_default_sort = ("created_at", True)

    def scope_for_manager(self, query: Any, group_ids: set[int]) -> Any:
        """Managers read the ratings of the groups they oversee."""
        return query.filter(Rating.skill_group_id.in_(group_ids))
