"""Channels (接入渠道): web widget, WhatsApp, Messenger, LINE, API; secrets encrypted at rest."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_admin.contrib.sqla.filters import BooleanEqualFilter, FilterEqual, IntEqualFilter
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import BooleanField, Form
from wtforms.validators import InputRequired, Length

from kefu.channels.models import Channel
from kefu.crypto import decrypt_json, encrypt_json
from kefu.org.models import SkillGroup

from ..base import KefuModelView, company_options, company_rows
from ..fields import (
    JSONTextField,
    SecretJSONField,
    StrictQuerySelectField,
    object_error,
    secrets_error,
)
from ..labels import KIND_CHOICES, labels

WRITE_ONLY = ("secrets", "clear_secrets")


def snippet(channel: Channel, base: str) -> dict[str, str]:
    """Return the embed snippet and the H5 link of a channel."""
    return {
        "script": f'<script src="{base}/widget/{channel.key}.js" async></script>',
        "h5": f"{base}/chat/{channel.key}",
    }


def stored_secret_names(channel: Channel) -> str:
    """Names (never values) of the stored secrets."""
    try:
        names = sorted(decrypt_json(channel.secrets_encrypted))
    except ValueError:
        return str(_l("(cannot be decrypted with this secret key)"))
    return ", ".join(names) if names else "—"


class ChannelView(KefuModelView):
    """CRUD of channels; the page shows the widget snippet to copy."""

    manager_readable = True
    details_template = "kefu_admin/channel_details.html"
    edit_template = "kefu_admin/channel_edit.html"
    column_list = ["name", "kind", "skill_group", "enabled", "key"]
    column_details_list = ["name", "kind", "key", "skill_group", "enabled", "settings",
                           "secret_names", "created_at"]
    column_labels = labels(
        key=_l("Public key"), settings=_l("Settings (JSON)"), secrets=_l("Secrets (JSON)"),
        secret_names=_l("Stored secrets"), clear_secrets=_l("Remove the stored secrets"),
    )
    column_choices = {"kind": KIND_CHOICES}
    column_formatters = {
        "secret_names": lambda v, c, m, n: stored_secret_names(m),
        "key": lambda v, c, m, n: Markup("<code>{}</code>").format(escape(m.key)),
    }
    column_searchable_list = ["name", "key"]
    column_filters = [
        FilterEqual(Channel.kind, _l("Kind"), options=KIND_CHOICES),
        BooleanEqualFilter(Channel.enabled, _l("Enabled")),
        IntEqualFilter(Channel.skill_group_id, _l("Skill group"),
                       options=company_options(SkillGroup)),
    ]
    form_columns = ["name", "kind", "skill_group", "enabled", "settings", "secrets",
                    "clear_secrets"]
    form_choices = {"kind": KIND_CHOICES}
    form_overrides = {"settings": JSONTextField, "skill_group": StrictQuerySelectField}
    form_extra_fields = {
        "secrets": SecretJSONField(
            _l("Secrets (JSON)"), shape=secrets_error,
            description=_l('Tokens and app secrets, e.g. {"access_token": "…"}. Stored '
                           "encrypted and never shown again; leave empty to keep them."),
        ),
        "clear_secrets": BooleanField(_l("Remove the stored secrets")),
    }
    form_args = {
        "name": {"validators": [InputRequired(), Length(max=120)]},
        "skill_group": {"query_factory": company_rows(SkillGroup)},
        "settings": {"shape": object_error, "empty": {},
                     "description": _l('Widget and channel options, e.g. {"title": "在线客服"}')},
    }

    def scope_for_manager(self, query: Any, group_ids: set[int]) -> Any:
        """Managers see the channels that route to the groups they oversee."""
        return query.filter(Channel.skill_group_id.in_(group_ids))

    def populate(self, form: Form, model: Any) -> None:
        """Copy the mapped fields; secrets are encrypted in before_save."""
        for name, field in form._fields.items():
            if name not in WRITE_ONLY and name != "csrf_token":
                field.populate_obj(model, name)

    def before_save(self, form: Form, model: Any, created: bool) -> None:
        """Encrypt new secrets; an empty secrets box keeps the stored ones."""
        if form.clear_secrets.data:
            model.secrets_encrypted = ""
        if form.secrets.data:
            model.secrets_encrypted = encrypt_json(form.secrets.data)

    def render(self, template: str, **kwargs: Any) -> Any:
        """Give the channel pages their snippet."""
        model = kwargs.get("model")
        if isinstance(model, Channel) and model.key:
            kwargs["snippet"] = snippet(model, request.url_root.rstrip("/"))
        return super().render(template, **kwargs)
