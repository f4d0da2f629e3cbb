"""Robots (智能机器人): several per company, each with its texts, thresholds and transfer options."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, Form, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from kefu.robot.actions import check_robot
from kefu.robot.models import DEFAULT_CONFIDENT, DEFAULT_KEYWORDS, DEFAULT_SUGGEST, NAME_MAX, TEXT_MAX

from ..base import KefuModelView
from ..labels import labels

KEYWORDS_HELP = _l("One per line. A message that is one of these (or a short message containing one) "
                   "hands the chat to a human.")
SCORE_HELP = _l("0–1: the share of the question the best entry covers. Calibrated defaults: answer 0.5, "
                "suggest 0.2.")
EMPTY_TEXT = _l("Empty: the built-in text.")


class RobotView(KefuModelView):
    """CRUD of the company's robots; reception rules pick one by its action 机器人."""

    column_list = ["name", "display_name", "is_default", "enabled", "confident_score", "suggest_score",
                   "show_transfer_button", "transfer_after_unknown"]
    column_labels = labels(
        name=_l("Name"), display_name=_l("Name shown to visitors"), avatar_url=_l("Avatar URL"),
        greeting=_l("Greeting"), greeting_en=_l("Greeting (English)"),
        unknown_text=_l("Unknown-answer text"), unknown_text_en=_l("Unknown-answer text (English)"),
        suggest_intro=_l("Did-you-mean intro"), suggest_intro_en=_l("Did-you-mean intro (English)"),
        confident_score=_l("Answer score"), suggest_score=_l("Suggestion score"),
        show_transfer_button=_l("Show the transfer-to-human button"),
        keywords=_l("Transfer keywords"), transfer_after_unknown=_l("Transfer after unknown answers"),
        is_default=_l("Default robot"), enabled=_l("Enabled"),
    )
    column_searchable_list = ["name", "display_name"]
    column_default_sort = "id"
    form_columns = ["name", "display_name", "avatar_url", "greeting", "greeting_en", "unknown_text",
                    "unknown_text_en", "suggest_intro", "suggest_intro_en", "confident_score",
                    "suggest_score", "show_transfer_button", "keywords", "transfer_after_unknown",
                    "is_default", "enabled"]
    # Flask-Admin builds no field for Float columns: declared here.
    form_extra_fields = {
        "confident_score": FloatField(_l("Answer score"), default=DEFAULT_CONFIDENT, description=SCORE_HELP,
                                      validators=[InputRequired(), NumberRange(min=0, max=1)]),
        "suggest_score": FloatField(_l("Suggestion score"), default=DEFAULT_SUGGEST, description=SCORE_HELP,
                                    validators=[InputRequired(), NumberRange(min=0, max=1)]),
        "keywords": TextAreaField(_l("Transfer keywords"), description=KEYWORDS_HELP,
                                  default="\n".join(DEFAULT_KEYWORDS)),
    }
    _text = {"validators": [Optional(), Length(max=TEXT_MAX)], "description": EMPTY_TEXT}
    form_args = {
        "name": {"validators": [InputRequired(), Length(max=NAME_MAX)]},
        "display_name": {"validators": [Optional(), Length(max=NAME_MAX)]},
        "avatar_url": {"validators": [Optional(), Length(max=500)]},
        "greeting": _text, "greeting_en": _text, "unknown_text": _text, "unknown_text_en": _text,
        "suggest_intro": {"validators": [Optional(), Length(max=200)], "description": EMPTY_TEXT},
        "suggest_intro_en": {"validators": [Optional(), Length(max=200)], "description": EMPTY_TEXT},
        "transfer_after_unknown": {"validators": [InputRequired(), NumberRange(min=0, max=20)],
                                   "description": _l("0: never by count.")},
    }

    def edit_form(self, obj: Any = None) -> Form:
        """Show the keywords one per line."""
        form = super().edit_form(obj)
        if obj is not None and not form.is_submitted():
            form.keywords.data = "\n".join(obj.transfer_keywords or [])
        return form

    def populate(self, form: Form, model: Any) -> None:
        """Copy the mapped fields; the keyword lines become the list."""
        for name, field in form._fields.items():
            if name not in ("keywords", "csrf_token"):
                field.populate_obj(model, name)
        model.transfer_keywords = (form.keywords.data or "").splitlines()

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """One name per company, suggestion ≤ answer score, one default robot."""
        check_robot(model)
