"""The office's paperwork: the ledger (台账) as .xlsx and .csv, the written summary as .docx.

The column headers of the ledger and the fixed words of the summary are written here in
Chinese on purpose: these files are official documents whose format is Chinese officialdom
(GB/T 9704 for the summary), not interface text, and they must read the same whatever
language the person who downloads them uses. The labels that come from the models (roles,
statuses, states, period names) are rendered under ``translation.override("zh-hans")``
for the same reason.

Everything here streams: ``ledger_rows`` reads the reports as plain tuples through a
server-side cursor, the .xlsx is written by openpyxl in write-only mode and the .csv line by
line, so memory stays flat however many rows there are (see ``manage.py bench_export``).
"""

import csv
import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO, NamedTuple

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reform.org.models import Unit
from reform.plan.models import Assignment, Period, Task
from reform.reports.models import Report

from .filters import SUBMITTED_STATES, Filters

EXPORT_LANGUAGE = "zh-hans"
CHUNK_SIZE = 2000

# Fixed words of the official documents (see the module docstring).
NOT_SUBMITTED = "未报送"
LATE = "是"
NOT_LATE = "否"
OVERDUE = "逾期未报"


# --- the ledger's rows -----------------------------------------------------------------------


class LedgerRow(NamedTuple):
    number: int  # 序号
    jurisdiction: str
    section: str
    task_label: str
    task_title: str
    unit: str  # the unit's name at the report's due date
    role: str
    status: str
    percent: int | None
    progress: str
    problems: str
    next_steps: str
    submitted_at: dt.datetime | None  # local time, naive (Excel has no time zones)
    late: str
    state: str


@dataclasses.dataclass(frozen=True)
class Column:
    header: str
    width: float
    wrap: bool = False


LEDGER_COLUMNS = (
    Column("序号", 6),
    Column("所属地区", 12, wrap=True),
    Column("任务板块", 22, wrap=True),
    Column("任务序号", 8),
    Column("任务名称", 26, wrap=True),
    Column("责任单位", 26, wrap=True),
    Column("单位角色", 9),
    Column("推进状态", 11),
    Column("完成进度（%）", 9),
    Column("进展情况", 60, wrap=True),
    Column("存在问题", 40, wrap=True),
    Column("下步计划", 40, wrap=True),
    Column("报送时间", 17),
    Column("是否逾期", 9),
    Column("审核状态", 13),
)
assert len(LEDGER_COLUMNS) == len(LedgerRow._fields)

# "cooperating" sorts before "lead" alphabetically; the lead unit comes first in a ledger.
_LEAD_FIRST = Case(
    When(role=Assignment.Role.LEAD, then=Value(0)), default=Value(1), output_field=IntegerField()
)


def ledger_order(reports: QuerySet) -> QuerySet:
    """Jurisdiction by jurisdiction (the province first), then the plan's order of tasks, a
    local task right after the provincial task it implements, the lead unit first."""
    return reports.order_by(
        "unit__jurisdiction__level",
        "unit__jurisdiction__order",
        "unit__jurisdiction_id",
        "task__section__number",
        Coalesce("task__implements__number", "task__number"),
        F("task__jurisdiction_id").asc(nulls_first=True),  # the provincial task first
        "task__number",
        _LEAD_FIRST,
        "unit__order",
        "unit_id",
    )


def _labels() -> tuple[dict, dict, dict]:
    with translation.override(EXPORT_LANGUAGE):
        return (
            {value: str(label) for value, label in Assignment.Role.choices},
            {value: str(label) for value, label in Report.Status.choices},
            {value: str(label) for value, label in Report.State.choices},
        )


def _local(moment: dt.datetime | None, zone) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


# The report's own columns a ledger row needs, read as plain tuples: building a model
# instance per report (and its unit, task and section) would cost more than all the rest.
_REPORT_COLUMNS = (
    "unit_id",
    "task_id",
    "role",
    "due_on",
    "state",
    "status",
    "percent",
    "progress",
    "problems",
    "next_steps",
    "submitted_at",
    "first_submitted_at",
    "is_late",
)


