"""The dashboard, as the provincial office, a city office, leadership and unit people use it."""

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from reform.history.services import record
from reform.org.models import Role, Unit
from reform.org.tests import factories as f
from reform.plan.models import Assignment, Origin, Period, Task
from reform.plan.services import load_plan
from reform.reports.models import Report
from reform.reports.services import ensure_reports

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "dashboard-results"}
DASHBOARD = "/dashboard/"
# What the page costs, whatever the number of units, periods and lower jurisdictions:
# session, user, scope, periods, jurisdiction, ancestors, units of the filter, sections,
# matrix (+ unit names), rankings, trends, totals, roll-up (children + aggregate), by section,
# milestones (+ aggregate), and the session saved again (3: SESSION_SAVE_EVERY_REQUEST).
DASHBOARD_QUERIES = 21
LIST_QUERIES = 10


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 1, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def plan(db):
    load_plan()
    return Period.objects.get(year=2025, half=2)


@pytest.fixture
def cast(plan):
    tax = Unit.objects.get(code="hlj-tax")
    province = tax.jurisdiction
    harbin = province.children.get(code="harbin")
    return {
        "province": province,
        "harbin": harbin,
        "qiqihar": province.children.get(code="qiqihar"),
        "tax": tax,
        "tax_staff": f.person("tax-staff", (Role.STAFF, tax)),
        "office": f.person("office", (Role.OFFICE, province)),
        "leader": f.person("leader", (Role.LEADERSHIP, province)),
        "harbin_office": f.person("harbin-office", (Role.OFFICE, harbin)),
    }


def assign(unit, task_numbers, *, lead=True):
    for number in task_numbers:
        Assignment.objects.create(
            task=Task.objects.get(number=number, jurisdiction__isnull=True),
            unit=unit,
            role=Assignment.Role.LEAD if lead else Assignment.Role.COOPERATING,
            justification="本地分工",
            origin=Origin.OFFICE,
        )


def submit(reports, *, late=False, state=Report.State.SUBMITTED, status="on_track", **extra):
    """Bulk-mark reports as submitted (or accepted, or returned after a submission)."""
    at = timezone.now()
    percent = 100 if status == Report.Status.COMPLETED else 50
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(
        state=state,
        status=status,
        percent=percent,
        first_submitted_at=at,
        submitted_at=at,
        is_late=late,
        **extra,
    )


def province_reports(period):
    return list(
        Report.objects.filter(period=period, unit__jurisdiction__code="hlj").order_by(
            "task__number", "role", "unit_id"
        )
    )


@pytest.fixture
def known_mix(plan):
    """36 expected in 2025 H2: 20 submitted (10 accepted, 3 late), 2 returned, 14 drafts."""
    reports = province_reports(plan)
    assert len(reports) == 36
    submit(reports[:10], state=Report.State.ACCEPTED)
    submit(reports[10:17])
    submit(reports[17:20], late=True)
    submit(reports[20:22], state=Report.State.RETURNED)
    return reports


def totals_of(page: str) -> dict[str, tuple[int, str]]:
    found = re.findall(
        r'id="total-(\w+)" href="([^"]+)">.*?total-value">(\d+)<', page, flags=re.DOTALL
    )
    return {key: (int(value), html.unescape(href)) for key, href, value in found}


def cell(page: str, report: Report) -> str:
    match = re.search(rf'<a href="([^"]+)" id="cell-{report.pk}" data-light="(\w*)"', page)
    assert match, f"no matrix cell for report {report.pk}"
    return match.groups()


# --- totals and the lists behind them -----------------------------------------------------------


def test_the_totals_equal_the_reports_of_the_jurisdictions_own_units(client, cast, known_mix):
    client.force_login(cast["office"])
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    totals = totals_of(response.content.decode())
    assert {key: value for key, (value, _) in totals.items()} == {
        "expected": 36,
        "submitted": 20,
        "accepted": 10,
        "returned": 2,
        "not_submitted": 16,
        "late": 3,
    }


def test_the_list_behind_each_number_has_exactly_that_many_rows(client, cast, known_mix):
    client.force_login(cast["office"])
    totals = totals_of(client.get(DASHBOARD).content.decode())
    for key, (value, href) in totals.items():
        assert f"which={key}" in href
        page = client.get(href).content.decode()
        assert page.count('class="list-row"') == value, key
        assert f'id="list-count">{value}<' in page
    late = client.get(totals["late"][1]).content.decode()
    for report in known_mix[17:20]:
        assert reverse("reports:report", args=[report.pk]) in late


