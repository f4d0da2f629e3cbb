"""Import and export of Q&A entries: template, all-or-nothing import with a row report, round trips."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from openpyxl import load_workbook

from kefu.audit.models import AuditLog
from kefu.knowledge.models import KnowledgeDoc, KnowledgeEntry

from .helpers import category, entry, owner_client, page, page_token, rows

HEADER = "标准问题 (question),相似问题 (similar),答案 (answer),分类 (category),状态 (status),类型 (kind)\n"


def _import(client, data: bytes, name: str, lang: str = "zh"):
    form = page(client, "/admin/knowledge_entries/import/")
    return client.post(f"/admin/knowledge_entries/import/?lang={lang}", data={
        "csrf_token": page_token(form), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def test_a_good_csv_imports_every_row_audited_and_searchable(app, make):
    """Every row of a valid csv becomes an entry (similar questions split by line, category by path)."""
    company = make.company()
    client = owner_client(app, company)
    parent = category(client, "售后")
    child = category(client, "退款", parent=parent)
    body = (HEADER + '怎么退款,"如何退款\n退钱",<p>在订单页申请</p>,售后 / 退款,已发布,问答\n'
            "发票,,开发票,,draft,qa\n")
    r = _import(client, body.encode("utf-8-sig"), "kb.csv")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    got = {e.question: e for e in rows(KnowledgeEntry)}
    assert set(got) == {"怎么退款", "发票"}
    assert got["怎么退款"].similar == ["如何退款", "退钱"] and got["怎么退款"].category_id == child.id
    assert got["怎么退款"].status == "published" and got["发票"].status == "draft"
    assert len(rows(KnowledgeDoc)) == 2
    assert len(rows(AuditLog, AuditLog.target_type == "KnowledgeEntry")) == 2


def test_bad_rows_are_each_reported_and_nothing_is_imported(app, make):
    """A file with bad rows lists each row number and its problem (zh and en) and imports no row at all."""
    company = make.company()
    client = owner_client(app, company)
    entry(client, "已有的问题")
    body = (HEADER + "好的问题,,好的答案,,draft,qa\n"
            ",,没有问题,,draft,qa\n"            # row 3: no question
            "没有分类,,答案,不存在的分类,draft,qa\n"  # row 4: unknown category
            "坏状态,,答案,,maybe,qa\n"            # row 5: bad status
            "只有脚本,,<script>alert(1)</script>,,draft,qa\n")  # row 6: empty answer once cleaned
    r = _import(client, body.encode(), "bad.csv")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "kb-import-problems" in text
    for n in (3, 4, 5, 6):
        assert f'data-row="{n}"' in text
    assert 'data-row="2"' not in text
    assert "请填写标准问题" in text and "找不到分类「不存在的分类」" in text and "maybe" in text
    assert "未导入任何内容" in text
    assert [e.question for e in rows(KnowledgeEntry)] == ["已有的问题"]
    english = _import(client, body.encode(), "bad.csv", lang="en").get_data(as_text=True)
    assert "No category named" in english and "nothing was imported" in english


def test_files_that_are_not_spreadsheets_or_too_big_are_refused(app, make):
    """A picture, a GBK csv, a file without the question column, or one over the cap are refused."""
    company = make.company()
    client = owner_client(app, company)
    app.config["KEFU_KNOWLEDGE_IMPORT_MAX_BYTES"] = 2000
    try:
        gbk = (HEADER + "问题,,答案,,draft,qa\n").encode("gbk")
        for data in (b"\x89PNG\r\n\x1a\n" + b"0" * 100, gbk, b"foo,bar\n1,2\n",
                     (HEADER + "q,,a,,draft,qa\n" * 200).encode()):
            text = _import(client, data, "x.csv", lang="en").get_data(as_text=True)
            assert "Upload an xlsx or csv file" in text
    finally:
        app.config.pop("KEFU_KNOWLEDGE_IMPORT_MAX_BYTES")
    assert not rows(KnowledgeEntry)


def test_the_template_downloads_as_xlsx_and_csv_and_imports_as_is(app, make):
    """Both templates download; the csv one imports its example row unchanged."""
    company = make.company()
    client = owner_client(app, company)
    xlsx = client.get("/admin/knowledge_entries/template/xlsx/")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.worksheets[0]["B1"].value == "标准问题 (question)" and len(book.worksheets) == 2
    csv = client.get("/admin/knowledge_entries/template/csv/")
    assert csv.data.startswith(b"\xef\xbb\xbf")
    assert _import(client, xlsx.data, "t.xlsx").status_code == 302
    assert [e.question for e in rows(KnowledgeEntry)] == ["怎么申请退款？"]


def test_export_of_the_filtered_list_round_trips_through_xlsx_and_csv(app, make):
    """Exporting the published entries and importing the file into another company gives the same entries;
    a value that a spreadsheet would run as a formula stays text."""
    source, target = make.company(), make.company()
    client = owner_client(app, source)
    cat = category(client, "物流")
    entry(client, "多久发货", "<p>48 小时内</p>", similar="什么时候发货\n=1+1", category=str(cat.id),
          customer_groups="VIP", valid_until="2030-01-01T08:00", status="published")
    entry(client, "=HYPERLINK(1)", "<p>公式</p>", status="published")
    entry(client, "草稿问题", status="draft")
    other = owner_client(app, target)
    category(other, "物流")
    for kind in ("xlsx", "csv"):
        r = client.get(f"/admin/knowledge_entries/download/{kind}/?flt0_1=published")
        assert r.status_code == 200
        if kind == "xlsx":
            sheet = load_workbook(io.BytesIO(r.data)).worksheets[0]
            assert sheet["B2"].data_type == "s" or sheet["B3"].data_type == "s"
        assert _import(other, r.data, f"export.{kind}").status_code == 302
    imported = sorted(rows(KnowledgeEntry, KnowledgeEntry.company_id == target.id), key=lambda e: e.id)
    assert sorted(e.question for e in imported) == sorted(["多久发货", "=HYPERLINK(1)"] * 2)
    ship = next(e for e in imported if e.question == "多久发货")
    assert ship.similar == ["什么时候发货", "=1+1"] and ship.answer == "<p>48 小时内</p>"
    assert ship.customer_groups == ["VIP"] and ship.status == "published"
    # 08:00 in Shanghai, exported with its offset and read back as the same instant.
    assert ship.valid_until.astimezone(UTC) == datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
    assert ship.category_id is not None


def test_times_are_the_companys_local_time_unless_an_offset_is_written(app, make):
    """A London company's import reads 09:00 as London time (08:00 UTC in summer) and honours an
    explicit +08:00 (20:00 there is 12:00 UTC); its export writes the same instants back in London
    time with their offset, and the console's form shows the local time."""
    from kefu.extensions import db

    company = make.company()
    company.timezone = "Europe/London"
    db.session.commit()
    client = owner_client(app, company)
    body = ("标准问题 (question),答案 (answer),生效时间 (valid_from),失效时间 (valid_until)\n"
            "夏令时,答,2030-06-01 09:00,2030-06-01 20:00+08:00\n")
    r = _import(client, body.encode(), "times.csv", lang="en")
    assert r.status_code == 302, re.sub(r"<[^>]+>", " ", r.get_data(as_text=True))[-3000:]
    [e] = rows(KnowledgeEntry, KnowledgeEntry.company_id == company.id)
    assert e.valid_from.astimezone(UTC) == datetime(2030, 6, 1, 8, 0, tzinfo=UTC)
    assert e.valid_until.astimezone(UTC) == datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    exported = client.get("/admin/knowledge_entries/download/csv/").get_data(as_text=True)
    assert "2030-06-01 09:00+01:00" in exported and "2030-06-01 13:00+01:00" in exported
    edit = page(client, f"/admin/knowledge_entries/edit/?id={e.id}")
    assert 'value="2030-06-01T09:00"' in edit and 'value="2030-06-01T13:00"' in edit