class _UnitNames:
    """Units' names at a date and their jurisdiction's name, for every row of a ledger.

    Only two strings per unit (and due date) stay in memory (not the unit, its jurisdiction
    and its prefetched name history), so memory does not grow with the ledger's rows.
    """

    def __init__(self):
        self.names: dict[tuple[int, dt.date], str] = {}
        self.places: dict[int, str] = {}

    def load(self, reports: QuerySet) -> None:
        """Three queries, however many rows and units: the (unit, due date) pairs of
        ``reports``, then those units with their jurisdictions and their names."""
        wanted = set(reports.order_by().values_list("unit_id", "due_on").distinct())
        if not wanted:
            return
        units = (
            Unit.objects.filter(pk__in={unit_id for unit_id, _ in wanted})
            .select_related("jurisdiction")
            .prefetch_related("names")
        )
        by_id = {unit.pk: unit for unit in units}
        for unit_id, due_on in wanted:
            unit = by_id[unit_id]
            # The name in use at the report's due date: past ledgers keep the old name.
            self.names[unit_id, due_on] = unit.name_on(due_on)
            self.places[unit_id] = unit.jurisdiction.name


def _chunks(iterator: Iterator, size: int) -> Iterator[list]:
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def ledger_rows(
    reports: QuerySet, *, today: dt.date | None = None, unsent_text: bool = False
) -> Iterator[LedgerRow]:
    """One row per expected report of ``reports``, in the ledger's order.

    The reports come as plain tuples through a server-side cursor, 2000 at a time; the
    tasks with their sections are one query, and the units' names three queries for all
    the rows. A ledger runs five queries, however many rows and units it has, and memory
    does not grow with the rows.

    A report not yet submitted (draft, awaiting sign-off, returned) shows "未报送" and no
    text: the ledger records what units reported, not their drafts. ``unsent_text`` shows
    a unit its own unsent work in the ledger of its own reports.
    """
    today = today or timezone.localdate()
    roles, statuses, states = _labels()
    tasks = {
        task.pk: task
        for task in Task.objects.filter(pk__in=reports.values("task_id")).select_related(
            "section", "implements"
        )
    }
    sections = {
        task.pk: f"（{task.section.numeral}）{task.section.title}" for task in tasks.values()
    }
    units = _UnitNames()
    units.load(reports)
    zone = timezone.get_default_timezone()  # Asia/Shanghai: the times of the paperwork
    cursor = ledger_order(reports).values_list(*_REPORT_COLUMNS).iterator(chunk_size=CHUNK_SIZE)
    number = 0
    for chunk in _chunks(cursor, CHUNK_SIZE):
        for values in chunk:
            number += 1
            (
                unit_id,
                task_id,
                role,
                due_on,
                state,
                status,
                percent,
                progress,
                problems,
                next_steps,
                submitted_at,
                first_submitted_at,
                is_late,
            ) = values
            task = tasks[task_id]
            submitted = state in SUBMITTED_STATES
            shown = submitted or unsent_text
            if submitted or (unsent_text and status):
                status_label = statuses.get(status, "")
            else:
                status_label = NOT_SUBMITTED
            if is_late:
                late = LATE
            elif first_submitted_at is None:
                late = OVERDUE if today > due_on else ""
            else:
                late = NOT_LATE
            yield LedgerRow(
                number=number,
                jurisdiction=units.places[unit_id],
                section=sections[task_id],
                task_label=task.label,
                task_title=task.short_title,
                unit=units.names[unit_id, due_on],
                role=roles.get(role, role),
                status=status_label,
                percent=percent if shown else None,
                progress=progress if shown else "",
                problems=problems if shown else "",
                next_steps=next_steps if shown else "",
                submitted_at=_local(submitted_at, zone),
                late=late,
                state=states.get(state, state),
            )


# --- .xlsx -------------------------------------------------------------------------------------


def ledger_sheet_title(period: Period) -> str:
    with translation.override(EXPORT_LANGUAGE):
        return f"{period.label}台账"


