"""Q&A entries to and from spreadsheets (xlsx and csv): the template, the import with a row report, export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..channels.models import Channel
from ..errors import KefuError
from ..extensions import db
from ..org.queries import company_zone
from ..uploads import human_size, sniff
from .actions import IMPORT_MAX, check_import_entries
from .models import ENTRY_KINDS, STATUSES, KnowledgeCategory, KnowledgeEntry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# (key, Chinese header, explanation in English, in Chinese); a header cell may be the key, the Chinese
# name or both.
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("kind", "类型", "qa | greeting | chitchat (问答 / 问候 / 闲聊); empty: qa",
     "qa | greeting | chitchat（问答 / 问候 / 闲聊）；留空为问答"),
    ("question", "标准问题", "the standard question (required)", "标准问题（必填）"),
    ("similar", "相似问题", "similar questions, one per line", "相似问题，每行一个"),
    ("answer", "答案", "the answer, text or HTML (required; unsafe HTML is removed)",
     "答案，文本或 HTML（必填；不安全的 HTML 会被去除）"),
    ("category", "分类", "a category name, or a path such as 售后 / 退款", "分类名称，或路径如 售后 / 退款"),
    ("status", "状态", "draft | published (草稿 / 已发布); empty: draft",
     "draft | published（草稿 / 已发布）；留空为草稿"),
    ("valid_from", "生效时间", "the company's time zone unless an offset is given, e.g. 2026-12-01 00:00; "
     "empty: now", "公司时区的时间（除非写明时差），如 2026-12-01 00:00；留空为立即生效"),
    ("valid_until", "失效时间", "the company's time zone unless an offset is given, e.g. 2027-01-01 00:00; "
     "empty: never", "公司时区的时间（除非写明时差），如 2027-01-01 00:00；留空为永不失效"),
    ("customer_groups", "客户分组", "visitor tags, separated by commas; empty: everyone",
     "访客标签，用逗号分隔；留空为所有客户"),
    ("channels", "渠道", "channel names, separated by commas; empty: every channel",
     "渠道名称，用逗号分隔；留空为全部渠道"),
)
KEYS = tuple(c[0] for c in COLUMNS)
_ZH = {c[1]: c[0] for c in COLUMNS}
KIND_WORDS = {"问答": "qa", "问候": "greeting", "问候语": "greeting", "闲聊": "chitchat"}
STATUS_WORDS = {"草稿": "draft", "已发布": "published", "发布": "published"}
_LIST = re.compile(r"[,，;；\n]+")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RowProblem:
    """Why one row of an import file was refused (row = the spreadsheet's row number)."""

    row: int
    message_zh: str
    message_en: str
    fields: list[str] = field(default_factory=list)

    def text(self, lang: str) -> str:
        """The problem in the reader's language, with the columns it concerns."""
        msg = self.message_zh if lang == "zh" else self.message_en
        return f"{msg} ({', '.join(self.fields)})" if self.fields else msg


def max_bytes() -> int:
    """The size limit of an import file (KEFU_KNOWLEDGE_IMPORT_MAX_BYTES)."""
    return int(current_app.config.get("KEFU_KNOWLEDGE_IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def _file_error() -> KefuError:
    return KefuError("knowledge_import_file", fields={"file": ["xlsx|csv"]}, limit=human_size(max_bytes()))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same refusal
        raise _file_error() from exc
    sheet = book.worksheets[0]
    for values in sheet.iter_rows(values_only=True, max_col=len(COLUMNS) + 10):
        yield [_cell(v) for v in values]
    book.close()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error() from exc
    for values in csv.reader(io.StringIO(text)):
        # Export guards cells that a spreadsheet would run as formulas with a quote; drop it.
        yield [v[1:] if v[:1] == "'" and v[1:2] in _FORMULA else v for v in values]


def _header(cells: list[str]) -> list[str | None]:
    keys: list[str | None] = []
    for cell in cells:
        text = cell.strip().lower()
        named = re.search(r"\(([a-z_]+)\)", text)
        if text in KEYS:
            keys.append(text)
        elif named and named.group(1) in KEYS:
            keys.append(named.group(1))
        else:
            keys.append(next((k for zh, k in _ZH.items() if text.startswith(zh)), None))
    return keys


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's data rows as (spreadsheet row number, {column key: text}); blank rows skipped."""
    if len(data) > max_bytes() or not data:
        raise _file_error()
    kind = sniff(data)
    rows = _xlsx_rows(data) if kind == XLSX else _csv_rows(data) if kind == "text/plain" else None
    if rows is None:
        raise _file_error()
    header = _header(next(rows, []))
    if "question" not in header or "answer" not in header:
        raise _file_error()
    out: list[tuple[int, dict[str, str]]] = []
    for n, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(out) >= IMPORT_MAX:
            raise KefuError("invalid_input", fields={"rows": [f"at most {IMPORT_MAX}"]})
        out.append((n, {k: cells[i].strip() for i, k in enumerate(header) if k and i < len(cells)}))
    return out


def _categories(company_id: int) -> dict[str, int]:
    """Each category by name, English name and path ("售后 / 退款"), lower-cased."""
    rows = db.session.scalars(select(KnowledgeCategory).where(KnowledgeCategory.company_id == company_id))
    by_id = {c.id: c for c in rows}
    names: dict[str, int] = {}
    for c in by_id.values():
        names.setdefault(c.name.lower(), c.id)
        if c.name_en:
            names.setdefault(c.name_en.lower(), c.id)
        names[category_path(c, by_id).lower()] = c.id
    return names


def category_path(category: KnowledgeCategory, by_id: dict[int, KnowledgeCategory]) -> str:
    """The category's names from the root down, joined by " / "."""
    parts, seen = [], set()
    node: KnowledgeCategory | None = category
    while node is not None and node.id not in seen:
        seen.add(node.id)
        parts.append(node.name)
        node = by_id.get(node.parent_id) if node.parent_id else None
    return " / ".join(reversed(parts))


def _when(text: str, zone: tzinfo) -> str | None:
    # A time without an offset is the company's local time, as the console shows and takes it.
    value = datetime.fromisoformat(text.replace("/", "-"))
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC).isoformat()


def _entry_fields(cells: dict[str, str], categories: dict[str, int], channels: dict[str, int],
                  zone: tzinfo) -> tuple[dict[str, Any], list[KefuError]]:
    """Turn a row's texts into the action's fields; problems the action cannot name are returned."""
    problems: list[KefuError] = []

    def bad(column: str, value: str) -> None:
        problems.append(KefuError("knowledge_import_value", fields={column: ["invalid"]}, column=column,
                                  value=value[:40]))

    kind = cells.get("kind", "") or "qa"
    kind = KIND_WORDS.get(kind, kind.lower())
    status = cells.get("status", "") or "draft"
    status = STATUS_WORDS.get(status, status.lower())
    if kind not in ENTRY_KINDS:
        bad("kind", kind)
    if status not in STATUSES:
        bad("status", status)
    fields: dict[str, Any] = {
        "kind": kind, "status": status, "question": cells.get("question", ""),
        "answer": cells.get("answer", ""),
        "similar": [s for s in cells.get("similar", "").splitlines() if s.strip()],
        "customer_groups": [g.strip() for g in _LIST.split(cells.get("customer_groups", "")) if g.strip()],
        "category_id": None, "channel_ids": [],
    }
    category = cells.get("category", "").strip()
    if category:
        fields["category_id"] = categories.get(" / ".join(p.strip() for p in category.split("/")).lower())
        if fields["category_id"] is None:
            problems.append(KefuError("knowledge_import_category", fields={"category": ["unknown"]},
                                      name=category[:60]))
    for name in (n.strip() for n in _LIST.split(cells.get("channels", ""))):
        if name and name.lower() not in channels:
            bad("channels", name)
        elif name:
            fields["channel_ids"].append(channels[name.lower()])
    for column in ("valid_from", "valid_until"):
        try:
            fields[column] = _when(cells[column], zone) if cells.get(column) else None
        except ValueError:
            bad(column, cells[column])
            fields[column] = None
    return fields, problems


def _problem(row: int, error: dict[str, Any]) -> RowProblem:
    return RowProblem(row, error["message_zh"], error["message_en"], sorted(error.get("fields", {})))


def check_import_file(actor_id: int | None, company_id: int, data: bytes
                      ) -> tuple[list[KnowledgeEntry], list[RowProblem]]:
    """Import a spreadsheet of entries: all rows, or none and a problem for each bad row."""
    rows = read_rows(data)
    if not rows:
        raise _file_error()
    categories = _categories(company_id)
    channels = {c.name.lower(): c.id for c in db.session.scalars(
        select(Channel).where(Channel.company_id == company_id))}
    fields_list, own = [], {}
    zone = company_zone(company_id)
    for i, (_n, cells) in enumerate(rows):
        fields, problems = _entry_fields(cells, categories, channels, zone)
        if problems:
            own[i] = problems[0].to_dict()["error"]
            fields["category_id"] = 0  # the action refuses it too, so nothing can be imported
        fields_list.append(fields)
    try:
        entries = check_import_entries(actor_id, company_id, fields_list)
    except KefuError as exc:
        if exc.code != "knowledge_import":
            raise
        errors = {int(k) - 1: v for k, v in exc.fields.get("rows", {}).items()}
        errors.update(own)  # our reason is the clearer one (e.g. "no category named …")
        return [], [_problem(rows[i][0], errors[i]) for i in sorted(errors)]
    return entries, []


def _guard(value: str) -> str:
    return "'" + value if value[:1] in _FORMULA else value


def entry_cells(entry: KnowledgeEntry, paths: dict[int, str], channel_names: dict[int, str],
                zone: tzinfo) -> list[str]:
    """One entry as the export's row, in COLUMNS order (times local, with their offset)."""

    def when(value: datetime | None) -> str:
        return value.astimezone(zone).isoformat(sep=" ", timespec="minutes") if value else ""

    return [entry.kind, entry.question, "\n".join(entry.similar or []), entry.answer,
            paths.get(entry.category_id or 0, ""), entry.status, when(entry.valid_from),
            when(entry.valid_until), ", ".join(entry.customer_groups or []),
            ", ".join(channel_names[c] for c in entry.channel_ids or [] if c in channel_names)]


def header_cells() -> list[str]:
    """The header row: Chinese name and key of each column."""
    return [f"{zh} ({key})" for key, zh, *_ in COLUMNS]


def export_rows(company_id: int, entries: Iterable[KnowledgeEntry]) -> list[list[str]]:
    """The header and one row per entry."""
    by_id = {c.id: c for c in db.session.scalars(
        select(KnowledgeCategory).where(KnowledgeCategory.company_id == company_id))}
    paths = {i: category_path(c, by_id) for i, c in by_id.items()}
    channel_names = {c.id: c.name for c in db.session.scalars(
        select(Channel).where(Channel.company_id == company_id))}
    zone = company_zone(company_id)
    return [header_cells(), *(entry_cells(e, paths, channel_names, zone) for e in entries)]


TEMPLATE_ROW = ["qa", "怎么申请退款？", "如何退款\nHow do I get a refund?",
                "<p>在订单页点击「申请退款」，1–3 个工作日到账。</p>", "", "draft", "", "", "", ""]


def to_csv(rows: list[list[str]]) -> bytes:
    """CSV in UTF-8 with a BOM (so spreadsheet programs read the Chinese right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_guard(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list[str]], help_sheet: bool = False) -> bytes:
    """An xlsx workbook of the rows; every cell is text (never a formula)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "entries"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            cell.data_type = "s"  # a value starting with "=" stays text
    if help_sheet:
        info = book.create_sheet("说明 help")
        for r, (key, zh, en, zh_help) in enumerate(COLUMNS, start=1):
            for c, value in enumerate((f"{zh} ({key})", zh_help, en), start=1):
                info.cell(row=r, column=c, value=value).data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(kind: str) -> bytes:
    """The import template (header, one example row) as xlsx or csv."""
    rows = [header_cells(), TEMPLATE_ROW]
    return to_xlsx(rows, help_sheet=True) if kind == "xlsx" else to_csv(rows)