def test_a_long_list_is_paginated(client, cast, plan):
    client.force_login(cast["office"])
    # Every period up to 2025 H2: 9 periods × 36 reports.
    url = reverse("dashboard:reports") + "?which=expected&span=1"
    first = client.get(url).content.decode()
    assert first.count('class="list-row"') == 50 and 'id="list-count">324<' in first
    last = client.get(url + "&page=7").content.decode()
    assert last.count('class="list-row"') == 24


# --- the matrix and the roll-up -----------------------------------------------------------------


def test_matrix_cells_link_to_the_reports_with_their_light(client, cast, plan):
    reports = {(r.unit.code, r.task.number): r for r in province_reports(plan)}
    lagging = reports["hlj-tax", 5]
    done = reports["hlj-tax", 6]
    police = reports["hlj-police", 21]
    submit([lagging], status="lagging", problems="基层人员力量不足。")
    submit([done], state=Report.State.ACCEPTED, status="completed")
    client.force_login(cast["office"])
    page = client.get(DASHBOARD).content.decode()
    assert cell(page, lagging) == (reverse("reports:report", args=[lagging.pk]), "lagging")
    assert cell(page, done)[1] == "completed"
    assert cell(page, police)[1] == "not_submitted"
    # Lagging tasks come with their problems text.
    assert f'id="lagging-{lagging.pk}"' in page and "基层人员力量不足。" in page
    assert len(re.findall(r'id="lagging-\d+"', page)) == 1


@pytest.fixture
def harbin_world(cast):
    """Harbin with two units of its own and a county below it with one."""
    harbin = cast["harbin"]
    county = f.jurisdiction("道里区", parent=harbin)
    city_tax = f.unit("哈尔滨市税务局", jurisdiction=harbin)
    city_police = f.unit("哈尔滨市公安局", jurisdiction=harbin)
    county_tax = f.unit("道里区税务局", jurisdiction=county)
    assign(city_tax, [1, 2, 3])
    assign(city_police, [3], lead=False)
    assign(county_tax, [1, 2])
    ensure_reports()
    submit(Report.objects.filter(unit=county_tax, period__year=2025, period__half=2))
    return {"county": county, "city_tax": city_tax, "county_tax": county_tax}


def test_each_city_has_a_row_of_its_totals_linking_to_its_dashboard(client, cast, harbin_world):
    client.force_login(cast["office"])
    page = client.get(DASHBOARD).content.decode()
    row = re.search(
        r'<tr class="rollup-child">\s*<th[^>]*><a href="([^"]+)"[^>]*>哈尔滨市</a>'
        r"</th>(.*?)</tr>",
        page,
        flags=re.DOTALL,
    )
    assert row, "no roll-up row for Harbin"
    href, cells = html.unescape(row.group(1)), row.group(2)
    assert href == f"{DASHBOARD}?period=2025H2&jurisdiction=harbin"
    numbers = [int(n) for n in re.findall(r">(\d+)<", cells)]
    # Harbin's 4 reports and its county's 2, of which the county's are submitted.
    assert numbers == [6, 2, 0, 0, 4, 0]
    assert page.count('class="rollup-child"') == 13  # every city-level unit
    # The number links to the list of Harbin and below.
    expected_href = html.unescape(re.search(r'href="([^"]+)">6<', cells).group(1))
    listed = client.get(expected_href).content.decode()
    assert listed.count('class="list-row"') == 6 and "道里区" in listed
    # And Harbin's own dashboard shows its units and the county below.
    harbin_page = client.get(href).content.decode()
    assert f'id="matrix-unit-{harbin_world["city_tax"].pk}"' in harbin_page
    assert "道里区" in harbin_page


# --- progress by section and by milestone -------------------------------------------------------


def lead_reports(period):
    return Report.objects.filter(
        period=period, role=Assignment.Role.LEAD, unit__jurisdiction__code="hlj"
    ).order_by("task__number")


