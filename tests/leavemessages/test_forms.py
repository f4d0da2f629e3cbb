"""Leave-message forms: which applies (rule, channel, group, default); every bad field is named."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.decisions.actions import do_publish
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.leavemessages.actions import check_submit
from kefu.leavemessages.forms import form_for
from kefu.leavemessages.models import LeaveMessage
from kefu.visitors.token import verify

from ..realtime.helpers import Recorder
from .helpers import FIELDS, make_form, offered


def _count() -> int:
    return int(db.session.scalar(select(func.count(LeaveMessage.id))) or 0)


def _good(client_id: str = "f-1", **values: Any) -> dict[str, Any]:
    base = {"name": "王五", "mobile": "13800000000", "mail": "w@example.com", "visit_day": "2026-11-30",
            "topic": "售后"}
    return {"client_id": client_id, "values": {**base, **values}, "content": "屏幕碎了"}


def test_form_per_channel_group_and_default(make):
    """The channel's form wins over the group's, which wins over the company default; a rule may name one."""
    d = make.desk(status="offline")
    other_channel = make.channel(d.company)
    default = make_form(d.company.id, "默认", is_default=True)
    by_group = make_form(d.company.id, "组表单", skill_group_id=d.group.id)
    by_channel = make_form(d.company.id, "渠道表单", channel_id=d.channel.id)
    named = make_form(d.company.id, "VIP 表单")
    cid = d.company.id
    assert form_for(cid, d.channel.id, d.group.id).id == by_channel.id
    assert form_for(cid, other_channel.id, d.group.id).id == by_group.id
    assert form_for(cid, other_channel.id, None).id == default.id
    assert form_for(cid, d.channel.id, d.group.id, "VIP 表单").id == named.id
    by_channel.enabled = False
    db.session.commit()
    assert form_for(cid, d.channel.id, d.group.id).id == by_group.id


def test_offer_carries_the_form_the_rule_names(live, make):
    """The offer event carries the named form's fields, labels, options, guide and privacy notice."""
    d = make.desk(status="offline")
    make_form(d.company.id, "默认", is_default=True, fields=FIELDS[:1])
    make_form(d.company.id, "售后表单")
    do_publish(d.company.id, "leave_message", {"rules": [
        {"id": "named", "name": "named", "when": None,
         "then": [{"action": "offer",
                   "params": {"text": "请留言", "fields": ["name"], "form": "售后表单"}}]}]})
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    offered(d)
    got = widget.wait_for("leave_message.offer")
    form = got["form"]
    assert form["name"] == "售后表单" and form["privacy_zh"] == "我们只用这些信息回复您"
    assert [f["name"] for f in form["fields"]] == [f["name"] for f in FIELDS]
    assert form["fields"][4]["options"] == ["售后", "发票"] and form["fields"][0]["required"] is True
    assert got["fields"][-1] == "content" and got["text"] == "请留言"
    widget.close()


def test_valid_submission_stores_the_values(make):
    """A complete form is stored with its values and the form it was left with."""
    d = make.desk(status="offline")
    form = make_form(d.company.id, is_default=True)
    lm = check_submit(verify(d.token), _good())
    assert lm.fields == {"name": "王五", "mobile": "13800000000", "mail": "w@example.com",
                         "visit_day": "2026-11-30", "topic": "售后"}
    assert lm.content == "屏幕碎了" and lm.decision["form_id"] == form.id


