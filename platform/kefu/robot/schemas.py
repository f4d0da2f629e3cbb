"""Validation of what visitors send the robot (marshmallow)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from ..conversations.schemas import load
from .models import FEEDBACKS, REASON_MAX

__all__ = ["FeedbackSchema", "TransferSchema", "load"]


class TransferSchema(Schema):
    """The 转人工 button (the conversation is the visitor's open one; naming it guards a stale tab)."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=1))


class FeedbackSchema(Schema):
    """有用 / 没用 on one robot answer; 没用 needs a reason (picked from the list or typed)."""

    class Meta:
        unknown = EXCLUDE

    answer_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    verdict = fields.String(required=True, validate=validate.OneOf(FEEDBACKS))
    reason = fields.String(load_default="", validate=validate.Length(max=REASON_MAX))

    @validates_schema
    def _reason(self, data: dict[str, str], **_kwargs: object) -> None:
        data["reason"] = " ".join((data.get("reason") or "").split())
        if data["verdict"] == "useless" and not data["reason"]:
            raise ValidationError("a reason is required", "reason")