def progress_row(page: str, row_id: str) -> list[int]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', page, flags=re.DOTALL).group(1)
    cells = re.findall(r'<td class="text-end[^"]*">(.*?)</td>', row, flags=re.DOTALL)
    return [int(re.sub(r"<[^>]+>", "", c)) for c in cells]


def test_progress_by_section_counts_tasks_by_their_lead_units_report(client, cast, plan):
    leads = list(lead_reports(plan))
    submit(leads[:2], state=Report.State.ACCEPTED, status="completed")  # tasks 1, 2
    submit(leads[2:3], status="lagging", problems="x")  # task 3
    submit(leads[20:22], status="on_track")  # tasks 21, 22
    # A cooperating unit's status does not count for the task.
    police = Report.objects.get(period=plan, unit__code="hlj-police", task__number=23)
    submit([police], status="completed", state=Report.State.ACCEPTED)
    client.force_login(cast["office"])
    page = client.get(DASHBOARD).content.decode()
    # completed, on track, lagging, not started, not submitted, tasks
    assert progress_row(page, "section-row-1") == [2, 0, 1, 0, 1, 4]
    assert progress_row(page, "section-row-5") == [0, 2, 0, 0, 2, 4]
    assert progress_row(page, "section-row-6") == [0, 0, 0, 0, 3, 3]


def test_a_milestone_takes_the_second_half_of_its_year(client, cast, plan):
    submit(lead_reports(Period.objects.get(year=2022, half=2)), status="completed")
    submit(lead_reports(Period.objects.get(year=2022, half=1)), status="lagging")
    submit(lead_reports(Period.objects.get(year=2023, half=2))[:5], status="lagging")
    client.force_login(cast["office"])
    page = client.get(DASHBOARD).content.decode()
    assert progress_row(page, "milestone-row-2022") == [27, 0, 0, 0, 0, 27]
    assert progress_row(page, "milestone-row-2023") == [0, 0, 5, 0, 22, 27]
    assert progress_row(page, "milestone-row-2025") == [0, 0, 0, 0, 27, 27]
    # Before the milestone's year ends, the latest period up to the one on screen counts.
    earlier = client.get(DASHBOARD + "?period=2022H1").content.decode()
    assert progress_row(earlier, "milestone-row-2022") == [0, 0, 27, 0, 0, 27]
    assert "2022" in re.search(r'id="milestone-row-2025">(.*?)</th>', earlier, re.DOTALL)[1]


# --- filters ------------------------------------------------------------------------------------


@pytest.fixture
def lagging_in_section_5(plan):
    reports = {(r.unit.code, r.task.number): r for r in province_reports(plan)}
    wanted = [reports["hlj-tax", 21], reports["hlj-police", 21], reports["hlj-tax", 24]]
    submit(wanted, status="lagging", problems="协同不足。")
    submit([reports["hlj-tax", 5]], status="lagging", problems="别的部分。")  # section 2
    submit([reports["hlj-tax", 22]], status="on_track")
    return wanted


def test_section_and_status_narrow_the_page_as_a_plain_get(client, cast, lagging_in_section_5):
    client.force_login(cast["office"])
    response = client.get(DASHBOARD + "?section=5&status=lagging")
    page = response.content.decode()
    assert "<html" in page and 'id="dashboard-filters"' in page
    assert totals_of(page)["expected"][0] == 3
    assert page.count('id="cell-') == 3 and len(re.findall(r'id="lagging-\d+"', page)) == 3
    for report in lagging_in_section_5:
        assert cell(page, report)[1] == "lagging"
    assert "别的部分。" not in page
    # The list behind the number keeps the filters.
    href = totals_of(page)["expected"][1]
    assert "section=5" in href and "status=lagging" in href
    assert client.get(href).content.decode().count('class="list-row"') == 3


