"""Exports: the office downloads the ledger (.xlsx, .csv) and the written summary (.docx) of the
period and jurisdiction on screen; a unit downloads the ledger of its own reports."""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from reform.dashboard import exports
from reform.org.models import Jurisdiction, Origin, Unit, UnitName
from reform.org.tests import factories as f
from reform.plan.models import Assignment, Period, Task
from reform.reports.models import Report
from reform.reports.services import (
    ReportChanges,
    ensure_reports,
    report_save,
    report_send_for_sign_off,
    report_sign_off,
)
from reform.reports.tests import conftest as reports_fixtures

# The shipped plan with its drafts (2025H2), and the provincial cast of people.
plan = reports_fixtures.plan
cast = reports_fixtures.cast

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BOM = b"\xef\xbb\xbf"
HEADER = [
    "序号",
    "所属地区",
    "任务板块",
    "任务序号",
    "任务名称",
    "责任单位",
    "单位角色",
    "推进状态",
    "完成进度（%）",
    "进展情况",
    "存在问题",
    "下步计划",
    "报送时间",
    "是否逾期",
    "审核状态",
]
COL = {name: index for index, name in enumerate(HEADER)}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 1, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def demo(db):
    """The demo's history up to 2025H2, and its people by username."""
    call_command("seed_demo", stdout=io.StringIO())
    return {u.username: u for u in get_user_model().objects.all()}


def url(name: str, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse(f"dashboard:{name}") + (f"?{query}" if query else "")


def ledger_of(response):
    """The ledger's workbook: the printed sheet, then the sheet of what does not fit."""
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content))


def headers_of(sheet) -> list[str]:
    """Row 2 of a sheet (row 1 is the heading), without the line breaks of narrow columns."""
    return [cell.value.replace("\n", "") for cell in sheet[2]]


def rows_of(workbook) -> list[list]:
    """Every row with every column, in HEADER's order, from both sheets (row n of the second
    sheet is row n of the first)."""
    sheets = workbook.worksheets
    assert len(sheets) == 2
    columns = [headers_of(sheet) for sheet in sheets]
    rows = []
    pages = (sheet.iter_rows(min_row=3, values_only=True) for sheet in sheets)
    for values in zip(*pages, strict=True):
        merged = {}
        for headers, row in zip(columns, values, strict=True):
            for header, value in zip(headers, row, strict=True):
                assert merged.get(header, value) == value, header  # the key columns agree
                merged[header] = value
        rows.append([merged[header] for header in HEADER])
    return rows


def csv_rows(response) -> tuple[bytes, list[list[str]]]:
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content)
    return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def docx_of(response):
    assert response.status_code == 200, response.status_code
    return Document(io.BytesIO(b"".join(response.streaming_content)))


def province_reports(code: str):
    return Report.objects.filter(period__year=int(code[:4]), period__half=int(code[-1])).filter(
        unit__jurisdiction__level=Jurisdiction.Level.PROVINCE
    )


def submit(report, actor, head=None, **text):
    values = dict(
        status=Report.Status.ON_TRACK,
        percent=60,
        progress="已完成电子发票服务平台上线。",
        problems="",
        next_steps="继续推广应用。",
        indicator_values={},
    )
    values.update(text)
    report = report_save(
        report=report, actor=actor, changes=ReportChanges(**values), base_version=report.version
    )
    report = report_send_for_sign_off(report=report, actor=actor, base_version=report.version)
    if head is not None:
        report = report_sign_off(report=report, actor=head, base_version=report.version)
    return report


# --- the office's ledger -------------------------------------------------------------------------


