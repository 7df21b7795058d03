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
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import BinaryIO, NamedTuple

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor
from lxml import etree
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
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
    width: float  # in Excel's character widths (of the digit 0 of the default font)
    wrap: bool = False
    centred: bool = False
    # False: too wide for the printed page; the column goes to the second sheet (附表).
    printed: bool = True
    # Repeated on the second sheet, so that a row there can be matched to the printed one.
    key: bool = False
    # The header with its line breaks in the spreadsheet, for a narrow column: Excel and
    # LibreOffice would break "任务序号" after a different character each.
    lines: str = ""


# The printed sheet's columns add up to at most this many character widths. On A4
# landscape, one page wide, 308 widths printed at about 45 %; 220 would print at about 70 %
# in Excel (its widths count Calibri's digits) but under 60 % in LibreOffice, whose digits
# (of Noto Sans CJK, or DejaVu Sans) are wider. At 200, body text prints at about 76 % of
# its 11 pt in Excel and 64 % in LibreOffice (see the PDF test). A new column goes within
# this budget or on the second sheet (``printed=False``); the .csv keeps every column.
PRINT_WIDTH_BUDGET = 200

# Narrow columns are 5.25 widths (two characters a line in Excel and in LibreOffice) or 7.5
# (three): the widths at which both break a label after the same character.
LEDGER_COLUMNS = (
    Column("序号", 6, centred=True, key=True),  # five digits
    Column("所属地区", 9.5, wrap=True),
    Column("任务板块", 48, wrap=True, printed=False),  # the task's number says it
    Column("任务序号", 5.25, wrap=True, centred=True, key=True, lines="任务\n序号"),
    Column("任务名称", 18, wrap=True),
    Column("责任单位", 18, wrap=True, key=True),
    Column("单位角色", 5.25, wrap=True, centred=True, lines="单位\n角色"),
    Column("推进状态", 7.5, wrap=True, centred=True, lines="推进\n状态"),
    Column("完成进度（%）", 6.5, wrap=True, centred=True, lines="完成\n进度\n（%）"),
    Column("进展情况", 40, wrap=True),
    Column("存在问题", 27.5, wrap=True),
    Column("下步计划", 27.5, wrap=True),
    Column("报送时间", 16, centred=True),  # a date and time is never wrapped: wide enough
    Column("是否逾期", 5.25, wrap=True, centred=True, lines="是否\n逾期"),
    Column("审核状态", 7.5, wrap=True, centred=True, lines="审核\n状态"),
)
assert len(LEDGER_COLUMNS) == len(LedgerRow._fields)
PRINTED_COLUMNS = tuple(c for c in LEDGER_COLUMNS if c.printed)
# The key columns first, then those that do not fit.
EXTRA_COLUMNS = tuple(c for c in LEDGER_COLUMNS if c.key) + tuple(
    c for c in LEDGER_COLUMNS if not c.printed
)
assert sum(c.width for c in PRINTED_COLUMNS) <= PRINT_WIDTH_BUDGET

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


def ledger_heading(
    *, place: str, period: Period, today: dt.date, jurisdiction: str = "", below: bool = False
) -> str:
    """Row 1 of a ledger: whose ledger, of which period, as of which day.

    ``place`` is the jurisdiction's name (or a unit's, with its ``jurisdiction``).
    """
    with translation.override(EXPORT_LANGUAGE):
        period_label = str(period.label)
    if below:
        place += "及所辖地区"
    where = f"{jurisdiction}，" if jurisdiction else ""
    return f"{place}深化税收征管改革推进情况台账（{where}{period_label}，截至{_date(today)}）"


