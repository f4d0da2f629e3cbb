"""留言 in headless Chromium: off-hours form, named errors, attachment, pool reply read on a later visit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FIELDS = [
    {"name": "name", "kind": "text", "label_zh": "姓名", "label_en": "Name"},
    {"name": "mobile", "kind": "phone", "label_zh": "手机", "label_en": "Mobile", "required": True},
    {"name": "topic", "kind": "choice", "label_zh": "问题类型", "label_en": "Topic", "required": True,
     "options": ["售后", "发票"]},
    {"name": "photo", "kind": "attachment", "label_zh": "照片", "label_en": "Photo"},
]


def test_off_hours_leave_message_answered_and_read_later(live, make, new_context):
    """Off hours: form offered, named error fixed, file attached; pool reply shown on the next page load."""
    from kefu.leavemessages.actions import check_save_form
    from kefu.leavemessages.models import LeaveForm
    from kefu.org.models import WorkSchedule
    from kefu.settings.actions import do_save

    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    channel = make.channel(company, group)
    do_save(None, WorkSchedule(company_id=company.id, name="closed", timezone="UTC", weekly={}), created=True)
    check_save_form(None, LeaveForm(company_id=company.id, name="默认留言", is_default=True, fields=FIELDS,
                                    guide_zh="请留下联系方式", privacy_zh="您的信息仅用于回复本留言"),
                    created=True)

    visitor_context = new_context(viewport={"width": 420, "height": 760})
    widget = open_widget(visitor_context, live, channel.key)
    widget.fill("#text", "你好，发票开错了")
    widget.click("#send")
    form = widget.locator("#leave-form")
    expect(form).to_be_visible()
    expect(form.locator(".leave-text")).to_contain_text("非工作时间")
    expect(form.locator(".leave-privacy")).to_have_text("您的信息仅用于回复本留言")
    expect(form.locator(".leave-label")).to_have_text(["姓名", "手机 *", "问题类型 *", "照片", "留言内容 *"])
    form.locator("input[name=name]").fill("王五")
    form.locator("select[name=topic]").select_option("发票")
    form.locator("textarea[name=content]").fill("发票抬头开错了，请帮忙重开")
    form.locator("input[name=photo]").set_input_files(
        files=[{"name": "发票.png", "mimeType": "image/png", "buffer": PNG}])
    expect(form.locator(".leave-files li.uploaded")).to_have_text("发票.png")
    form.locator("button[type=submit]").click()
    expect(form.locator(".leave-error").filter(has_text="请填写「手机」")).to_be_visible()
    shot(widget, "widget-leave-error")
    form.locator("input[name=mobile]").fill("13800000000")
    form.locator("button[type=submit]").click()
    expect(widget.locator("#leave-form")).to_have_count(0)
    expect(widget.locator("#messages li.msg-system", has_text="已收到您的留言")).to_be_visible()
    widget.close()

    bench = login_agent(new_context(), live, agent.email)
    bench.click("#pool-toggle")
    bench.select_option("#pool-scope", "pool")
    item = bench.locator(".pool-item")
    expect(item).to_have_count(1)
    expect(item.locator(".pool-content")).to_have_text("发票抬头开错了，请帮忙重开")
    expect(item.locator(".pool-fields dd")).to_have_text(["王五", "13800000000", "发票"])
    expect(item.locator(".pool-files a")).to_contain_text("发票.png")
    item.locator("textarea[name=reply]").fill("您好，已为您重开发票，请查收邮箱。")
    shot(bench, "workbench-pool")
    item.locator(".pool-reply-done").click()
    bench.click("[data-status=done]")
    bench.select_option("#pool-scope", "mine")
    expect(bench.locator(".pool-item .pool-reply")).to_contain_text("您好，已为您重开发票")

    later = open_widget(visitor_context, live, channel.key)  # a new page load, same visitor
    reply = later.locator("#messages li.msg-offline-reply")
    expect(reply).to_have_count(1)
    expect(reply.locator(".reply-quote")).to_contain_text("回复您的留言")
    expect(reply).to_contain_text("您好，已为您重开发票，请查收邮箱。")
    shot(later, "widget-leave-reply")


def test_visitor_chooses_to_leave_a_message_without_a_configured_form(live, make, new_context):
    """Without a configured form the 留言 button opens the plain form; a bad phone is named; the fix lands."""
    from sqlalchemy import select

    from kefu.extensions import db
    from kefu.leavemessages.models import LeaveMessage

    company = make.company()
    group = make.group(company)
    make.user(company, groups=[group], status="online")
    channel = make.channel(company, group)
    widget = open_widget(new_context(viewport={"width": 420, "height": 760}), live, channel.key)
    widget.click("#leave-open")
    form = widget.locator("#leave-form")
    expect(form.locator(".leave-label")).to_have_text(["姓名", "电话", "留言内容 *"])
    form.locator("input[name=phone]").fill("abc")
    form.locator("textarea[name=content]").fill("想了解企业版价格")
    form.locator("button[type=submit]").click()
    expect(form.locator(".leave-error").filter(has_text="电话号码格式不正确")).to_be_visible()
    form.locator("input[name=phone]").fill("+86 138 0000 0000")
    form.locator("button[type=submit]").click()
    expect(widget.locator("#leave-form")).to_have_count(0)
    expect(widget.locator("#messages li.msg-system", has_text="您的留言已提交成功")).to_be_visible()
    db.session.rollback()
    (stored,) = db.session.scalars(select(LeaveMessage)).all()
    assert stored.reason == "visitor_choice" and stored.fields == {"phone": "+86 138 0000 0000"}
