"""Leave-message forms: which one applies, its widget shape, and values checked field by field."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from ..errors import KefuError, ValidationFailed
from ..extensions import db
from .models import FIELD_KINDS, LeaveForm
from .schemas import PHONE_PATTERN

NAME_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
RESERVED = ("content", "client_id", "conversation_id", "values")
TEXT_LIMIT = 500
CONTENT_LIMIT = 2000
MAX_FILES = 5
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The widget's labels for the legacy field names, when no configured form applies.
LEGACY = {
    "name": ("text", "姓名", "Name"), "phone": ("phone", "电话", "Phone"),
    "email": ("email", "邮箱", "Email"),
}
CONTENT_LABEL = ("留言内容", "Message")


class FieldSpecSchema(Schema):
    """One configured field of a form."""

    name = fields.String(required=True, validate=validate.Regexp(NAME_PATTERN))
    kind = fields.String(required=True, validate=validate.OneOf(FIELD_KINDS))
    label_zh = fields.String(required=True, validate=validate.Length(min=1, max=60))
    label_en = fields.String(load_default="", validate=validate.Length(max=60))
    required = fields.Boolean(load_default=False)
    options = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                          load_default=list, validate=validate.Length(max=50))

    @validates_schema
    def _choices(self, data: dict[str, Any], **_kw: Any) -> None:
        """A choice needs options; other kinds take none."""
        if data["kind"] == "choice" and not data["options"]:
            raise ValidationError("a choice field needs options", "options")
        if data["kind"] != "choice" and data["options"]:
            raise ValidationError("only choice fields take options", "options")


def check_field_specs(specs: Any) -> list[dict[str, Any]]:
    """Validate a form's field list (console editor); raise leave_form_invalid naming the problem."""
    if not isinstance(specs, list) or len(specs) > 30:
        raise KefuError("leave_form_invalid", detail="fields must be a list of at most 30")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, raw in enumerate(specs, 1):
        try:
            spec = FieldSpecSchema().load(raw if isinstance(raw, dict) else {})
        except ValidationError as exc:
            msgs = exc.normalized_messages()
            detail = "; ".join(f"{k}: {v[0] if isinstance(v, list) else v}" for k, v in msgs.items())
            raise KefuError("leave_form_invalid", detail=f"#{n} {detail}",
                            fields={f"fields[{n}]": msgs}) from exc
        if spec["name"] in RESERVED:
            raise KefuError("leave_form_invalid", detail=f"#{n} name “{spec['name']}” is reserved")
        if spec["name"] in seen:
            raise KefuError("leave_form_invalid", detail=f"#{n} name “{spec['name']}” twice")
        seen.add(spec["name"])
        spec["label_en"] = spec["label_en"] or spec["label_zh"]
        out.append(spec)
    return out


def form_for(company_id: int, channel_id: int | None, group_id: int | None,
             named: str | None = None) -> LeaveForm | None:
    """The enabled form that applies: the rules' named one, else channel's, group's, default."""
    forms = list(db.session.scalars(
        select(LeaveForm).where(LeaveForm.company_id == company_id, LeaveForm.enabled.is_(True))
        .order_by(LeaveForm.id)
    ))
    if named:
        by_name = [f for f in forms if f.name == named]
        if by_name:
            return by_name[0]
    for match in (
        lambda f: f.channel_id is not None and f.channel_id == channel_id,
        lambda f: f.channel_id is None and f.skill_group_id is not None and f.skill_group_id == group_id,
        lambda f: f.is_default and f.channel_id is None and f.skill_group_id is None,
    ):
        hits = [f for f in forms if match(f)]
        if hits:
            return hits[0]
    return None


def legacy_specs(names: list[str]) -> list[dict[str, Any]]:
    """Field specs for the rule's plain field names (name/phone/email), all optional."""
    return [{"name": n, "kind": LEGACY[n][0], "label_zh": LEGACY[n][1], "label_en": LEGACY[n][2],
             "required": False, "options": []} for n in names if n in LEGACY]


def form_dict(form: LeaveForm | None, names: list[str] | None = None) -> dict[str, Any]:
    """The form as the widget draws it: both languages, the fields, then the message itself."""
    if form is None:
        return {"id": None, "name": "", "guide_zh": "", "guide_en": "", "privacy_zh": "",
                "privacy_en": "", "fields": legacy_specs(names or ["name", "phone"]),
                "content_label_zh": CONTENT_LABEL[0], "content_label_en": CONTENT_LABEL[1]}
    return {"id": form.id, "name": form.name, "guide_zh": form.guide_zh, "guide_en": form.guide_en,
            "privacy_zh": form.privacy_zh, "privacy_en": form.privacy_en, "fields": list(form.fields),
            "content_label_zh": CONTENT_LABEL[0], "content_label_en": CONTENT_LABEL[1]}


def _fail(code: str, spec: dict[str, Any], **params: Any) -> ValidationFailed:
    return ValidationFailed({spec["name"]: [code]}, code=code, field_zh=spec["label_zh"],
                            field_en=spec.get("label_en") or spec["label_zh"], **params)


def _date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return bool(re.match(r"^\d{4}-\d{2}-\d{2}$", value))


def check_values(specs: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """Return the cleaned values in form order; the first bad one raises naming its field."""
    out: dict[str, Any] = {}
    for spec in specs:
        raw = values.get(spec["name"])
        if spec["kind"] == "attachment":
            keys = raw if isinstance(raw, list) else ([raw] if isinstance(raw, str) and raw else [])
            if not all(isinstance(k, str) and 0 < len(k) <= 40 for k in keys):
                raise _fail("leave_attachment_missing", spec)
            if spec.get("required") and not keys:
                raise _fail("leave_field_required", spec)
            if len(keys) > MAX_FILES:
                raise _fail("leave_attachment_count", spec, limit=MAX_FILES)
            if keys:
                out[spec["name"]] = list(dict.fromkeys(keys))
            continue
        value = raw.strip() if isinstance(raw, str) else ("" if raw is None else None)
        if value is None:
            raise _fail("leave_field_required", spec)
        if not value:
            if spec.get("required"):
                raise _fail("leave_field_required", spec)
            continue
        if len(value) > TEXT_LIMIT:
            raise _fail("leave_field_too_long", spec, limit=TEXT_LIMIT)
        kind = spec["kind"]
        if kind == "email" and (not _EMAIL.match(value) or len(value) > 254):
            raise _fail("leave_field_email", spec)
        if kind == "phone" and not re.match(PHONE_PATTERN, value):
            raise _fail("leave_field_phone", spec)
        if kind == "date" and not _date(value):
            raise _fail("leave_field_date", spec)
        if kind == "choice" and value not in spec.get("options", []):
            raise _fail("leave_field_choice", spec)
        out[spec["name"]] = value
    return out


def check_content(raw: Any) -> str:
    """The message itself: required, 1-2000 characters."""
    content = raw.strip() if isinstance(raw, str) else ""
    if not content or len(content) > CONTENT_LIMIT:
        raise ValidationFailed({"content": ["length"]}, code="leave_message_content")
    return content