FOOTER = "第 &P 页 共 &N 页"
TITLE_ROWS = 1  # the heading; the column headers are the row below it
BODY_SIZE_PT = 11
TITLE_SIZE_PT = 14
LEDGER_TITLE_FONT = "黑体"
# How the row heights are estimated (Excel and LibreOffice do not fit the height of a row
# written by openpyxl to its wrapped text): a Chinese character is about 2.1 widths of the
# digit that Excel's widths count in, a line of 11 pt Chinese text about 16 pt high.
_WIDE_UNITS = 2.1
_LINE_PT = 16.0
_CELL_PADDING = 1.0  # widths inside a column that text does not use
_MAX_ROW_PT = 409.0  # Excel's ceiling


# Characters a Chinese font sets a full em wide: CJK, full-width forms, and the quotes,
# dashes and ellipsis of Chinese text. One regular expression counts them much faster than
# unicodedata does, character by character, for 100 000 rows.
_WIDE = re.compile(
    "[\u1100-\u115f\u2014-\u2026\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
    "\uff00-\uff60\uffe0-\uffe6]"
)


def _text_units(text: str) -> float:
    return len(text) + (_WIDE_UNITS - 1) * len(_WIDE.findall(text))


def _lines(value, column: Column, *, scale: float = 1.0) -> int:
    """The lines ``value`` takes in ``column``, in a font ``scale`` times the body's."""
    if not value:
        return 1
    text = value if isinstance(value, str) else str(value)
    if not column.wrap:
        return text.count("\n") + 1
    usable = max(column.width - _CELL_PADDING, _WIDE_UNITS * scale) / scale
    if len(text) * _WIDE_UNITS <= usable:
        return 1  # short enough whatever its characters (most cells: no need to count)
    return sum(max(1, math.ceil(_text_units(line) / usable)) for line in text.split("\n"))


def _row_height(values: Iterable, columns: Iterable[Column], *, line_pt: float = _LINE_PT):
    lines = max(_lines(value, column) for value, column in zip(values, columns, strict=True))
    return min(_MAX_ROW_PT, lines * line_pt + 4)


class _LedgerSheet:
    """One write-only sheet of the ledger: its columns, print settings and row styles.

    Both sheets have the heading in row 1 and the column headers in row 2, so that row n
    of the second sheet is row n of the printed one.
    """

    def __init__(self, workbook: Workbook, title: str, heading: str, columns: tuple[Column]):
        self.columns = columns
        self.indexes = [LEDGER_COLUMNS.index(c) for c in columns]
        self.sheet = sheet = workbook.create_sheet(title=title)
        last = get_column_letter(len(columns))
        header_row = TITLE_ROWS + 1
        sheet.freeze_panes = f"A{header_row + 1}"
        for index, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        # A4 landscape, one page wide, the column headers repeated on every page.
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_margins = PageMargins(
            left=0.3, right=0.3, top=0.5, bottom=0.6, header=0.3, footer=0.3
        )
        sheet.print_options.horizontalCentered = True
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.oddFooter.center.text = FOOTER
        sheet.merged_cells.add(f"A1:{last}1")

        thin = Side(style="thin", color="808080")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        # The second sheet is narrow: its heading takes more lines, the first ending before
        # the period rather than inside the date.
        whole = Column("", sum(c.width for c in columns), wrap=True)
        scale = TITLE_SIZE_PT / BODY_SIZE_PT
        if _lines(heading, whole, scale=scale) > 1:
            heading = heading.replace("（", "\n（", 1)
        title_lines = _lines(heading, whole, scale=scale)
        title_cell = WriteOnlyCell(sheet, value=_xml_safe(heading))
        title_cell.font = Font(name=LEDGER_TITLE_FONT, bold=True, size=TITLE_SIZE_PT)
        title_cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.row_dimensions[1].height = title_lines * _LINE_PT * TITLE_SIZE_PT / BODY_SIZE_PT + 8
        sheet.append([title_cell])

        header_style = WriteOnlyCell(sheet)
        header_style.font = Font(bold=True, size=BODY_SIZE_PT)
        header_style.fill = PatternFill("solid", fgColor="DDEBF7")
        header_style.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_style.border = border
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.lines or column.header)
            cell._style = header_style._style
            header.append(cell)
        sheet.row_dimensions[header_row].height = _row_height(
            [c.lines or c.header for c in columns],
            [dataclasses.replace(c, wrap=True) for c in columns],
        )
        sheet.append(header)
        self.row = header_row

        # One prototype style per column; each cell shares its column's style array rather
        # than building its own, which keeps 100 000 rows affordable.
        self.styles = []
        for column in columns:
            prototype = WriteOnlyCell(sheet)
            prototype.alignment = Alignment(
                horizontal="center" if column.centred else "left",
                vertical="top",
                wrap_text=column.wrap,
            )
            prototype.border = border
            if column.header == "报送时间":
                prototype.number_format = "yyyy-mm-dd hh:mm"
            self.styles.append(prototype._style)

    def append(self, row: LedgerRow) -> None:
        values = [row[index] for index in self.indexes]
        cells = []
        for value, style in zip(values, self.styles, strict=True):
            cell = WriteOnlyCell(self.sheet)
            cell._style = style
            if isinstance(value, str):
                # Units' free text: drop the control characters XML cannot hold, and never
                # let a leading "=" turn a report's words into a formula.
                cell.value = _xml_safe(value)
                cell.data_type = "s"
            else:
                cell.value = value
            cells.append(cell)
        self.row += 1
        dimensions = self.sheet.row_dimensions
        dimensions[self.row].height = _row_height(values, self.columns)
        self.sheet.append(cells)
        # Written with the row: dropped, so that memory does not grow with the rows.
        del dimensions[self.row]

    def finish(self, count: int) -> None:
        if count:
            last = get_column_letter(len(self.columns))
            self.sheet.auto_filter.ref = f"A{TITLE_ROWS + 1}:{last}{count + TITLE_ROWS + 1}"


