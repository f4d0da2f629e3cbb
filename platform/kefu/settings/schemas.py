"""Validation of the company's conversation settings (会话设置)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .models import OFFLINE_CHATS

# A comma-separated list of MIME types such as "image/png, application/pdf".
TYPES_RE = r"^\s*[\w.+-]+/[\w.+-]+\s*(,\s*[\w.+-]+/[\w.+-]+\s*)*,?\s*$"


class CompanySettingsSchema(Schema):
    """Every switch with its range; texts are optional (empty = the built-in wording)."""

    queue_max_length = fields.Integer(required=True, strict=False,
                                      validate=validate.Range(min=0, max=10000))
    queue_max_wait_seconds = fields.Integer(required=True, strict=False,
                                            validate=validate.Range(min=0, max=86400))
    queue_full_text = fields.String(load_default="", validate=validate.Length(max=500))
    queue_timeout_text = fields.String(load_default="", validate=validate.Length(max=500))
    status_approval = fields.Boolean(load_default=False)
    presence_grace_seconds = fields.Integer(required=True, strict=False,
                                            validate=validate.Range(min=0, max=3600))
    offline_chats = fields.String(required=True, validate=validate.OneOf(OFFLINE_CHATS))
    agents_see_ratings = fields.Boolean(load_default=False)
    rating_on_close = fields.Boolean(load_default=False)


class WorkbenchSettingsSchema(Schema):
    """客服工作台设置: recall, required summary, notification defaults and file limits."""

    recall_seconds = fields.Integer(required=True, strict=False,
                                    validate=validate.Range(min=0, max=86400))
    summary_required = fields.Boolean(load_default=False)
    notify_sound = fields.Boolean(load_default=False)
    notify_desktop = fields.Boolean(load_default=False)
    notify_on_message = fields.Boolean(load_default=False)
    file_max_mb = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=100))
    file_types = fields.String(required=True, validate=[validate.Length(min=1, max=1000),
                                                        validate.Regexp(TYPES_RE)])
    visitor_files = fields.Boolean(load_default=False)
