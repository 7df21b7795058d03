"""The exported documents on paper: the ledger's print layout (.xlsx), the summary against
GB/T 9704-2012 (.docx), the page where the office adds the 版记, and both files as
LibreOffice prints them (PDF, read back with poppler's pdftotext)."""

import datetime as dt
import io
import math
import os
import re
import shutil
import statistics
import subprocess
import unicodedata
import zipfile
import zoneinfo
from dataclasses import dataclass
from xml.etree import ElementTree

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from lxml import etree
from openpyxl import load_workbook

from reform.dashboard import exports
from reform.history.models import HistoryEntry
from reform.outbox.models import OutboxMessage
from reform.plan.models import Period, Task
from reform.reports.models import Report
from reform.reports.tests import conftest as reports_fixtures

from .test_exports import add_units, submit

plan = reports_fixtures.plan
cast = reports_fixtures.cast

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 12, 1)
WJ, ZWSP = exports.WORD_JOINER, exports.ZERO_WIDTH_SPACE
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 1, 10, 0, tzinfo=SHANGHAI))


def url(name: str, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse(f"dashboard:{name}") + (f"?{query}" if query else "")


def content_of(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def workbook_of(response):
    return load_workbook(io.BytesIO(content_of(response)))


def headers(sheet) -> list[str]:
    return [cell.value.replace("\n", "") for cell in sheet[2]]


def printed_width(sheet) -> float:
    return sum(sheet.column_dimensions[cell.column_letter].width for cell in sheet[2])


# --- the ledger on paper -----------------------------------------------------------------------


def test_the_printed_columns_keep_within_the_budget():
    """A column added later must fit the budget, or go to the second sheet."""
    assert exports.PRINT_WIDTH_BUDGET <= 220
    assert sum(c.width for c in exports.PRINTED_COLUMNS) <= exports.PRINT_WIDTH_BUDGET
    # Everything the .csv has is on one of the two sheets.
    on_sheets = {c.header for c in exports.PRINTED_COLUMNS + exports.EXTRA_COLUMNS}
    assert on_sheets == {c.header for c in exports.LEDGER_COLUMNS}
    assert not any(c.printed for c in exports.EXTRA_COLUMNS if not c.key)


def assert_printed_as_an_a4_ledger(workbook, *, heading_words: list[str], rows: int):
    printed, extra = workbook.worksheets
    for sheet in (printed, extra):
        setup = sheet.page_setup
        assert setup.orientation == "landscape"
        assert setup.paperSize == 9  # A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)  # one page wide, any length
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # Row 1 the heading (across the sheet), row 2 the header: repeated, frozen, filtered.
        assert sheet.print_title_rows.replace("$", "") == "2:2"
        assert sheet.freeze_panes == "A3"
        last = sheet[2][-1].column_letter
        assert {str(r) for r in sheet.merged_cells.ranges} == {f"A1:{last}1"}
        assert sheet.auto_filter.ref == f"A2:{last}{rows + 2}"
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        heading = sheet["A1"].value
        for word in heading_words:
            assert word in heading, (word, heading)
        assert sheet.max_row == rows + 2
    assert printed_width(printed) <= exports.PRINT_WIDTH_BUDGET
    assert printed_width(printed) == sum(c.width for c in exports.PRINTED_COLUMNS)
    # What does not fit is on the second sheet, with the columns to match its rows.
    assert "任务板块" not in headers(printed)
    assert headers(extra) == ["序号", "任务序号", "责任单位", "任务板块"]
    for left, right in zip(
        printed.iter_rows(min_row=3, values_only=True),
        extra.iter_rows(min_row=3, values_only=True),
        strict=True,
    ):
        assert left[0] == right[0]  # 序号
        assert right[3].startswith("（")  # （一）全面推进…
    # Rows are as high as their wrapped text (nothing cut off when printed).
    heights = [printed.row_dimensions[n].height for n in range(3, rows + 3)]
    assert all(h and h >= 20 for h in heights)


def test_the_office_ledger_prints_on_a4_landscape_with_its_heading(client, plan, cast):
    client.force_login(cast["office"])
    workbook = workbook_of(client.get(url("ledger_xlsx")))
    assert_printed_as_an_a4_ledger(
        workbook, heading_words=["黑龙江省", "2025年下半年", "截至2025年12月1日"], rows=36
    )
    assert workbook.worksheets[0]["A1"].value == (
        "黑龙江省深化税收征管改革推进情况台账（2025年下半年，截至2025年12月1日）"
    )
    workbook = workbook_of(client.get(url("ledger_xlsx", below=1)))
    assert "黑龙江省及所辖地区" in workbook.worksheets[0]["A1"].value


def test_the_unit_ledger_prints_the_same_way(client, plan, cast):
    client.force_login(cast["police_staff"])
    own = reverse("dashboard:unit_ledger_xlsx", args=[cast["police"].pk])
    workbook = workbook_of(client.get(own + "?period=2025H1"))
    assert_printed_as_an_a4_ledger(
        workbook,
        heading_words=["黑龙江省公安厅", "黑龙江省", "2025年上半年", "截至2025年12月1日"],
        rows=2,
    )


def test_a_long_report_gets_a_taller_row(client, plan, cast):
    report = Report.objects.get(unit=cast["police"], task__number=21, period=plan)
    submit(report, cast["police_staff"], progress="按期推进各项工作。" * 40)
    client.force_login(cast["office"])
    sheet = workbook_of(client.get(url("ledger_xlsx"))).worksheets[0]
    units = [
        sheet.cell(row=n, column=headers(sheet).index("责任单位") + 1).value for n in range(3, 39)
    ]
    police = units.index("黑龙江省公安厅") + 3
    other = units.index("国家税务总局黑龙江省税务局") + 3
    # 360 characters in a column of 19 a line: about 19 lines of 16 pt.
    assert sheet.row_dimensions[police].height >= 19 * 16
    assert sheet.row_dimensions[other].height < 100


# --- the summary against GB/T 9704 ---------------------------------------------------------


def summary(client, **params) -> bytes:
    return content_of(client.get(url("summary_docx", **params)))


def parts_of(content: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: etree.fromstring(archive.read(f"word/{name}.xml"))
            for name in ("document", "styles", "settings", "fontTable")
        }


def rfonts(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_the_summary_has_the_fonts_of_gb_t_9704(client, plan, cast):
    client.force_login(cast["office"])
    content = summary(client)
    document = Document(io.BytesIO(content))
    title = document.paragraphs[0]
    assert {rfonts(r) for r in title.runs} == {"方正小标宋简体"}
    assert {r.font.size for r in title.runs} == {Pt(22)}  # 二号
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)  # 三号
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    body = next(p for p in document.paragraphs if p.text.startswith("截至"))
    assert {rfonts(r) for r in body.runs} == {"仿宋_GB2312"}
    assert normal.paragraph_format.line_spacing == Pt(28)  # fixed
    assert normal.element.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"

    # Word takes the w:altName where the standard's fonts are missing.
    fonts = {f.get(qn("w:name")): f.find(qn("w:altName")) for f in parts_of(content)["fontTable"]}
    assert fonts["方正小标宋简体"].get(qn("w:val")) == "宋体"
    assert fonts["仿宋_GB2312"].get(qn("w:val")) == "仿宋"


def test_the_text_area_is_a_grid_of_28_characters_by_22_lines(client, plan, cast):
    client.force_login(cast["office"])
    document = Document(io.BytesIO(summary(client)))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    width_pt = Length(section.page_width - section.left_margin - section.right_margin).pt
    height_twips = Length(section.page_height - section.top_margin - section.bottom_margin).twips
    pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096  # ECMA-376 17.6.5
    assert math.floor(width_pt / pitch + 1e-6) == 28
    assert math.floor(height_twips / int(grid.get(qn("w:linePitch")))) == 22
    # The text does not snap to the grid (LibreOffice would spread each 16 pt character
    # over two cells of 15.8): each character gives up what fits 28 to the line.
    normal = document.styles["Normal"].element
    assert normal.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    spacing = int(normal.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert 28 * (16 + spacing) <= width_pt < 29 * (16 + spacing)


def page_number_runs(paragraph) -> str:
    return "".join(t.text for t in paragraph._p.iter(qn("w:t")))


def test_page_numbers_on_odd_and_even_pages(client, plan, cast):
    client.force_login(cast["office"])
    content = summary(client)
    document = Document(io.BytesIO(content))
    settings = parts_of(content)["settings"]
    assert settings.find(qn("w:evenAndOddHeaders")) is not None
    section = document.sections[0]
    one_character = Pt(14)  # of 4号
    for footer, alignment, indent in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        assert getattr(paragraph.paragraph_format, indent) == one_character
        assert page_number_runs(paragraph) == "— 1 —"
        field = paragraph._p.find(qn("w:fldSimple"))
        assert field.get(qn("w:instr")).strip() == "PAGE"
        runs = list(paragraph._p.iter(qn("w:r")))
        assert {r.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in runs} == {
            "宋体"
        }
        assert {r.find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")) for r in runs} == {"28"}
        assert paragraph.paragraph_format.line_spacing == Pt(14)
    # The page number's line starts 7 mm below the text area.
    top_of_number = section.footer_distance + Pt(14)
    assert abs(section.bottom_margin - top_of_number - Mm(7)) < Pt(0.1)


def test_the_signature_and_date_of_a_document_without_seal(client, plan, cast):
    client.force_login(cast["office"])
    document = Document(io.BytesIO(summary(client)))
    *_, before, blank, name, date = document.paragraphs
    assert before.text.endswith("任务。") or before.text == "无。"
    assert blank.text == ""  # 下空一行
    assert name.text == "黑龙江省深化税收征管改革领导小组办公室"
    assert date.text == "2025年12月1日"  # Arabic numerals, no leading zeros
    advance = (
        16 + int(document.styles["Normal"].element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    )
    assert name.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert abs(name.paragraph_format.right_indent.pt - 2 * advance) < 0.1  # 右空二字
    # The date's first character is two characters right of the office's first.
    name_starts = 28 - 2 - len(name.text)
    assert date.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert abs(date.paragraph_format.left_indent.pt - (name_starts + 2) * advance) < 0.1
    # Never alone on a page: the text's last paragraph goes with them.
    assert before.paragraph_format.keep_with_next
    assert blank.paragraph_format.keep_with_next and name.paragraph_format.keep_with_next
    assert document.tables == []  # no 版记 asked for


def test_the_colophon_when_the_office_gives_one(client, plan, cast):
    client.force_login(cast["office"])
    content = summary(
        client,
        copied_to="省委办公厅，省政府办公厅、省财政厅",
        issuer="黑龙江省深化税收征管改革领导小组办公室",
        issued_on="2025-12-03",
    )
    document = Document(io.BytesIO(content))
    (table,) = document.tables
    copied, issued = (row.cells[0].text for row in table.rows)
    assert copied == "抄送：省委办公厅，省政府办公厅、省财政厅。"
    assert issued == "黑龙江省深化税收征管改革领导小组办公室\t2025年12月3日印发"
    for row in table.rows:
        assert {rfonts(r) for r in row.cells[0].paragraphs[0].runs} == {"仿宋_GB2312"}
        assert {r.font.size for r in row.cells[0].paragraphs[0].runs} == {Pt(14)}  # 四号
    tbl_pr = table._tbl.tblPr
    # At the foot of the text area of the last page, as wide as the text.
    position = tbl_pr.find(qn("w:tblpPr"))
    assert position.get(qn("w:vertAnchor")) == "margin"
    assert position.get(qn("w:tblpYSpec")) == "bottom"
    section = document.sections[0]
    assert int(position.get(qn("w:tblpX"))) == round(section.left_margin.twips)
    width = int(tbl_pr.find(qn("w:tblW")).get(qn("w:w")))
    text_width = Length(section.page_width - section.left_margin - section.right_margin)
    assert abs(width - text_width.twips) <= 1
    # A thick line above and below, a thin one between.
    borders = {b.tag.removeprefix(W): b for b in tbl_pr.find(qn("w:tblBorders"))}
    assert borders["top"].get(qn("w:sz")) == borders["bottom"].get(qn("w:sz")) == "8"
    assert borders["insideH"].get(qn("w:sz")) == "6"
    assert {borders[e].get(qn("w:val")) for e in ("left", "right", "insideV")} == {"nil"}
    # 印发机关 one character in from the left, 印发日期 one in from the right.
    paragraph = table.rows[1].cells[0].paragraphs[0]
    assert paragraph.paragraph_format.left_indent == Pt(14)
    (stop,) = paragraph.paragraph_format.tab_stops
    assert abs(stop.position - (Pt(width / 20) - Pt(14))) < Pt(0.1)
    # It comes after the signature and date.
    body = list(document.element.body)
    assert body.index(table._tbl) > body.index(document.paragraphs[-2]._p)


def test_the_colophon_without_copies_has_only_the_printing_line(client, plan, cast):
    client.force_login(cast["office"])
    document = Document(io.BytesIO(summary(client, issuer="省改革办", issued_on="2025-12-03")))
    (table,) = document.tables
    assert [row.cells[0].text for row in table.rows] == ["省改革办\t2025年12月3日印发"]


def test_a_run_of_task_numbers_breaks_after_a_comma_only():
    tasks = [Task(number=n) for n in (4, 11, 24)]
    text = exports._task_numbers(tasks)
    assert text.replace(WJ, "").replace(ZWSP, "") == "第4、11、24项"
    assert text == f"第{WJ}4{WJ}、{ZWSP}11{WJ}、{ZWSP}24{WJ}项"


def section_after(paragraphs: list[str], heading: str) -> list[str]:
    start = paragraphs.index(heading)
    end = next(
        (i for i in range(start + 1, len(paragraphs)) if re.match(r"^\d+．", paragraphs[i])),
        len(paragraphs),
    )
    return paragraphs[start + 1 : end]


def test_the_cooperating_units_reports_follow_the_lead_units(client, plan, cast):
    police = Report.objects.get(unit=cast["police"], task__number=21, period=plan)
    submit(police, cast["police_staff"], progress="已完成涉税违法线索移送机制建设。", percent=70)
    police23 = Report.objects.get(unit=cast["police"], task__number=23, period=plan)
    submit(police23, cast["police_staff"], progress="联合打击虚开骗税。", percent=50)
    client.force_login(cast["office"])
    texts = [p.text for p in Document(io.BytesIO(summary(client))).paragraphs]

    task21 = section_after(texts, next(t for t in texts if t.startswith("21．")))
    assert task21[0] == "牵头单位：国家税务总局黑龙江省税务局。未报送。"
    assert task21[1] == "配合单位：黑龙江省公安厅。推进状态：按计划推进，完成70%。"
    assert task21[2] == "进展情况：已完成涉税违法线索移送机制建设。"
    assert task21[3:5] == ["存在问题：无。", "下步计划：继续推广应用。"]
    # A cooperating unit that has not reported is not in the text (三 lists it).
    assert not any("哈尔滨海关" in t for t in task21)

    task23 = section_after(texts, next(t for t in texts if t.startswith("23．")))
    assert task23[1] == "配合单位：黑龙江省公安厅。推进状态：按计划推进，完成50%。"
    assert task23[2] == "进展情况：联合打击虚开骗税。"


# --- the page before the summary -------------------------------------------------------------


def test_the_dashboard_leads_to_the_colophon_page(client, plan, cast):
    client.force_login(cast["office"])
    page = client.get(reverse("dashboard:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    link = re.search(r'href="([^"]+)" id="export-docx"', page.content.decode())
    assert link.group(1).startswith(reverse("dashboard:summary_form") + "?")


def test_the_colophon_page_asks_in_chinese(client, plan, cast):
    client.force_login(cast["office"])
    response = client.get(
        url("summary_form", period="2025H1", jurisdiction="hlj", below=1),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    html = response.content.decode()
    form = re.search(r'<form method="get" action="([^"]+)" id="summary-form"', html)
    assert form.group(1) == reverse("dashboard:summary_docx")  # works without JavaScript
    for hidden in ('name="period" value="2025H1"', 'name="jurisdiction" value="hlj"'):
        assert hidden in html
    assert 'name="below" value="1"' in html
    for words in ("版记（选填）", "抄送", "印发机关", "印发日期", "下载（.docx）"):
        assert words in html, words
    assert 'type="date"' in html
    assert 'maxlength="300"' in html and 'maxlength="60"' in html
    assert "黑龙江省深化税收征管改革领导小组办公室" in html  # the example


def changes_counted() -> tuple:
    return (
        Report.objects.count(),
        sum(Report.objects.values_list("version", flat=True)),
        HistoryEntry.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"issuer": "省改革办", "issued_on": "2025-13-45"}, "请输入正确的日期，如 2025-12-01。"),
        ({"issuer": "省改革办", "issued_on": "明天"}, "请输入正确的日期，如 2025-12-01。"),
        ({"issuer": "省改革办", "issued_on": "1999-01-01"}, "请输入 2021-07-01 至 2099-12-31"),
        ({"issuer": "省改革办"}, "填写版记时须填写印发日期。"),
        ({"copied_to": "省财政厅", "issued_on": "2025-12-03"}, "填写版记时须填写印发机关。"),
        ({"issuer": "办" * 61, "issued_on": "2025-12-03"}, "印发机关不能超过60字，现为61字。"),
        (
            {"copied_to": "厅" * 301, "issuer": "办", "issued_on": "2025-12-03"},
            "抄送不能超过300字，现为301字。",
        ),
    ],
)
def test_wrong_colophon_values_show_the_form_again_and_download_nothing(
    client, plan, cast, params, message
):
    client.force_login(cast["office"])
    response = client.get(
        reverse("dashboard:summary_docx"),
        {"period": "2025H2", **params},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not response.has_header("Content-Disposition")
    html = response.content.decode()
    assert message in html
    assert 'id="summary-form"' in html and "is-invalid" in html


def test_good_colophon_values_download_the_summary_with_them(client, plan, cast):
    client.force_login(cast["office"])
    before = changes_counted()
    response = client.get(
        reverse("dashboard:summary_docx"),
        {
            "period": "2025H2",
            "jurisdiction": "hlj",
            "copied_to": " 省委办公厅，\n省政府办公厅 ",
            "issuer": "黑龙江省深化税收征管改革领导小组办公室",
            "issued_on": "2025/12/3",
        },
    )
    assert response["Content-Disposition"].startswith("attachment")
    document = Document(io.BytesIO(content_of(response)))
    (table,) = document.tables
    assert [row.cells[0].text for row in table.rows] == [
        "抄送：省委办公厅， 省政府办公厅。",
        "黑龙江省深化税收征管改革领导小组办公室\t2025年12月3日印发",
    ]
    assert changes_counted() == before  # a download writes nothing


def test_the_colophon_page_has_the_rights_of_the_summary(client, plan, cast):
    client.force_login(cast["police_staff"])
    assert client.get(url("summary_form")).status_code == 403
    client.force_login(cast["harbin_office"])
    assert client.get(url("summary_form", jurisdiction="hlj")).status_code == 404
    assert client.get(url("summary_form")).status_code == 200
    client.force_login(cast["leader"])
    assert client.get(url("summary_form", jurisdiction="harbin")).status_code == 200
    assert client.post(url("summary_form")).status_code == 405


def test_the_colophon_page_runs_the_same_queries_for_36_or_306_reports(client, plan, cast):
    client.force_login(cast["office"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("summary_form")).status_code == 200
        return len(captured)

    small = queries()
    add_units(cast["tax"].jurisdiction, 10)
    assert Report.objects.filter(period__in=Period.objects.filter(year=2025, half=2)).count() > 36
    assert queries() == small


# --- as LibreOffice prints them --------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words_of(pdf) -> tuple[list[Word], list[tuple[float, float]]]:
    """The words of a PDF with their boxes (pdftotext -bbox), and each page's size."""
    done = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    root = ElementTree.fromstring(done.stdout)
    words, sizes = [], []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), 1):
        sizes.append((float(page.get("width")), float(page.get("height"))))
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            box = [float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            text = (word.text or "").replace(WJ, "").replace(ZWSP, "")
            words.append(Word(number, *box, text))
    return words, sizes


def page_text(words: list[Word], page: int) -> str:
    return " ".join(w.text for w in words if w.page == page)


def chinese_size(words: list[Word], *, at_least: int = 20) -> float:
    """The median size of the words of Chinese characters only: each is one em wide."""
    sizes = [
        (w.x1 - w.x0) / len(w.text)
        for w in words
        if len(w.text) >= 2 and all(unicodedata.east_asian_width(c) in "WF" for c in w.text)
    ]
    assert len(sizes) >= at_least, sizes
    return statistics.median(sizes)


def same_line(a: Word, b: Word) -> bool:
    return a.page == b.page and abs(a.y0 - b.y0) < 2 and abs(a.y1 - b.y1) < 2


def starts_a_line(word: Word, words: list[Word]) -> bool:
    """No other word ends just before this one on its line (in a column of a sheet, too)."""
    return not any(same_line(v, word) and v is not word and -1 < word.x0 - v.x1 < 4 for v in words)


def ends_a_line(word: Word, words: list[Word]) -> bool:
    return not any(same_line(v, word) and v is not word and -1 < v.x0 - word.x1 < 4 for v in words)


@pytest.mark.slow
def test_libreoffice_prints_both_readably(client, db, tmp_path):
    """The province's ledger of the current period and its summary, from the demo data."""
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    assert soffice and shutil.which("pdftotext"), "bin/check-test-services names the packages"
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(get_user_model().objects.get(username="office"))
    ledger = tmp_path / "ledger.xlsx"
    ledger.write_bytes(content_of(client.get(url("ledger_xlsx"))))
    document = tmp_path / "summary.docx"
    document.write_bytes(
        summary(
            client, copied_to="省委办公厅，省政府办公厅", issuer="省改革办", issued_on="2025-12-01"
        )
    )
    # A profile of its own, so that runs side by side do not share one; FC_LANG as on a
    # Chinese computer (fontconfig would otherwise pick Japanese glyphs and metrics).
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(ledger),
            str(document),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "FC_LANG": "zh-cn", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ledger.pdf").exists() and (tmp_path / "summary.pdf").exists(), done

    # The ledger: heading on page 1, column headers and "第 n 页 共 N 页" on every page,
    # body text at least 60 % of its 11 pt.
    words, sizes = words_of(tmp_path / "ledger.pdf")
    pages = len(sizes)
    assert pages >= 2 and all(w > h for w, h in sizes)  # landscape
    assert "黑龙江省深化税收征管改革推进情况台账（2025年下半年，截至2025年12月1日）" in (
        page_text(words, 1).replace(" ", "")
    )
    printed_pages = [p for p in range(1, pages + 1) if "进展情况" in page_text(words, p)]
    assert printed_pages == list(range(1, len(printed_pages) + 1)) and len(printed_pages) >= 2
    for page in range(1, pages + 1):
        text = page_text(words, page)
        assert re.search(rf"第 ?{page} ?页 ?共 ?{pages} ?页", text), (page, text[-80:])
        assert "序号" in text and "责任单位" in text
    body = [w for w in words if w.page in printed_pages and "台账" not in w.text]
    assert chinese_size(body) >= 0.6 * 11
    for word in words:
        assert not (word.text.startswith("、") and starts_a_line(word, words)), word

    # The summary: title, "— n —" on the right of odd pages and the left of even ones, 7 mm
    # below the text area; 3号 text; 第 never ends a line, 、 never starts one.
    words, sizes = words_of(tmp_path / "summary.pdf")
    pages = len(sizes)
    assert pages >= 5
    assert "黑龙江省深化税收征管改革推进情况汇总" in page_text(words, 1).replace(" ", "")
    points = 72 / 25.4
    left, right = 28 * points, (210 - 26) * points
    text_bottom = (297 - 35) * points
    for page in range(1, pages + 1):
        numbers = sorted(
            (w for w in words if w.page == page and w.y0 > text_bottom), key=lambda w: w.x0
        )
        assert "".join(w.text for w in numbers) == f"—{page}—", (page, numbers)
        if page % 2:
            assert abs(right - numbers[-1].x1 - 14) < 3  # one 4号 character in from the right
        else:
            assert abs(numbers[0].x0 - left - 14) < 3  # ... from the left
        assert text_bottom + 5 * points < numbers[0].y0 < text_bottom + 9 * points
    title = [w for w in words if w.page == 1 and "推进情况汇总" in w.text]
    assert 20 <= chinese_size(title, at_least=1) <= 23
    text = [w for w in words if w.y0 < text_bottom and w not in title]
    assert 15 <= chinese_size(text) <= 16.5
    lines_ending = [w for w in words if w.text.endswith("第") and ends_a_line(w, words)]
    assert lines_ending == []
    lines_starting = [w for w in words if w.text.startswith("、") and starts_a_line(w, words)]
    assert lines_starting == []
    # The signature shares its page with the end of the text.
    office = next(w for w in words if w.text == "黑龙江省深化税收征管改革领导小组办公室")
    assert any(w.page == office.page and w.y0 < office.y0 - 28 for w in words), office
    # The 版记 is on the last page, its last line just above the foot of the text area.
    issued = next(w for w in words if w.text.endswith("印发"))
    assert issued.page == pages
    assert text_bottom - 28 < issued.y1 <= text_bottom + 1


def test_the_colophon_page_runs_a_fixed_number_of_queries(
    client, plan, cast, django_assert_num_queries
):
    client.force_login(cast["office"])
    page = url("summary_form", period="2025H1", jurisdiction="hlj")
    client.get(page)
    # session, user, scope, periods, jurisdiction, session save (3)
    with django_assert_num_queries(8):
        assert client.get(page).status_code == 200