def test_the_office_downloads_the_ledger_of_the_period_on_screen(client, demo):
    client.force_login(demo["office"])
    response = client.get(url("ledger_xlsx", period="2025H1"))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''" in disposition
    assert "%E5%8F%B0%E8%B4%A6" in disposition  # 台账
    assert "2025H1.xlsx" in disposition

    workbook = ledger_of(response)
    sheet = workbook.worksheets[0]
    assert sheet.title == "2025年上半年台账"
    assert [h for h in HEADER if h in headers_of(sheet)] == headers_of(sheet)
    assert set(HEADER) == set(headers_of(sheet)) | set(headers_of(workbook.worksheets[1]))
    assert sheet["A2"].font.b
    rows = rows_of(workbook)
    expected = province_reports("2025H1")
    assert len(rows) == expected.count() == 36
    assert [r[COL["序号"]] for r in rows] == list(range(1, 37))

    # A report the office accepted appears with its own words, on its own row.
    known = expected.filter(state=Report.State.ACCEPTED).select_related("task", "unit").first()
    row = next(
        r
        for r in rows
        if r[COL["任务序号"]] == str(known.task.number) and r[COL["责任单位"]] == known.unit.name
    )
    assert row[COL["进展情况"]] == known.progress
    assert row[COL["完成进度（%）"]] == known.percent
    assert row[COL["审核状态"]] == "已审核通过"
    assert row[COL["单位角色"]] in ("牵头", "配合")
    assert row[COL["所属地区"]] == "黑龙江省"
    assert row[COL["报送时间"]] == (
        known.submitted_at.astimezone(SHANGHAI).replace(tzinfo=None, second=0, microsecond=0)
    )
    progress_column = headers_of(sheet).index("进展情况") + 1
    assert sheet.cell(row=rows.index(row) + 3, column=progress_column).alignment.wrap_text


def test_the_ledger_lists_the_lead_unit_first_in_the_order_of_the_plan(client, demo):
    client.force_login(demo["office"])
    rows = rows_of(ledger_of(client.get(url("ledger_xlsx", period="2025H1"))))
    task_order = [int(r[COL["任务序号"]]) for r in rows]
    assert task_order == sorted(task_order)
    task21 = [r for r in rows if r[COL["任务序号"]] == "21"]
    assert [r[COL["单位角色"]] for r in task21] == ["牵头"] + ["配合"] * (len(task21) - 1)
    assert task21[0][COL["责任单位"]] == "国家税务总局黑龙江省税务局"


