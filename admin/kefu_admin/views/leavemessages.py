"""Leave messages in the console: the forms (留言模板) and the record of messages (留言记录)."""

from __future__ import annotations

import json
from typing import Any

from flask_admin.contrib.sqla.filters import FilterEqual, FilterLike, IntEqualFilter
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Form
from wtforms.validators import InputRequired, Length

from kefu.channels.models import Channel
from kefu.errors import KefuError
from kefu.i18n import current_lang
from kefu.leavemessages.actions import check_form_row
from kefu.leavemessages.attachments import attachment_dict, of_message
from kefu.leavemessages.forms import check_field_specs
from kefu.leavemessages.models import LeaveForm, LeaveMessage
from kefu.org.models import SkillGroup, User

from ..base import KefuModelView, company_options, company_rows
from ..fields import JSONTextField, StrictQuerySelectField
from ..labels import labels

FIELDS_HELP = _l(
    'A JSON list, one object per field, e.g. [{"name": "mobile", "kind": "phone", "label_zh": "手机", '
    '"label_en": "Mobile", "required": true}, {"name": "topic", "kind": "choice", "label_zh": "问题类型", '
    '"options": ["售后", "发票"]}]. Kinds: text, phone, email, date, choice, attachment. The message '
    "itself is always asked after these fields."
)
STATUS_CHOICES = [("new", _l("Unhandled")), ("processing", _l("In progress")), ("done", _l("Handled"))]
REASON_CHOICES = [("off_hours", _l("Off hours")), ("none_online", _l("Nobody online")),
                  ("queue_full", _l("Queue full")), ("visitor_choice", _l("Visitor chose to"))]


def fields_error(value: Any) -> str | None:
    """The same check the action makes, shown next to the field."""
    try:
        check_field_specs(value)
    except KefuError as exc:
        return str(exc.to_dict(current_lang())["error"]["message"])
    return None


def _specs_html(form: LeaveForm) -> Markup:
    parts = []
    for f in form.fields or []:
        star = " *" if f.get("required") else ""
        parts.append(Markup("<li>{}{} <small class='text-muted'>{} · {}</small></li>").format(
            f.get("label_zh"), star, f.get("name"), f.get("kind")))
    return Markup("<ul class='mb-0 pl-3'>{}</ul>").format(Markup("").join(parts))


class LeaveFormView(KefuModelView):
    """CRUD of leave-message forms, each for a channel, a skill group or the company default."""

    manager_readable = True
    column_list = ["name", "channel", "skill_group", "is_default", "enabled", "fields"]
    column_details_list = ["name", "channel", "skill_group", "is_default", "enabled", "guide_zh",
                           "guide_en", "privacy_zh", "privacy_en", "fields", "updated_at"]
    column_labels = labels(
        channel=_l("Channel (only this one)"), skill_group=_l("Skill group (only this one)"),
        is_default=_l("Company default"), guide_zh=_l("Guide text (Chinese)"),
        guide_en=_l("Guide text (English)"), privacy_zh=_l("Privacy notice (Chinese)"),
        privacy_en=_l("Privacy notice (English)"), fields=_l("Fields"),
    )
    column_formatters = {"fields": lambda v, c, m, n: _specs_html(m)}
    column_filters = [
        IntEqualFilter(LeaveForm.channel_id, _l("Channel"), options=company_options(Channel)),
        IntEqualFilter(LeaveForm.skill_group_id, _l("Skill group"), options=company_options(SkillGroup)),
    ]
    form_columns = ["name", "channel", "skill_group", "is_default", "enabled", "guide_zh", "guide_en",
                    "privacy_zh", "privacy_en", "fields"]
    form_overrides = {"fields": JSONTextField, "channel": StrictQuerySelectField,
                      "skill_group": StrictQuerySelectField}
    form_args = {
        "name": {"validators": [InputRequired(), Length(max=80)],
                 "description": _l("Leave-message rules can name this form in their “offer” action.")},
        "channel": {"query_factory": company_rows(Channel), "allow_blank": True, "blank_text": "—"},
        "skill_group": {"query_factory": company_rows(SkillGroup), "allow_blank": True,
                        "blank_text": "—"},
        "fields": {"shape": fields_error, "empty": [], "description": FIELDS_HELP,
                   "render_kw": {"rows": 10, "style": "font-family: monospace"}},
    }

    def scope_for_manager(self, query: Any, group_ids: set[int]) -> Any:
        """Managers read the forms of their groups and the company-wide ones."""
        return query.filter((LeaveForm.skill_group_id.in_(group_ids)) | LeaveForm.skill_group_id.is_(None))

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """Check the fields and the scope through the leave-message action's rules."""
        model.channel_id = model.channel.id if model.channel is not None else None
        model.skill_group_id = model.skill_group.id if model.skill_group is not None else None
        check_form_row(model)


def _fields_html(lm: LeaveMessage) -> Markup:
    values = {k: v for k, v in (lm.fields or {}).items() if not isinstance(v, list)}
    text = json.dumps(values, ensure_ascii=False)
    files = Markup(" ").join(
        Markup("<a href='{}' download>{}</a>").format(a["url"], a["filename"])
        for a in (attachment_dict(x) for x in of_message(lm.id)))
    return Markup("<code>{}</code> {}").format(escape(text), files)


class LeaveMessageView(KefuModelView):
    """留言记录: every leave message, filtered by status, reason, group or agent; read-only."""

    allow_create = False
    allow_edit = False
    allow_delete = False
    manager_readable = True
    column_list = ["created_at", "status", "reason", "visitor_id", "skill_group", "agent", "content",
                   "fields", "replies"]
    column_details_list = column_list
    column_labels = labels(reason=_l("Reason"), visitor_id=_l("Visitor"), agent=_l("Agent"),
                           content=_l("Message"), fields=_l("Fields"), replies=_l("Replies"))
    column_choices = {"status": STATUS_CHOICES, "reason": REASON_CHOICES}
    column_formatters = {
        "fields": lambda v, c, m, n: _fields_html(m),
        "replies": lambda v, c, m, n: "\n".join(r.get("text", "") for r in m.replies or []),
    }
    column_searchable_list = ["content"]
    column_filters = [
        FilterEqual(LeaveMessage.status, _l("Status"), options=STATUS_CHOICES),
        FilterEqual(LeaveMessage.reason, _l("Reason"), options=REASON_CHOICES),
        IntEqualFilter(LeaveMessage.skill_group_id, _l("Skill group"), options=company_options(SkillGroup)),
        IntEqualFilter(LeaveMessage.agent_id, _l("Agent"), options=company_options(User)),
        FilterLike(LeaveMessage.content, _l("Message")),
    ]
    column_default_sort = ("created_at", True)
    column_sortable_list = ["created_at", "status", "reason"]

    def scope_for_manager(self, query: Any, group_ids: set[int]) -> Any:
        """Managers read their groups' messages and the unassigned pool."""
        group = LeaveMessage.skill_group_id
        return query.filter(group.in_(group_ids) | group.is_(None))
