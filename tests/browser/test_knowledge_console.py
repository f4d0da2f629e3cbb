"""知识库管理 in headless Chromium: an operator builds a category and a Q&A entry, publishes it, and imports
a file whose bad row is reported while nothing is imported."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kefu.extensions import db
from kefu.knowledge.models import KnowledgeEntry

from .helpers import AGENT_PASSWORD, shot

pytestmark = pytest.mark.browser

BAD_FILE = ("标准问题 (question),相似问题 (similar),答案 (answer),分类 (category),状态 (status)\n"
            "发票怎么开,,<p>在订单详情开票</p>,售后,draft\n"
            ",,没有标准问题,售后,draft\n"
            "运费谁出,,<p>商家承担</p>,没有这个分类,draft\n").encode("utf-8-sig")


def test_operator_builds_the_qa_library_and_sees_the_bad_rows_of_an_import(live, make, new_context):
    """Through the 知识库 menu the owner adds 售后 and an entry with two similar questions and a bold answer,
    publishes it from the list, then imports a file with two bad rows: rows 3 and 4 are named with their
    problems and nothing from the file is imported."""
    company = make.company()
    owner = make.user(company, role="owner", password=AGENT_PASSWORD)
    console = new_context(viewport={"width": 1280, "height": 900}).new_page()
    console.on("dialog", lambda dialog: dialog.accept())
    console.goto(f"{live}/login?next=/admin/")
    console.fill("#email", owner.email)
    console.fill("#password", AGENT_PASSWORD)
    console.click("#login-submit")
    console.wait_for_url(re.compile(r"/admin/$"))

    console.get_by_role("link", name="知识库", exact=True).click()
    console.get_by_role("link", name="知识分类").click()
    console.goto(console.url.split("?")[0] + "new/")
    console.fill("#name", "售后")
    console.fill("#name_en", "After-sales")
    console.locator("form.admin-form [type=submit]").first.click()
    expect(console.locator("table.model-list")).to_contain_text("售后")
    console.wait_for_load_state()  # the menu opens only once its script ran (a busy CI host clicked too soon)

    console.get_by_role("link", name="知识库", exact=True).click()
    console.get_by_role("link", name="问答库").click()
    console.goto(console.url.split("?")[0] + "new/")
    console.fill("#question", "怎么申请退款")
    console.fill("#similar", "如何退款\n钱能退回来吗")
    editor = console.locator("#answer-editor")
    editor.click()
    console.keyboard.type("在订单页点申请退款")
    console.keyboard.press("Control+A")
    console.get_by_role("button", name="加粗").click()
    expect(console.locator("#answer")).to_have_value(re.compile(r"<b>在订单页点申请退款</b>"))
    console.select_option("#category", label="售后")
    shot(console, "knowledge-console-entry-form")
    console.locator("form.admin-form [type=submit]").first.click()
    row = console.locator("table.model-list tbody tr", has_text="怎么申请退款")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "draft")

    row.locator("input.action-checkbox").check()
    console.locator(".actions-nav .dropdown-toggle, a.dropdown-toggle:has-text('选中')").first.click()
    console.get_by_role("link", name="发布", exact=True).click()
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "published")
    shot(console, "knowledge-console-published")

    console.click("#kb-import")
    console.set_input_files("#file", files=[{"name": "kb.csv", "mimeType": "text/csv", "buffer": BAD_FILE}])
    console.click("#kb-import-submit")
    problems = console.locator("#kb-import-problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("3")
    expect(problems.nth(0)).to_contain_text("请填写标准问题")
    expect(problems.nth(1)).to_contain_text("找不到分类「没有这个分类」")
    expect(console.locator(".alert-danger, .alert-error").first).to_contain_text("未导入任何内容")
    shot(console, "knowledge-console-import-report")

    db.session.rollback()
    (saved,) = db.session.query(KnowledgeEntry).all()  # the file's good row was not imported either
    assert saved.question == "怎么申请退款" and saved.similar == ["如何退款", "钱能退回来吗"]
    assert saved.status == "published" and "<b>在订单页点申请退款</b>" in saved.answer