def write_ledger_xlsx(
    rows: Iterable[LedgerRow], stream: BinaryIO, *, title: str = "台账", heading: str = ""
) -> int:
    """Write the ledger to ``stream`` (a seekable binary file) and return the number of rows.

    The first sheet holds the printed columns (``PRINTED_COLUMNS``, within
    ``PRINT_WIDTH_BUDGET``), the second (附表) the columns that do not fit, with the key
    columns to match its rows; ``heading`` (row 1 of both) names whose ledger it is.

    openpyxl's write-only mode sends each row to a temporary file as it comes, so memory
    does not grow with the rows. Column widths, frozen panes and print settings are fixed
    before the first row, as write-only mode requires.
    """
    workbook = Workbook(write_only=True)
    name = _sheet_title(title)
    printed = _LedgerSheet(workbook, name, heading or title, PRINTED_COLUMNS)
    extra = _LedgerSheet(workbook, f"{name[:29]}附表", heading or title, EXTRA_COLUMNS)
    count = 0
    for row in rows:
        printed.append(row)
        extra.append(row)
        count += 1
    printed.finish(count)
    extra.finish(count)
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

# GB/T 9704-2012: the title in 2号小标宋, the text in 3号仿宋, 一、in 黑体, （一）in 楷体,
# page numbers in 4号宋体. The standard's fonts are missing on many computers: the font table
# names a face every Windows since 7 (and WPS) has as each one's w:altName, which Word uses
# in its place.
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"  # first level, 一、
SUBHEADING_FONT = "楷体"  # second level, （一）
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
ALT_FONTS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋"}
TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号
SMALL_SIZE = 14  # 四号: the page numbers and the 版记
LINE_SPACING = 28  # pt, fixed: with 3号 text, 22 lines to the page
GRID_CHARS, GRID_LINES = 28, 22  # the text area's grid (GB/T 9704 5.2.2)
PAGE_NUMBER_GAP = Mm(7)  # from the foot of the text area to the page number's line
# In a run of task numbers (第4、11、24项) a line may break after a 、 and nowhere else: the
# word joiner forbids a break, the zero-width space offers one. Both are invisible, and Word
# and LibreOffice honour them. Without them LibreOffice breaks between 第 and its number,
# starts lines with 、 (it takes "1、2、3" for one number) or, with joiners alone, breaks
# inside a number.
WORD_JOINER = "\u2060"
ZERO_WIDTH_SPACE = "\u200b"


