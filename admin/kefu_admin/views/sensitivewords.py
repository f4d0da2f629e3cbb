"""Sensitive words (敏感词): refused in agents' messages, flagged in visitors' for monitoring."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.filters import FilterEqual, FilterLike
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import Form, SelectField
from wtforms.validators import InputRequired, Length

from kefu.chatpane.models import SensitiveWord
from kefu.errors import KefuError
from kefu.extensions import db

from ..base import KefuModelView
from ..labels import labels

SCOPE_CHOICES = [
    ("agent", _l("Agents (message refused)")),
    ("visitor", _l("Visitors (message flagged)")),
]


class SensitiveWordView(KefuModelView):
    """CRUD of the company's two word lists; a change is used by the next message."""

    column_list = ["word", "scope", "created_at"]
    column_labels = labels(word=_l("Word"), scope=_l("Applies to"), created_at=_l("Created"))
    column_formatters = {"scope": lambda v, c, m, n: str(dict(SCOPE_CHOICES).get(m.scope, m.scope))}
    column_searchable_list = ["word"]
    column_filters = [
        FilterEqual(SensitiveWord.scope, _l("Applies to"), options=SCOPE_CHOICES),
        FilterLike(SensitiveWord.word, _l("Word")),
    ]
    column_default_sort = "word"
    form_columns = ["word", "scope"]
    form_overrides = {"scope": SelectField}
    form_args = {
        "word": {"label": _l("Word"), "validators": [InputRequired(), Length(min=1, max=100)]},
        "scope": {"label": _l("Applies to"), "choices": SCOPE_CHOICES},
    }

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """Trim the word; refuse a blank one and a repeat in the same list."""
        model.word = (model.word or "").strip()
        if not model.word:
            raise KefuError("invalid_input", fields={"word": ["empty"]})
        twin = db.session.scalar(select(SensitiveWord.id).where(
            SensitiveWord.company_id == model.company_id, SensitiveWord.scope == model.scope,
            SensitiveWord.word == model.word))
        if twin is not None and twin != model.id:
            raise KefuError("duplicate", fields={"word": [model.word]})