def test_through_htmx_the_filters_answer_with_the_results_only(client, cast, lagging_in_section_5):
    client.force_login(cast["office"])
    response = client.get(DASHBOARD + "?section=5&status=lagging", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="dashboard-filters"' not in body
    assert body.lstrip().startswith('<div id="dashboard-results">')
    assert body.count('id="cell-') == 3 and 'id="trend-data"' in body
    assert "HX-Request" in response["Vary"]


def test_the_filter_form_works_with_and_without_javascript(client, cast, plan):
    client.force_login(cast["office"])
    page = client.get(DASHBOARD).content.decode()
    form = re.search(
        r'<form method="get" action="([^"]+)" id="dashboard-filters"(.*?)>', page, flags=re.DOTALL
    )
    assert form.group(1) == DASHBOARD
    attributes = form.group(2)
    assert 'hx-get="/dashboard/"' in attributes and 'hx-push-url="true"' in attributes
    assert 'hx-target="#dashboard-results"' in attributes
    assert 'type="submit"' in page
    # Trends are a table first; the charts come from the vendored ECharts, without inline code.
    assert 'id="trend-table"' in page and 'id="trend-2025H2"' in page
    assert "vendor/echarts/echarts.min.js" in page and "js/dashboard.js" in page
    assert re.search(r"<script>(?!\s*</script>)", page) is None


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, query, status",
    [
        ("office", "", 200),
        ("office", "?jurisdiction=harbin", 200),
        ("office", "?jurisdiction=county", 200),
        ("harbin_office", "", 200),
        ("harbin_office", "?jurisdiction=harbin", 200),
        ("harbin_office", "?jurisdiction=county", 200),  # a county below Harbin
        ("harbin_office", "?jurisdiction=hlj", 404),  # above
        ("harbin_office", "?jurisdiction=qiqihar", 404),  # beside
        ("leader", "?jurisdiction=harbin", 200),
        ("tax_staff", "", 403),
    ],
)
def test_who_may_open_which_dashboard(client, cast, harbin_world, who, query, status):
    query = query.replace("county", harbin_world["county"].code)
    client.force_login(cast[who])
    assert client.get(DASHBOARD + query).status_code == status
    reports_url = reverse("dashboard:reports") + (query or "?") + "&which=expected"
    assert client.get(reports_url).status_code == status


def test_a_city_office_sees_its_own_jurisdiction_by_default(client, cast, harbin_world):
    client.force_login(cast["harbin_office"])
    page = client.get(DASHBOARD).content.decode()
    assert f'id="matrix-unit-{harbin_world["city_tax"].pk}"' in page
    assert f'id="matrix-unit-{cast["tax"].pk}"' not in page
    assert 'class="rollup-child"' in page and "道里区" in page
    assert f"?period=2025H2&amp;jurisdiction={cast['province'].code}" not in page


def test_leadership_reads_without_action_buttons(client, cast, known_mix):
    client.force_login(cast["leader"])
    response = client.get(DASHBOARD)
    assert response.status_code == 200 and response.context["can_act"] is False
    page = response.content.decode()
    assert re.search(r'<div id="office-actions">\s*</div>', page)
    assert "hx-post" not in page and 'method="post" action="/review' not in page
    # The provincial office reads Harbin's dashboard: Harbin's office reviews, not the province.
    client.force_login(cast["office"])
    assert client.get(DASHBOARD).context["can_act"] is True
    assert client.get(DASHBOARD + "?jurisdiction=harbin").context["can_act"] is False


def test_offices_and_leadership_land_on_the_dashboard(client, cast, plan):
    for who in ("office", "leader", "harbin_office"):
        client.force_login(cast[who])
        response = client.get("/")
        assert response.status_code == 302 and response["Location"] == DASHBOARD
    client.force_login(cast["office"])
    assert 'id="nav-dashboard"' in client.get(DASHBOARD).content.decode()


# --- rankings and trends ------------------------------------------------------------------------


def test_units_are_ranked_by_on_time_submission_and_by_returns(client, cast, plan):
    police = Unit.objects.get(code="hlj-police")
    customs = Unit.objects.get(code="hlj-customs")
    past = Report.objects.filter(period__year__lt=2025)
    submit(past.filter(unit=police))
    submit(past.filter(unit=customs), late=True)
    returned = past.filter(unit=customs).first()
    record(obj=returned, before={"state": "submitted"}, after={"state": "returned"})
    client.force_login(cast["office"])
    page = client.get(DASHBOARD).content.decode()
    on_time = re.search(r'id="ranking-on-time">(.*?)</table>', page, re.DOTALL).group(1)
    assert on_time.index(f"on-time-unit-{police.pk}") < on_time.index(f"on-time-unit-{customs.pk}")
    returns = re.search(r'id="ranking-returns">(.*?)</table>', page, re.DOTALL).group(1)
    first = re.search(r'<tr id="returns-unit-(\d+)">', returns).group(1)
    assert int(first) == customs.pk
    href = html.unescape(
        re.search(
            rf'id="returns-unit-{customs.pk}">.*?<a href="[^"]+">[^<]+</a></th>\s*'
            r'<td class="text-end"><a href="([^"]+)">1<',
            returns,
            re.DOTALL,
        ).group(1)
    )
    assert "span=1" in href and "which=ever_returned" in href
    assert client.get(href).content.decode().count('class="list-row"') == 1