@dataclasses.dataclass(frozen=True)
class Colophon:
    """The 版记 (GB/T 9704 7.4) the office adds before downloading: 抄送 (optional),
    印发机关 and 印发日期, between the separator lines at the foot of the last page."""

    issuer: str  # 印发机关
    issued_on: dt.date  # 印发日期
    copied_to: str = ""  # 抄送机关, as the office writes them (separated by ，or 、)


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
    """The tasks as official prose numbers them: 第4、11、24项, each number joined to the 第
    before it and to the 、 or 项 after it, a line break allowed after each 、 only."""
    joiner, space = WORD_JOINER, ZERO_WIDTH_SPACE
    numbers = f"{joiner}、{space}".join(t.label for t in tasks)
    return f"第{joiner}{numbers}{joiner}项"


def issuing_office(jurisdiction) -> str:
    """The office that signs the summary (and, by default, issues it)."""
    return f"{jurisdiction.name}深化税收征管改革领导小组办公室"


def write_summary_docx(
    filters: Filters,
    stream: BinaryIO,
    *,
    below: bool = False,
    today: dt.date | None = None,
    colophon: Colophon | None = None,
) -> None:
    """The written summary of the period on screen: overview figures, each task with its lead
    unit's progress, problems and next steps and the cooperating units' reports, then the
    late and missing units, the signature and date, and the 版记 when ``colophon`` is given.

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
    # "The lead unit" is the lead of the task in this jurisdiction (DESIGN.md); the
    # cooperating units of the same jurisdiction follow it, those that have reported.
    leads: dict[int, Report] = {}
    cooperating: dict[int, list[Report]] = {}
    for report in (
        filters.reports()
        .select_related("unit")
        .prefetch_related("unit__names")
        .order_by(_LEAD_FIRST, "unit__order", "unit_id")
    ):
        if report.role == Assignment.Role.LEAD:
            leads.setdefault(report.task_id, report)
        elif report.state in SUBMITTED_STATES:
            cooperating.setdefault(report.task_id, []).append(report)
    attention = list(
        ledger_order(reports.filter(Q(is_late=True) | ~Q(state__in=SUBMITTED_STATES)))
        .select_related("unit__jurisdiction", "task__implements")
        .prefetch_related("unit__names")
    )
    _, statuses, _ = _labels()
    with translation.override(EXPORT_LANGUAGE):
        period_label = str(period.label)

    document = _official_document()
    # A title of more than one line breaks before the period, never inside a word.
    title = f"{jurisdiction.name}深化税收征管改革推进情况汇总\n（{period_label}）"
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
        for report in cooperating.get(task.pk, ()):
            _report_body(document, report, statuses, role="配合单位")

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

    _signature(document, issuing_office(jurisdiction), _date(today))
    if colophon is not None:
        _colophon(document, colophon)
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
    if report.state not in SUBMITTED_STATES:
        returned = "（报告已退回修改）" if report.state == Report.State.RETURNED else ""
        _paragraph(document, f"牵头单位：{report.unit_name()}。{NOT_SUBMITTED}{returned}。")
        return
    _report_body(document, report, statuses, role="牵头单位")


def _report_body(document, report: Report, statuses: dict, *, role: str) -> None:
    status = statuses.get(report.status, "")
    percent = ""
    if report.percent is not None and report.status != Report.Status.COMPLETED:
        percent = f"，完成{report.percent}%"
    _paragraph(document, f"{role}：{report.unit_name()}。推进状态：{status}{percent}。")
    for label, text in (
        ("进展情况", report.progress),
        ("存在问题", report.problems),
        ("下步计划", report.next_steps),
    ):
        _paragraph(document, text.strip() or "无。", label=f"{label}：")


def _signature(document, name: str, date: str) -> None:
    """GB/T 9704 7.3.5.2, a document without a seal: one blank line below the text, the
    issuing office 右空二字, the date on the line below, starting two characters to the right
    of the office's first character (or 右空二字, with the office moved left, when the date
    is the longer).

    The office's name is all full-width characters, so where it starts is known; the date
    is placed from there. Its own width (half-width digits, and the space Word and
    LibreOffice add between digits and Chinese) is not, so it is never placed from its end
    unless it is the longer.
    """
    advance = _advance(document)
    name_width, date_width = _characters(name), _characters(date)
    # The signature never stands alone on a page: the last paragraph of the text, the blank
    # line and the office's name each keep with the next.
    document.paragraphs[-1].paragraph_format.keep_with_next = True
    _paragraph(document, "").paragraph_format.keep_with_next = True
    if date_width + 2 <= name_width - 2:
        name_right = 2.0
        paragraph = _paragraph(document, name, indent=False, right=True)
        paragraph.paragraph_format.right_indent = Pt(name_right * advance)
        paragraph.paragraph_format.keep_with_next = True
        date_left = GRID_CHARS - name_right - name_width + 2
        paragraph = _paragraph(document, date, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        paragraph.paragraph_format.left_indent = Pt(date_left * advance)
        return
    date_right = 2.0
    name_right = max(0.0, min(date_right + date_width + 2 - name_width, GRID_CHARS - name_width))
    for text, right in ((name, name_right), (date, date_right)):
        paragraph = _paragraph(document, text, indent=False, right=True)
        paragraph.paragraph_format.right_indent = Pt(right * advance)
        paragraph.paragraph_format.keep_with_next = text == name


def _characters(text: str) -> float:
    """The width of ``text`` in characters of the grid: half for a digit or a Latin letter."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in text)