def test_the_csv_opens_in_excel_in_chinese_and_has_the_same_rows(client, demo):
    client.force_login(demo["office"])
    xlsx_rows = rows_of(ledger_of(client.get(url("ledger_xlsx", period="2024H2"))))
    response = client.get(url("ledger_csv", period="2024H2"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "2024H2.csv" in response["Content-Disposition"]
    content, rows = csv_rows(response)
    assert content.startswith(BOM)
    assert rows[0] == HEADER
    assert len(rows) - 1 == len(xlsx_rows) == province_reports("2024H2").count()
    for from_csv, from_xlsx in zip(rows[1:], xlsx_rows, strict=True):
        as_text = [
            ""
            if v is None
            else v.strftime("%Y-%m-%d %H:%M")
            if isinstance(v, dt.datetime)
            else str(v)
            for v in from_xlsx
        ]
        assert from_csv == as_text


def test_filters_narrow_the_ledger_to_a_section(client, demo):
    client.force_login(demo["office"])
    rows = rows_of(ledger_of(client.get(url("ledger_xlsx", period="2025H1", section=5))))
    assert {r[COL["任务序号"]] for r in rows} == {"21", "22", "23", "24"}
    assert len(rows) == province_reports("2025H1").filter(task__section__number=5).count()
    assert {r[COL["任务板块"]] for r in rows} == {"（五）深化拓展税收共治格局"}


def test_filters_narrow_the_ledger_to_the_reports_not_submitted(client, demo):
    client.force_login(demo["office"])
    response = client.get(url("ledger_csv", period="2024H1", status="not_submitted"))
    _, rows = csv_rows(response)
    expected = province_reports("2024H1").exclude(
        state__in=(Report.State.SUBMITTED, Report.State.ACCEPTED)
    )
    assert 0 < len(rows) - 1 == expected.count() < 36
    assert {r[COL["审核状态"]] for r in rows[1:]} <= {"草稿", "已退回"}
    assert {r[COL["推进状态"]] for r in rows[1:]} == {"未报送"}
    # The ledger records what units reported, not their unsent drafts.
    assert {r[COL["进展情况"]] for r in rows[1:]} == {""}


def test_below_adds_the_jurisdictions_under_the_one_on_screen(client, plan, cast):
    hulan = f.unit("呼兰区税务局", jurisdiction=cast["harbin"])
    Assignment(
        task=Task.objects.get(number=2),
        unit=hulan,
        role=Assignment.Role.LEAD,
        justification="比照成立领导小组和办公室，负责落实本地改革任务",
        origin=Origin.OFFICE,
    ).save()
    ensure_reports(periods=[plan])
    client.force_login(cast["office"])

    own = rows_of(ledger_of(client.get(url("ledger_xlsx"))))
    assert len(own) == 36 and "呼兰区税务局" not in {r[COL["责任单位"]] for r in own}

    response = client.get(url("ledger_xlsx", below=1))
    assert "%EF%BC%88%E5%90%AB%E4%B8%8B%E7%BA%A7%EF%BC%89" in response["Content-Disposition"]
    with_below = rows_of(ledger_of(response))
    assert len(with_below) == 37
    assert with_below[-1][COL["责任单位"]] == "呼兰区税务局"
    assert with_below[-1][COL["所属地区"]] == "哈尔滨市"

    # The Harbin office sees its own unit in its own ledger.
    client.force_login(cast["harbin_office"])
    harbin = rows_of(ledger_of(client.get(url("ledger_xlsx"))))
    assert [r[COL["责任单位"]] for r in harbin] == ["呼兰区税务局"]


def test_the_ledger_is_in_chinese_whatever_the_language_of_the_screen(client, plan, cast):
    client.force_login(cast["leader"])
    client.cookies["django_language"] = "en"
    _, rows = csv_rows(client.get(url("ledger_csv"), HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[0] == HEADER
    assert {r[COL["单位角色"]] for r in rows[1:]} == {"牵头", "配合"}
    assert {r[COL["审核状态"]] for r in rows[1:]} == {"草稿"}


def test_a_reports_words_stay_words_in_the_spreadsheet(client, plan, cast):
    report = Report.objects.get(unit=cast["police"], task__number=21, period=plan)
    submit(report, cast["police_staff"], progress='=HYPERLINK("http://x")\x0b已完成', percent=70)
    client.force_login(cast["office"])
    rows = rows_of(ledger_of(client.get(url("ledger_xlsx"))))
    row = next(
        r for r in rows if (r[COL["责任单位"]], r[COL["任务序号"]]) == ("黑龙江省公安厅", "21")
    )
    assert row[COL["进展情况"]] == '=HYPERLINK("http://x")已完成'
    assert row[COL["推进状态"]] == "按计划推进" and row[COL["是否逾期"]] == "否"
    _, csv_lines = csv_rows(client.get(url("ledger_csv")))
    line = next(r for r in csv_lines if r[COL["进展情况"]].startswith("'="))
    assert line[COL["责任单位"]] == "黑龙江省公安厅"


def test_only_get_is_answered(client, plan, cast):
    client.force_login(cast["office"])
    assert client.post(url("ledger_xlsx")).status_code == 405
    assert client.post(url("summary_docx")).status_code == 405


# --- the written summary ---------------------------------------------------------------------


def fonts_of(run) -> tuple[str, str]:
    fonts = run._element.rPr.rFonts
    return fonts.get(qn("w:eastAsia")), fonts.get(qn("w:ascii"))


def test_the_summary_holds_every_task_in_official_form(client, demo):
    client.force_login(demo["office"])
    response = client.get(url("summary_docx", period="2025H1"))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert "2025H1.docx" in response["Content-Disposition"]
    document = docx_of(response)
    paragraphs = document.paragraphs
    title = paragraphs[0]
    assert title.text == "黑龙江省深化税收征管改革推进情况汇总\n（2025年上半年）"
    assert fonts_of(title.runs[0]) == ("方正小标宋简体", "方正小标宋简体")
    assert title.runs[0].font.size.pt == 22

    texts = [p.text for p in paragraphs]
    assert texts.index("一、总体情况") < texts.index("二、各项任务推进情况")
    assert "（五）深化拓展税收共治格局" in texts
    tasks = Task.objects.filter(jurisdiction__isnull=True).order_by("number")
    headings = [p for p in paragraphs if p.text in {f"{t.number}．{t.short_title}" for t in tasks}]
    assert [p.text for p in headings] == [f"{t.number}．{t.short_title}" for t in tasks]
    assert len(headings) == 27
    assert fonts_of(headings[0].runs[0]) == ("仿宋_GB2312", "仿宋_GB2312")
    first_level = paragraphs[texts.index("一、总体情况")]
    assert fonts_of(first_level.runs[0]) == ("黑体", "黑体")
    assert first_level.runs[0].font.size.pt == 16

    # The overview counts what the ledger lists.
    reports = province_reports("2025H1")
    overview = paragraphs[texts.index("一、总体情况") + 1].text
    assert f"应报送推进情况{reports.count()}份" in overview
    accepted = reports.filter(state=Report.State.ACCEPTED).count()
    assert f"审核通过{accepted}份" in overview
    assert f"逾期报送{reports.filter(is_late=True).count()}份" in overview

    # Under each task, the lead unit's own words, in 仿宋_GB2312.
    lead = reports.filter(role="lead", state=Report.State.ACCEPTED).select_related("task").first()
    heading = texts.index(f"{lead.task.number}．{lead.task.short_title}")
    below_heading = paragraphs[heading + 1 : heading + 5]
    assert below_heading[0].text.startswith("牵头单位：国家税务总局黑龙江省税务局")
    progress = next(p for p in below_heading if p.text.startswith("进展情况："))
    assert progress.text == f"进展情况：{lead.progress}"
    assert {fonts_of(r)[0] for r in progress.runs} == {"仿宋_GB2312"}


def tasks_named(lines: list[str], unit_name: str) -> list[str]:
    """From "2．黑龙江省公安厅：第21、23项任务。", the task numbers of the unit's line (without
    the invisible characters that say where its line may break)."""
    line = next(t for t in lines if f"．{unit_name}：" in t)
    line = line.replace(exports.WORD_JOINER, "").replace(exports.ZERO_WIDTH_SPACE, "")
    return line.split("：第", 1)[1].split("项", 1)[0].split("、")


def test_the_summary_names_the_late_and_the_missing_units(client, demo):
    client.force_login(demo["office"])
    reports = province_reports("2024H1").select_related("unit", "task")
    late = reports.filter(is_late=True).first()
    missing = reports.filter(state=Report.State.DRAFT).first()
    assert late and missing, "the demo has late and missing reports in 2024H1"
    texts = [p.text for p in docx_of(client.get(url("summary_docx", period="2024H1"))).paragraphs]
    after = texts[texts.index("三、逾期报送和未报送情况") :]
    late_lines = after[after.index("（一）逾期报送单位") : after.index("（二）逾期未报送单位")]
    assert str(late.task.number) in tasks_named(late_lines, late.unit.name)
    missing_lines = after[after.index("（二）逾期未报送单位") :]
    assert str(missing.task.number) in tasks_named(missing_lines, missing.unit.name)


def test_a_task_whose_lead_has_not_reported_says_so(client, plan, cast):
    client.force_login(cast["office"])
    texts = [p.text for p in docx_of(client.get(url("summary_docx"))).paragraphs]
    heading = texts.index("2．落实发票电子化改革任务")
    assert texts[heading + 1] == "牵头单位：国家税务总局黑龙江省税务局。未报送。"
    # Before the due date, the missing are "not yet" submitted rather than overdue.
    assert "（二）尚未报送单位" in texts


# --- rights -----------------------------------------------------------------------------------


def test_a_city_office_may_not_export_the_province(client, plan, cast):
    client.force_login(cast["harbin_office"])
    for name in ("ledger_xlsx", "ledger_csv", "summary_docx"):
        assert client.get(url(name, jurisdiction="hlj")).status_code == 404
        assert client.get(url(name)).status_code == 200  # its own city


def test_the_provincial_leadership_may_export_a_city(client, plan, cast):
    client.force_login(cast["leader"])
    response = client.get(url("summary_docx", jurisdiction="harbin"))
    assert docx_of(response).paragraphs[0].text.startswith("哈尔滨市深化税收征管改革推进情况汇总")


def test_unit_people_get_their_own_ledger_and_no_office_exports(client, plan, cast):
    client.force_login(cast["police_staff"])
    for name in ("ledger_xlsx", "ledger_csv", "summary_docx"):
        assert client.get(url(name)).status_code == 403
        assert client.get(url(name, jurisdiction="hlj")).status_code == 403

    own = reverse("dashboard:unit_ledger_xlsx", args=[cast["police"].pk])
    response = client.get(own + "?period=2025H1")
    assert (
        "%E9%BB%91%E9%BE%99%E6%B1%9F%E7%9C%81%E5%85%AC%E5%AE%89%E5%8E%85"
        in (
            response["Content-Disposition"]  # 黑龙江省公安厅
        )
    )
    workbook = ledger_of(response)
    assert workbook.worksheets[0].title == "2025年上半年台账"
    assert [(r[COL["任务序号"]], r[COL["责任单位"]]) for r in rows_of(workbook)] == [
        ("21", "黑龙江省公安厅"),
        ("23", "黑龙江省公安厅"),
    ]
    other = reverse("dashboard:unit_ledger_xlsx", args=[cast["tax"].pk])
    assert client.get(other).status_code == 404
    assert client.get(reverse("dashboard:unit_ledger_xlsx", args=[999999])).status_code == 404


def test_a_unit_sees_its_own_drafts_in_its_ledger_and_the_office_does_not(client, plan, cast):
    report = Report.objects.get(unit=cast["tax"], task__number=2, period=plan)
    report_save(
        report=report,
        actor=cast["tax_staff"],
        changes=ReportChanges(
            status=Report.Status.ON_TRACK,
            percent=40,
            progress="平台试点已在三个市上线。",
            problems="",
            next_steps="全省推广。",
            indicator_values={},
        ),
        base_version=report.version,
    )
    own = reverse("dashboard:unit_ledger_xlsx", args=[cast["tax"].pk])

    client.force_login(cast["tax_staff"])
    row = rows_of(ledger_of(client.get(own)))[1]
    assert (row[COL["任务序号"]], row[COL["进展情况"]]) == ("2", "平台试点已在三个市上线。")
    assert row[COL["审核状态"]] == "草稿"

    client.force_login(cast["office"])
    row = rows_of(ledger_of(client.get(own)))[1]
    assert (row[COL["任务序号"]], row[COL["进展情况"]]) == ("2", None)
    assert row[COL["推进状态"]] == "未报送"


def test_a_late_report_and_an_overdue_one_are_marked(client, plan, cast, time_machine):
    report = Report.objects.get(unit=cast["police"], task__number=23, period=plan)
    time_machine.move_to(dt.datetime(2025, 12, 24, 10, 0, tzinfo=SHANGHAI))  # after 12-18
    submit(report, cast["police_staff"])
    client.force_login(cast["office"])
    rows = rows_of(ledger_of(client.get(url("ledger_xlsx"))))
    police = {r[COL["任务序号"]]: r for r in rows if r[COL["责任单位"]] == "黑龙江省公安厅"}
    assert police["23"][COL["是否逾期"]] == "是"
    assert police["21"][COL["是否逾期"]] == "逾期未报"  # cooperating units' date has passed
    tax = next(r for r in rows if r[COL["责任单位"]].endswith("税务局"))
    assert tax[COL["是否逾期"]] is None  # the lead's date (12-25) is still ahead


def test_rows_read_in_chunks_keep_their_numbers_and_names(demo, monkeypatch):
    reports = province_reports("2022H2")
    whole = list(exports.ledger_rows(reports))
    monkeypatch.setattr(exports, "CHUNK_SIZE", 5)
    assert list(exports.ledger_rows(reports)) == whole
    assert [row.number for row in whole] == list(range(1, 37))
    assert "中国人民银行哈尔滨中心支行" in {row.unit for row in whole}


# --- names of their time ---------------------------------------------------------------------


def test_a_renamed_unit_keeps_its_old_name_in_the_ledgers_of_its_time(client, demo):
    client.force_login(demo["office"])

    def pboc_names(period):
        rows = rows_of(ledger_of(client.get(url("ledger_xlsx", period=period))))
        return {r[COL["责任单位"]] for r in rows if "人民银行" in r[COL["责任单位"]]}

    assert pboc_names("2022H2") == {"中国人民银行哈尔滨中心支行"}
    assert pboc_names("2025H1") == {"中国人民银行黑龙江省分行"}
    assert Unit.objects.get(code="hlj-pboc").name == "中国人民银行黑龙江省分行"


# --- the queries do not grow with the rows ---------------------------------------------------


def add_units(province, count: int) -> None:
    """``count`` more units of the province, each cooperating on all 27 tasks, each renamed
    once (so their names come from the prefetched history)."""
    tasks = list(Task.objects.filter(jurisdiction__isnull=True))
    for n in range(count):
        unit = f.unit(f"测试单位{n}", jurisdiction=province)
        UnitName.objects.create(
            unit=unit, kind="official", name=f"测试单位{n}（旧称）", valid_from=dt.date(2021, 1, 1)
        )
        for task in tasks:
            Assignment(
                task=task,
                unit=unit,
                role=Assignment.Role.COOPERATING,
                justification="测试",
                origin=Origin.OFFICE,
            ).save()
    ensure_reports(periods=Period.objects.filter(year=2025, half=2))


def queries_of(client, address: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        content = b"".join(response.streaming_content)
    assert response.status_code == 200 and content
    return len(queries), content


@pytest.mark.parametrize("name", ["ledger_xlsx", "ledger_csv", "summary_docx"])
def test_an_export_runs_the_same_queries_for_36_or_300_reports(client, plan, cast, name):
    client.force_login(cast["office"])
    small, _ = queries_of(client, url(name))
    assert province_reports("2025H2").count() == 36
    add_units(cast["tax"].jurisdiction, 10)
    assert province_reports("2025H2").count() == 306
    large, content = queries_of(client, url(name))
    assert large == small < 20  # sign-in, session, scope, filters and the export itself
    if name == "ledger_xlsx":
        rows = rows_of(load_workbook(io.BytesIO(content)))
        assert len(rows) == 306
        assert "测试单位9（旧称）" in {r[COL["责任单位"]] for r in rows}


def test_the_unit_ledger_runs_a_fixed_number_of_queries(client, plan, cast):
    client.force_login(cast["police_staff"])
    own = reverse("dashboard:unit_ledger_xlsx", args=[cast["police"].pk])
    small, _ = queries_of(client, own)
    for task in Task.objects.exclude(number__in=(21, 23)):
        Assignment(
            task=task,
            unit=cast["police"],
            role=Assignment.Role.COOPERATING,
            justification="测试",
            origin=Origin.OFFICE,
        ).save()
    ensure_reports(periods=[plan])
    large, _ = queries_of(client, own)
    assert large == small


def test_people_without_any_role_are_refused(client, plan):
    client.force_login(f.person("nobody"))
    assert client.get(url("ledger_xlsx")).status_code == 403
    assert client.get(reverse("dashboard:unit_ledger_xlsx", args=[1])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, plan):
    response = client.get(url("ledger_csv"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the benchmark command -------------------------------------------------------------------


def test_the_benchmark_refuses_a_database_that_is_not_a_throwaway(plan, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "reform")
    with pytest.raises(CommandError, match="throwaway"):
        call_command("bench_export", reports=10, stdout=io.StringIO())


def test_the_benchmark_times_both_ledgers(plan):
    out = io.StringIO()
    call_command("bench_export", reports=60, in_process=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert "81 reports created" in lines[0]  # three units, each on all 27 tasks
    assert lines[1].startswith("xlsx: 81 rows in") and "tracemalloc peak" in lines[1]
    assert lines[2].startswith(" csv: 81 rows in") and "maxrss +" in lines[2]
    city = Jurisdiction.objects.get(code="bench-city")
    assert Report.objects.filter(unit__jurisdiction__parent=city).count() == 81