@pytest.mark.parametrize(("values", "code", "field", "zh", "en"), [
    ({"name": ""}, "leave_field_required", "name", "请填写「姓名」", "Please fill in “Name”"),
    ({"mobile": "  "}, "leave_field_required", "mobile", "手机", "Mobile"),
    ({"topic": None}, "leave_field_required", "topic", "问题类型", "Topic"),
    ({"mobile": "call me"}, "leave_field_phone", "mobile", "「手机」不是有效的电话号码",
     "“Mobile” is not a valid phone"),
    ({"mail": "w@"}, "leave_field_email", "mail", "「邮箱」不是有效的邮箱地址",
     "“Email” is not a valid email"),
    ({"visit_day": "2026-02-30"}, "leave_field_date", "visit_day", "到店日期", "Visit date"),
    ({"visit_day": "30/11/2026"}, "leave_field_date", "visit_day", "到店日期", "Visit date"),
    ({"topic": "退款"}, "leave_field_choice", "topic", "「问题类型」请从选项中选择", "“Topic”: pick one"),
    ({"name": "名" * 501}, "leave_field_too_long", "name", "姓名", "Name"),
    ({"name": ["not", "text"]}, "leave_field_required", "name", "姓名", "Name"),
    ({"photo": "no-such-upload"}, "leave_attachment_missing", "photo", "「照片」的附件无效", "“Photo”"),
    ({"photo": [f"k{n}" for n in range(6)]}, "leave_attachment_count", "photo", "最多 5 个", "at most 5"),
])
def test_each_bad_field_is_named(make, values, code, field, zh, en):
    """Each bad value is refused with an error naming that field's label in zh and en; nothing is stored."""
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    with pytest.raises(KefuError) as err:
        check_submit(verify(d.token), _good(**values))
    body = err.value.to_dict("en")["error"]
    assert body["code"] == code and field in body["fields"]
    assert zh in body["message_zh"] and en in body["message_en"]
    assert _count() == 0


@pytest.mark.parametrize("content", [None, "", "   ", "x" * 2001])
def test_the_message_itself_is_required(make, content):
    """Without the message text (or with too much) the form is refused as leave_message_content."""
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    data = _good()
    data["content"] = content
    with pytest.raises(KefuError) as err:
        check_submit(verify(d.token), data)
    assert err.value.code == "leave_message_content" and _count() == 0


def test_missing_required_over_the_socket_in_english(live, make):
    """The widget's ack names the missing field in the visitor's language, and the next good try lands."""
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    conv = offered(d)
    widget = Recorder(live, "/visitor", auth={"token": d.token, "lang": "en"})
    bad = widget.call("leave_message.submit", {**_good("s-1", mobile=""), "conversation_id": conv.id})
    assert bad["ok"] is False and bad["error"]["message"] == "Please fill in “Mobile”"
    assert bad["error"]["fields"] == {"mobile": ["leave_field_required"]}
    good = widget.call("leave_message.submit", {**_good("s-2"), "conversation_id": conv.id})
    assert good["ok"] is True and _count() == 1
    widget.close()


def test_replays_change_nothing(make):
    """A resent submission (same client id) returns the stored one even after the form changed."""
    d = make.desk(status="offline")
    form = make_form(d.company.id, is_default=True)
    first = check_submit(verify(d.token), _good("r-1"))
    form.fields = [*FIELDS, {"name": "extra", "kind": "text", "label_zh": "新", "required": True,
                             "label_en": "New", "options": []}]
    db.session.commit()
    again = check_submit(verify(d.token), _good("r-1", name="别的"))
    assert again.id == first.id and again.fields["name"] == "王五" and _count() == 1


@pytest.mark.parametrize(("fields", "detail"), [
    ([{"name": "Bad Name", "kind": "text", "label_zh": "x"}], "name"),
    ([{"name": "a", "kind": "video", "label_zh": "x"}], "kind"),
    ([{"name": "a", "kind": "choice", "label_zh": "x"}], "options"),
    ([{"name": "a", "kind": "text", "label_zh": "x", "options": ["y"]}], "options"),
    ([{"name": "a", "kind": "text", "label_zh": ""}], "label_zh"),
    ([{"name": "a", "kind": "text", "label_zh": "x"}, {"name": "a", "kind": "text", "label_zh": "y"}],
     "twice"),
    ([{"name": "content", "kind": "text", "label_zh": "x"}], "reserved"),
    ("not a list", "list"),
])
def test_console_refuses_broken_forms(make, fields, detail):
    """The form editor's action refuses bad field definitions, saying what is wrong."""
    d = make.desk(status="offline")
    with pytest.raises(KefuError) as err:
        make_form(d.company.id, fields=fields)
    assert err.value.code == "leave_form_invalid" and detail in err.value.to_dict("en")["error"]["message"]


def test_console_refuses_channel_and_group_together(make):
    """A form is for a channel or for a skill group, not both."""
    d = make.desk(status="offline")
    with pytest.raises(KefuError) as err:
        make_form(d.company.id, channel_id=d.channel.id, skill_group_id=d.group.id)
    assert err.value.code == "leave_form_invalid"