def _colophon(document, colophon: Colophon) -> None:
    """The 版记 (GB/T 9704 7.4): 抄送 and 印发机关 / 印发日期 in 4号仿宋 between a thick line
    above, a thin one between them and a thick one at the foot of the text area of the last
    page, as wide as the text. A floating table anchored to the bottom of the text area puts
    it there whatever the length of the summary."""
    width = _text_width(document)
    one = Pt(SMALL_SIZE)  # 左右各空一字 of 4号
    rows = []
    if colophon.copied_to.strip():
        names = re.sub(r"\s+", " ", colophon.copied_to.strip())
        names = names.removeprefix("抄送").lstrip("：: ").rstrip("。.，,、；; ")
        rows.append(("copied", f"抄送：{names}。"))
    issued = f"{_date(colophon.issued_on)}印发"
    rows.append(("issued", f"{colophon.issuer.strip()}\t{issued}"))

    table = document.add_table(rows=len(rows), cols=1)
    _float_at_foot(table, width, left=document.sections[-1].left_margin)
    for row, (kind, text) in zip(table.rows, rows, strict=True):
        cell = row.cells[0]
        cell.width = width
        paragraph = cell.paragraphs[0]
        _paragraph_format(paragraph, size=SMALL_SIZE)
        paragraph.paragraph_format.line_spacing = Pt(LINE_SPACING)
        if kind == "copied":
            # Lines after the first align with the first name, after "抄送：".
            paragraph.paragraph_format.left_indent = one + Pt(3 * SMALL_SIZE)
            paragraph.paragraph_format.first_line_indent = -Pt(3 * SMALL_SIZE)
            paragraph.paragraph_format.right_indent = one
        else:
            # 印发机关左空一字, 印发日期右空一字.
            paragraph.paragraph_format.left_indent = one
            paragraph.paragraph_format.tab_stops.add_tab_stop(width - one, WD_TAB_ALIGNMENT.RIGHT)
        _run(paragraph, _xml_safe(text), font=BODY_FONT, size=SMALL_SIZE)
    # The floating table's anchor: a paragraph too small to start a page of its own.
    anchor = document.add_paragraph()
    _paragraph_format(anchor, size=1)
    _run(anchor, "", font=BODY_FONT, size=1)