def write_ledger_xlsx(rows: Iterable[LedgerRow], stream: BinaryIO, *, title: str = "台账") -> int:
    """Write the ledger to ``stream`` (a seekable binary file) and return the number of rows.

    openpyxl's write-only mode sends each row to a temporary file as it comes, so memory
    does not grow with the rows. Column widths, frozen panes and print settings are fixed
    before the first row, as write-only mode requires.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(LEDGER_COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    # Printed on A4 landscape, as wide as the page, the header repeated on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"

    thin = Side(style="thin", color="999999")
    header_style = WriteOnlyCell(sheet)
    header_style.font = Font(bold=True)
    header_style.fill = PatternFill("solid", fgColor="DDEBF7")
    header_style.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_style.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header = []
    for column in LEDGER_COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell._style = header_style._style
        header.append(cell)
    sheet.append(header)

    # One prototype style per column; each cell shares its column's style array rather than
    # building its own, which keeps 100 000 rows affordable.
    styles = []
    for column in LEDGER_COLUMNS:
        prototype = WriteOnlyCell(sheet)
        prototype.alignment = Alignment(vertical="top", wrap_text=column.wrap)
        if column.header == "报送时间":
            prototype.number_format = "yyyy-mm-dd hh:mm"
        styles.append(prototype._style)

    count = 0
    for row in rows:
        cells = []
        for value, style in zip(row, styles, strict=True):
            cell = WriteOnlyCell(sheet)
            cell._style = style
            if isinstance(value, str):
                # Units' free text: drop the control characters XML cannot hold, and never
                # let a leading "=" turn a report's words into a formula.
                cell.value = _xml_safe(value)
                cell.data_type = "s"
            else:
                cell.value = value
            cells.append(cell)
        sheet.append(cells)
        count += 1
    if count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(LEDGER_COLUMNS))}{count + 1}"
    workbook.save(stream)
    return count


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet's name and cuts it at 31.
    for character in "[]:*?/\\":
        title = title.replace(character, "")
    return title[:31] or "台账"


# --- .csv --------------------------------------------------------------------------------------

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like that hands back what csv.writer writes, for streaming."""

    def write(self, text: str) -> str:
        return text


def _csv_value(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        # Excel would run "=…" from a CSV as a formula (CSV injection); the quote shows.
        return "'" + value
    return value


def ledger_csv_chunks(rows: Iterable[LedgerRow]) -> Iterator[bytes]:
    """The ledger as UTF-8 CSV with a BOM (so Excel opens it in Chinese), line by line."""
    writer = csv.writer(_Line())
    yield (BOM + writer.writerow([c.header for c in LEDGER_COLUMNS])).encode("utf-8")
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row]).encode("utf-8")


def write_ledger_csv(rows: Iterable[LedgerRow], stream: BinaryIO) -> int:
    count = -1  # the header is not a row
    for chunk in ledger_csv_chunks(rows):
        stream.write(chunk)
        count += 1
    return count


# --- the written summary (推进情况汇总) -----------------------------------------------------

TITLE_FONT = "黑体"
HEADING_FONT = "黑体"  # first level, 一、
SUBHEADING_FONT = "楷体"  # second level, （一）, as GB/T 9704 has it
# 仿宋 ships with every Windows since 7 and with WPS; 仿宋_GB2312, which GB/T 9704 names,
# is often missing and Word would fall back to another face.
BODY_FONT = "仿宋"
TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号


@dataclasses.dataclass
class SummaryFigures:
    expected: int
    submitted: int  # submitted or accepted
    accepted: int
    awaiting_review: int
    not_submitted: int  # draft, awaiting sign-off or returned
    returned: int
    late: int  # first submitted after the unit's date


def summary_figures(reports: QuerySet) -> SummaryFigures:
    counts = reports.aggregate(
        expected=Count("pk"),
        submitted=Count("pk", filter=Q(state__in=SUBMITTED_STATES)),
        accepted=Count("pk", filter=Q(state=Report.State.ACCEPTED)),
        awaiting_review=Count("pk", filter=Q(state=Report.State.SUBMITTED)),
        returned=Count("pk", filter=Q(state=Report.State.RETURNED)),
        late=Count("pk", filter=Q(is_late=True)),
    )
    return SummaryFigures(not_submitted=counts["expected"] - counts["submitted"], **counts)