def test_trends_show_each_period_up_to_the_one_on_screen(client, cast, known_mix):
    client.force_login(cast["office"])
    page = client.get(DASHBOARD + "?period=2025H2").content.decode()
    assert page.count('<tr id="trend-') == 9
    row = progress_row(page.replace("%", ""), "trend-2025H2")
    # expected, submitted, submitted %, on time, on time %, then the five lights
    assert row[:5] == [36, 20, 56, 19, 53]  # the 2 returned were submitted on time
    assert sum(row[5:]) == 36
    data = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', page)
    assert '"submittedPct"' in data.group(1)


# --- the page runs a fixed number of queries ----------------------------------------------------


def build_world(name: str, *, units: int, counties: int, office: str, parent):
    city = f.jurisdiction(name, parent=parent)
    people = f.person(office, (Role.OFFICE, city))
    led = set()
    made = []
    for n in range(units):
        unit = f.unit(f"{name}单位{n}", jurisdiction=city)
        for number in [(n * 3 + k) % 27 + 1 for k in range(3)]:
            assign(unit, [number], lead=number not in led)
            led.add(number)
        made.append(unit)
    for c in range(counties):
        county = f.jurisdiction(f"{name}县{c}", parent=city)
        for n in range(2):
            assign(f.unit(f"{name}县{c}单位{n}", jurisdiction=county), [n + 1])
    ensure_reports()
    reports = list(Report.objects.filter(unit__jurisdiction__path__startswith=city.path))
    # A mix of every light, some late, some returned (with their history), every period.
    submit(reports[0::5], state=Report.State.ACCEPTED, status="completed")
    submit(reports[1::5], status="lagging", problems="问题。")
    submit(reports[2::5], late=True)
    submit(reports[3::5], state=Report.State.RETURNED)
    for report in reports[3::25]:
        record(obj=report, before={"state": "submitted"}, after={"state": "returned"})
    return city, people


def test_the_page_runs_the_same_queries_for_2_units_as_for_50(
    client, cast, django_assert_num_queries
):
    province = cast["province"]
    small, small_office = build_world(
        "小市", units=2, counties=0, office="small-office", parent=province
    )
    big, big_office = build_world(
        "大市", units=50, counties=3, office="big-office", parent=province
    )
    cases = (
        (small_office, f"?period=2021H2&jurisdiction={small.code}"),  # 1 period
        (big_office, f"?period=2023H1&jurisdiction={big.code}"),  # 4 periods, 3 counties
        (big_office, f"?period=2023H1&jurisdiction={big.code}&section=1&status=lagging"),
    )
    for user, query in cases:
        client.force_login(user)
        with django_assert_num_queries(DASHBOARD_QUERIES + ("section=" in query)):
            response = client.get(DASHBOARD + query)
        assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="rollup-child"') == 3 and page.count('<tr id="trend-') == 4


def test_the_list_runs_the_same_queries_for_3_rows_as_for_a_full_page(
    client, cast, known_mix, django_assert_num_queries
):
    client.force_login(cast["office"])
    late = reverse("dashboard:reports") + "?which=late"  # 3 rows
    every = reverse("dashboard:reports") + "?which=expected&span=1&jurisdiction=hlj"  # 50 of 324
    for url in (late, every):
        # session, user, scope, periods, (jurisdiction), count, rows, unit names, session saved
        with django_assert_num_queries(LIST_QUERIES + ("jurisdiction=" in url)):
            response = client.get(url)
        assert response.status_code == 200


def test_the_page_speaks_chinese_by_default(client, cast, known_mix):
    client.force_login(cast["office"])
    page = client.get(DASHBOARD).content.decode()
    for words in (
        "工作看板",
        "报送情况矩阵",
        "分类别推进情况",
        "阶段目标推进情况",
        "各期趋势",
        "应报",
    ):
        assert words in page