def _float_at_foot(table, width, *, left) -> None:
    """Position ``table`` at the bottom of the text area, as wide as it, with the 版记's
    lines. It is placed from the page's edge (at the left margin) rather than centred in the
    text area: LibreOffice floats a table as wide as the text area only when it is placed
    relative to the page, and otherwise leaves it in the flow of the text."""
    tbl_pr = table._tbl.tblPr
    position = OxmlElement("w:tblpPr")
    for name, value in (
        ("w:vertAnchor", "margin"),
        ("w:horzAnchor", "page"),
        ("w:tblpX", str(round(left.twips))),
        ("w:tblpYSpec", "bottom"),
    ):
        position.set(qn(name), value)
    tbl_pr.insert(0, position)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")
    position.addnext(overlap)
    table.autofit = False
    table_width = tbl_pr.find(qn("w:tblW"))
    if table_width is None:
        table_width = OxmlElement("w:tblW")
        tbl_pr.append(table_width)
    table_width.set(qn("w:w"), str(int(width.twips)))
    table_width.set(qn("w:type"), "dxa")
    # 0.35 mm lines above and below (w:sz counts eighths of a point), 0.25 mm between.
    borders = OxmlElement("w:tblBorders")
    for edge, size in (("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 6)):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single" if size else "nil")
        if size:
            line.set(qn("w:sz"), str(size))
            line.set(qn("w:space"), "0")
            line.set(qn("w:color"), "000000")
        borders.append(line)
    inside_v = OxmlElement("w:insideV")
    inside_v.set(qn("w:val"), "nil")
    borders.append(inside_v)
    style = tbl_pr.find(qn("w:tblStyle"))
    if style is not None:
        tbl_pr.remove(style)  # the template's grid lines
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
    table.columns[0].width = width


# --- docx helpers ------------------------------------------------------------------------------


def _official_document():
    """An A4 document with GB/T 9704's margins, text grid, page numbers and fonts."""

    document = Document()
    for part in document.sections:
        part.page_height, part.page_width = Mm(297), Mm(210)
        part.top_margin, part.bottom_margin = Mm(37), Mm(35)
        part.left_margin, part.right_margin = Mm(28), Mm(26)
        # The page number's line (exactly 4号 high) starts 7 mm below the text area.
        part.footer_distance = part.bottom_margin - PAGE_NUMBER_GAP - Pt(SMALL_SIZE)
        _text_grid(part)
        _page_number_footer(part.footer, odd=True)
        _page_number_footer(part.even_page_footer, odd=False)
    # Odd pages carry the number on the right, even pages on the left (GB/T 9704 7.5).
    document.settings.odd_and_even_pages_header_footer = True
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_SIZE)
    rpr = normal.element.get_or_add_rPr()
    _set_fonts(rpr, BODY_FONT)
    # Chinese text: Chinese line-breaking rules and glyphs in Word and LibreOffice.
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(language)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(_char_spacing(document)))
    rpr.insert_element_before(
        spacing,
        "w:w",
        "w:kern",
        "w:position",
        "w:sz",
        "w:szCs",
        "w:highlight",
        "w:u",
        "w:effect",
        "w:bdr",
        "w:shd",
        "w:fitText",
        "w:vertAlign",
        "w:rtl",
        "w:cs",
        "w:em",
        "w:lang",
    )
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = Pt(LINE_SPACING)
    _no_grid(normal.element.get_or_add_pPr())
    for level in (1, 2, 3):
        _plain_heading_style(document.styles[f"Heading {level}"])
    _font_table(document)
    return document


def _text_width(document) -> Length:
    part = document.sections[0]
    return Length(part.page_width - part.left_margin - part.right_margin)


def _char_pitch(document) -> float:
    """The grid's character pitch in points: the text width over 28."""
    return _text_width(document).pt / GRID_CHARS


def _advance(document) -> float:
    """The width of one 3号 character of the text, with its spacing, in points."""
    return BODY_SIZE + _char_spacing(document) / 20