def _whole_period(filters: Filters) -> Filters:
    """The summary speaks for the whole period and jurisdiction: no section, unit or status."""
    return dataclasses.replace(filters, section=None, unit=None, status="")


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _task_numbers(tasks: Iterable[Task]) -> str:
    """The tasks as official prose numbers them: 第4、11、24项."""
    return "第" + "、".join(t.label for t in tasks) + "项"


def write_summary_docx(
    filters: Filters, stream: BinaryIO, *, below: bool = False, today: dt.date | None = None
) -> None:
    """The written summary of the period on screen: overview figures, each task with its lead
    unit's progress, problems and next steps, then the late and missing units.

    Six queries whatever the size of the jurisdiction.
    """
    today = today or timezone.localdate()
    filters = _whole_period(filters)
    jurisdiction, period = filters.jurisdiction, filters.period
    reports = filters.reports(below=below)
    figures = summary_figures(reports)
    tasks = list(
        Task.objects.filter(Q(jurisdiction__isnull=True) | Q(jurisdiction=jurisdiction))
        .select_related("section", "implements")
        .order_by(
            "section__number",
            Coalesce("implements__number", "number"),
            F("jurisdiction_id").asc(nulls_first=True),
            "number",
        )
    )
    # "The lead unit" is the lead of the task in this jurisdiction (DESIGN.md).
    leads = {}
    for report in (
        filters.reports()
        .filter(role=Assignment.Role.LEAD)
        .select_related("unit")
        .prefetch_related("unit__names")
        .order_by("unit__order", "unit_id")
    ):
        leads.setdefault(report.task_id, report)
    attention = list(
        ledger_order(reports.filter(Q(is_late=True) | ~Q(state__in=SUBMITTED_STATES)))
        .select_related("unit__jurisdiction", "task__implements")
        .prefetch_related("unit__names")
    )
    _, statuses, _ = _labels()
    with translation.override(EXPORT_LANGUAGE):
        period_label = str(period.label)

    document = _official_document()
    title = f"{jurisdiction.name}深化税收征管改革推进情况汇总（{period_label}）"
    _paragraph(document, title, font=TITLE_FONT, size=TITLE_SIZE, center=True, indent=False)
    _paragraph(document, "")

    scope_words = f"{jurisdiction.name}及所辖地区" if below else jurisdiction.name
    _paragraph(document, "一、总体情况", font=HEADING_FONT, heading=1)
    overview = (
        f"截至{_date(today)}，{period_label}{scope_words}各责任单位"
        f"应报送推进情况{figures.expected}份，已报送{figures.submitted}份"
        f"（其中审核通过{figures.accepted}份、待审核{figures.awaiting_review}份），"
        f"未报送{figures.not_submitted}份（其中退回修改{figures.returned}份）；"
        f"逾期报送{figures.late}份。本期报送截止日期为{_date(period.due_on)}，"
        f"配合单位向牵头单位报送截止日期为{_date(period.cooperating_due_on)}。"
    )
    _paragraph(document, overview)

    _paragraph(document, "二、各项任务推进情况", font=HEADING_FONT, heading=1)
    section = None
    for task in tasks:
        if task.section_id != (section.pk if section else None):
            section = task.section
            _paragraph(
                document,
                f"（{section.numeral}）{section.title}",
                font=SUBHEADING_FONT,
                heading=2,
            )
        _paragraph(document, f"{task.label}．{task.short_title}", bold=True, heading=3)
        _task_body(document, leads.get(task.pk), statuses)

    _paragraph(document, "三、逾期报送和未报送情况", font=HEADING_FONT, heading=1)
    late = [r for r in attention if r.is_late]
    missing = [r for r in attention if r.state not in SUBMITTED_STATES]
    missing_heading = "（二）逾期未报送单位" if today > period.due_on else "（二）尚未报送单位"
    for heading, group in (("（一）逾期报送单位", late), (missing_heading, missing)):
        _paragraph(document, heading, font=SUBHEADING_FONT, heading=2)
        units = _by_unit(group, below=below)
        if not units:
            _paragraph(document, "无。")
        for number, (name, unit_tasks) in enumerate(units, 1):
            _paragraph(document, f"{number}．{name}：{_task_numbers(unit_tasks)}任务。")

    _paragraph(document, "")
    _paragraph(
        document, f"{jurisdiction.name}深化税收征管改革领导小组办公室", right=True, indent=False
    )
    _paragraph(document, _date(today), right=True, indent=False)
    document.save(stream)


def _by_unit(reports: list[Report], *, below: bool) -> list[tuple[str, list[Task]]]:
    grouped: dict[int, tuple[str, list[Task]]] = {}
    for report in reports:
        name = report.unit_name()
        if below:
            name = f"{report.unit.jurisdiction.name}{name}"
        grouped.setdefault(report.unit_id, (name, []))[1].append(report.task)
    return list(grouped.values())


def _task_body(document, report: Report | None, statuses: dict) -> None:
    if report is None:
        _paragraph(document, "本级未明确牵头单位。")
        return
    unit = report.unit_name()
    if report.state not in SUBMITTED_STATES:
        returned = "（报告已退回修改）" if report.state == Report.State.RETURNED else ""
        _paragraph(document, f"牵头单位：{unit}。{NOT_SUBMITTED}{returned}。")
        return
    status = statuses.get(report.status, "")
    percent = ""
    if report.percent is not None and report.status != Report.Status.COMPLETED:
        percent = f"，完成{report.percent}%"
    _paragraph(document, f"牵头单位：{unit}。推进状态：{status}{percent}。")
    for label, text in (
        ("进展情况", report.progress),
        ("存在问题", report.problems),
        ("下步计划", report.next_steps),
    ):
        _paragraph(document, text.strip() or "无。", label=f"{label}：")


# --- docx helpers ------------------------------------------------------------------------------


def _official_document():
    """An A4 document with GB/T 9704 margins, 仿宋 三号 as the normal text."""

    document = Document()
    for part in document.sections:
        part.page_height, part.page_width = Mm(297), Mm(210)
        part.top_margin, part.bottom_margin = Mm(37), Mm(35)
        part.left_margin, part.right_margin = Mm(28), Mm(26)
        _page_number_footer(part)
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_SIZE)
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = Pt(28)  # 22 lines to the page
    for level in (1, 2, 3):
        _plain_heading_style(document.styles[f"Heading {level}"])
    return document


def _plain_heading_style(style) -> None:
    """Word's headings (kept for the navigation pane) without their blue theme fonts."""

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        rpr.remove(fonts)
    style.font.size = Pt(BODY_SIZE)
    style.font.bold = False
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.line_spacing = Pt(28)
    style.paragraph_format.keep_with_next = True


def _set_fonts(rpr, name: str) -> None:
    """Name the font for Chinese (eastAsia) and Latin text alike, dropping theme fonts,
    which would otherwise win over the names."""

    fonts = rpr.get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), name)


def _run(paragraph, text: str, *, font: str, size: int, bold: bool = False):

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _set_fonts(run._element.get_or_add_rPr(), font)
    return run


def _paragraph(
    document,
    text: str,
    *,
    font: str = BODY_FONT,
    size: int = BODY_SIZE,
    bold: bool = False,
    heading: int = 0,
    center: bool = False,
    right: bool = False,
    indent: bool = True,
    label: str = "",
):

    paragraph = document.add_paragraph(style=f"Heading {heading}" if heading else None)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(size * 4)
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent and not center and not right:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)  # two characters
    if size != BODY_SIZE:
        paragraph.paragraph_format.line_spacing = Pt(size * 1.6)
    if label:
        _run(paragraph, label, font=font, size=size, bold=True)
    if text:
        # python-docx turns a report's own line breaks into breaks within the paragraph.
        _run(paragraph, _xml_safe(text), font=font, size=size, bold=bold)
    return paragraph


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(text: str) -> str:
    """Units' free text without the control characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def _page_number_footer(section) -> None:
    """ "— 1 —" centred at the foot of each page, as official documents number their pages."""

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", font="宋体", size=14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = _run(paragraph, "1", font="宋体", size=14)
    run._element.addprevious(field)
    field.append(run._element)
    _run(paragraph, " —", font="宋体", size=14)