def _char_spacing(document) -> int:
    """What each 3号 character gives up (w:spacing, in twentieths of a point, negative) so
    that 28 of them fill a line of the text area."""
    return math.floor((_char_pitch(document) - BODY_SIZE) * 20)


def _text_grid(section) -> None:
    """A grid of 28 characters by 22 lines of 3号 text (w:docGrid), as Word and WPS show it
    in Page Setup.

    The text does not snap to it (w:snapToGrid off in the Normal style): LibreOffice spreads
    a character larger than the grid's pitch (16 pt against 15.8) over two cells, 14 to the
    line. Each character gives up a quarter point instead, and 28 fill a line everywhere;
    the fixed 28 pt line spacing gives the 22 lines.

    w:linePitch is in twips; w:charSpace is what each character's pitch adds to the size of
    the Normal font, in 4096ths of a point (ECMA-376 17.6.5), rounded down so that 28 fit.
    """
    height = Length(section.page_height - section.top_margin - section.bottom_margin)
    # Word keeps the margins in whole twips: count from those.
    width_pt = (
        round(section.page_width.twips)
        - round(section.left_margin.twips)
        - round(section.right_margin.twips)
    ) / 20
    char_space = math.floor((width_pt / GRID_CHARS - BODY_SIZE) * 4096)
    line_pitch = math.floor(height.twips / GRID_LINES)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch))
    grid.set(qn("w:charSpace"), str(char_space))


def _font_table(document) -> None:
    """Name in the font table what the document's Chinese fonts are, and for GB/T 9704's
    fonts the face Word uses where they are missing (w:altName)."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    fonts = etree.fromstring(part.blob)
    for name in (TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT):
        for old in fonts.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                fonts.remove(old)
        font = etree.SubElement(fonts, qn("w:font"))
        font.set(qn("w:name"), name)
        if name in ALT_FONTS:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), ALT_FONTS[name])
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "auto")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


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
    style.paragraph_format.line_spacing = Pt(LINE_SPACING)
    style.paragraph_format.keep_with_next = True


def _set_fonts(rpr, name: str) -> None:
    """Name the font for Chinese (eastAsia) and Latin text alike, dropping theme fonts,
    which would otherwise win over the names."""

    fonts = rpr.get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), name)


def _run(paragraph, text: str, *, font: str, size: float, bold: bool = False):

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _set_fonts(run._element.get_or_add_rPr(), font)
    return run


def _paragraph_format(paragraph, *, size: float) -> None:
    if size != BODY_SIZE:
        paragraph.paragraph_format.line_spacing = Pt(size * 1.6)


def _no_grid(ppr) -> None:
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert_element_before(snap, *_AFTER_SNAP_TO_GRID)


# The elements that follow w:snapToGrid in a paragraph's properties (CT_PPrBase).
_AFTER_SNAP_TO_GRID = (
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


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
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent and not center and not right:
        paragraph.paragraph_format.first_line_indent = Pt(2 * _advance(document))
    _paragraph_format(paragraph, size=size)
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


def _page_number_footer(footer, *, odd: bool) -> None:
    """ "— 1 —" in 4号宋体 (GB/T 9704 7.5): on odd pages one character in from the right, on
    even pages one character in from the left."""

    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    _paragraph_format(paragraph, size=SMALL_SIZE)
    paragraph.paragraph_format.line_spacing = Pt(SMALL_SIZE)
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    if odd:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(SMALL_SIZE)
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        paragraph.paragraph_format.left_indent = Pt(SMALL_SIZE)
    _run(paragraph, "— ", font=PAGE_NUMBER_FONT, size=SMALL_SIZE)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = _run(paragraph, "1", font=PAGE_NUMBER_FONT, size=SMALL_SIZE)
    run._element.addprevious(field)
    field.append(run._element)
    _run(paragraph, " —", font=PAGE_NUMBER_FONT, size=SMALL_SIZE)
