"""seed_demo --scale N: a real province's data (scale 1) or N times it, seeded in bulk."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count

from reform.demo import bench
from reform.demo.scale import seed_scale
from reform.history.models import HistoryEntry
from reform.org.models import Jurisdiction, Membership, Unit
from reform.plan.models import Assignment, Period
from reform.reports.models import Report

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
# 2021 H2 to the half-year that contains today.
PERIODS = ["2021H2"] + [f"{y}H{h}" for y in range(2022, 2027) for h in (1, 2)]


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 27, 9, 0))
    return TODAY


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return (
        Jurisdiction.objects.count(),
        Unit.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        Assignment.objects.count(),
        HistoryEntry.objects.count(),
        sorted(Report.objects.values_list("id", "state", "version")),
    )


def pattern(jurisdiction) -> set[tuple[int, str, str]]:
    """(task, role, the unit's name in the text) of the jurisdiction's active assignments."""
    return {
        (a.task.number, a.role, "税务" if "税务" in a.unit.text_name else a.unit.text_name)
        for a in Assignment.objects.filter(jurisdiction=jurisdiction, is_active=True)
        .select_related("task", "unit")
        .filter(task__jurisdiction__isnull=True)
    }


def test_scale_1_is_the_province_as_it_is_and_running_it_again_adds_nothing(today):
    out = seed("--scale", "1")
    assert "Scale 1: 14 jurisdictions" in out
    jurisdictions = list(Jurisdiction.objects.filter(is_active=True))
    assert len(jurisdictions) == 14
    assert [p.code for p in Period.objects.order_by("year", "half")] == PERIODS
    per_jurisdiction = dict(
        Assignment.objects.filter(is_active=True)
        .values_list("jurisdiction__code")
        .annotate(n=Count("id"))
    )
    assert per_jurisdiction == {j.code: 36 for j in jurisdictions}
    # Every period, one report per active assignment: 14 × 36 × 11.
    assert Report.objects.count() == 14 * 36 * len(PERIODS)
    assert not Report.objects.values("assignment", "period").annotate(n=Count("id")).filter(n__gt=1)
    for code in PERIODS:
        assert Report.objects.filter(period__year=code[:4], period__half=code[-1]).count() == 504

    before = counts()
    out = seed("--scale", "1")
    assert "created 0 counties, 0 units, 0 people, 0 assignments, 0 reports" in out
    assert counts() == before


def test_the_cities_repeat_the_provincial_division_of_work_by_the_offices_rule(today):
    seed("--scale", "1")
    province = Jurisdiction.objects.get(level=Jurisdiction.Level.PROVINCE)
    harbin = Jurisdiction.objects.get(code="harbin")
    provincial = pattern(province)
    assert len(provincial) == 36
    local = pattern(harbin)
    assert len(local) == 36
    assert local == provincial  # the same tasks, roles and departments
    assert Unit.objects.filter(jurisdiction=harbin, is_active=True).count() == 12
    # The units of the city have one name entry per kind from the first period on.
    tax = Unit.objects.get(code="demo-harbin-tax")
    assert tax.name_on(dt.date(2021, 12, 25)) == "国家税务总局哈尔滨市税务局"
    assert tax.name_on(dt.date(2021, 12, 25), "text") == "市税务局"


def test_the_cities_have_a_believable_history_reviewed_by_their_own_office(today):
    seed("--scale", "1")
    city = Report.objects.filter(unit__jurisdiction__level=Jurisdiction.Level.CITY)
    past, current = (
        city.exclude(period__year=2026, period__half=2),
        city.filter(period__year=2026, period__half=2),
    )
    states = Counter(past.values_list("state", flat=True))
    assert states[Report.State.ACCEPTED] > 0.7 * past.count()
    assert states[Report.State.RETURNED] > 0 and states[Report.State.DRAFT] > 0
    assert 0.05 < past.filter(is_late=True).count() / past.count() < 0.3
    assert not past.filter(state=Report.State.RETURNED, review_comment="").exists()
    assert current.filter(state=Report.State.DRAFT, version=1).exists()
    assert current.exclude(version=1).exists()

    harbin_reviews = set(
        past.filter(unit__jurisdiction__code="harbin", reviewed_by__isnull=False).values_list(
            "reviewed_by__username", flat=True
        )
    )
    assert harbin_reviews == {"harbin-office"}
    daqing_reviews = set(
        past.filter(unit__jurisdiction__code="daqing", reviewed_by__isnull=False).values_list(
            "reviewed_by__username", flat=True
        )
    )
    assert daqing_reviews == {"demo-daqing-office"}

    # Each change keeps the time the demo gave it, not the time of seeding.
    report = past.filter(state=Report.State.ACCEPTED).order_by("id").first()
    entries = HistoryEntry.objects.filter(
        content_type__model="report", object_id=report.pk
    ).order_by("at", "id")
    assert [(e.field, e.after) for e in entries] == [
        ("progress", report.progress),
        ("status", report.status),
        ("state", Report.State.SUBMITTED),
        ("state", Report.State.ACCEPTED),
    ]
    assert entries[2].at == report.submitted_at and entries[3].at == report.reviewed_at
    assert entries[0].actor == report.updated_by and report.updated_by.username.startswith("demo-")
    # The demo accounts are as they were: only the new synthetic people cannot sign in.
    assert get_user_model().objects.get(username="office").has_usable_password()
    assert not get_user_model().objects.get(username="demo-harbin-tax").has_usable_password()


def test_a_larger_scale_adds_counties_with_the_same_pattern_and_only_once(today):
    seed("--scale", "1")
    result = seed_scale(scale=10, today=TODAY, counties=3)
    assert result.counties_created == 3
    counties = list(Jurisdiction.objects.filter(level=Jurisdiction.Level.COUNTY).order_by("id"))
    assert [c.parent.code for c in counties] == ["harbin", "qiqihar", "mudanjiang"]
    for county in counties:
        assert county.path == f"{county.parent.path}{county.pk}/"
        assert len(pattern(county)) == 36
        assert Report.objects.filter(unit__jurisdiction=county).count() == 36 * len(PERIODS)
    again = seed_scale(scale=10, today=TODAY, counties=3)
    assert (again.counties_created, again.reports_created, again.history_created) == (0, 0, 0)
    more = seed_scale(scale=10, today=TODAY, counties=4)
    assert (more.counties_created, more.assignments_created) == (1, 36)
    assert more.reports_created == 36 * len(PERIODS)


def test_a_new_half_year_leaves_the_synthetic_units_drafts_for_it(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 27, 9, 0))
    seed("--scale", "1")
    before = sorted(Report.objects.values_list("id", "state", "version"))
    time_machine.move_to(dt.datetime(2027, 2, 1, 9, 0))
    seed("--scale", "1")
    new = Report.objects.filter(period__year=2027, period__half=1)
    # Drafts for every assignment; the provincial units' history goes on, the synthetic
    # units' reports of the new period are left to their (fictional) staff.
    assert new.count() == 504
    assert new.filter(unit__code__startswith="hlj-").exclude(version=1).exists()
    assert not new.filter(unit__code__startswith="demo-").exclude(version=1).exists()
    earlier = Report.objects.exclude(period__year=2027)
    assert sorted(earlier.values_list("id", "state", "version")) == before


def test_scale_10_means_126_counties():
    from reform.demo.scale import counties_for
    from reform.plan.services import load_plan

    load_plan()
    assert counties_for(1) == 0 and counties_for(10) == 126


def test_the_scale_is_a_whole_number_from_1():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "0")


def test_no_page_of_the_bench_runs_more_queries_with_more_counties(today):
    """What `make bench` measures, in small: every page answers 200, and its SQL queries do
    not change when three counties are added below the cities."""
    seed("--scale", "1")
    small = bench.measure_pages(reps=1, min_reps=1, seconds=0)
    seed_scale(scale=10, today=TODAY, counties=3)
    large = bench.measure_pages(reps=1, min_reps=1, seconds=0)
    assert {k: v["queries"] for k, v in small.items()} == {
        k: v["queries"] for k, v in large.items()
    }
    assert small["rollup"]["data"] != large["rollup"]["data"]  # more reports behind it


def fake_pages(times_small, times_large, queries_large=20) -> dict:
    def page(times, queries):
        return {
            "address": "/",
            "data": "1 reports",
            "queries": queries,
            "shapes": ["SELECT 1"] * queries,
            "sql_seconds": 0.01,
            "bytes": 1000,
            "times": times,
        }

    return {
        1: {p.key: page(times_small, 20) for p in bench.PAGES},
        10: {p.key: page(times_large, queries_large) for p in bench.PAGES},
    }


def fake_report(pages, *, rps=(10.0, 800.0), peak_kb=90_000) -> bench.BenchReport:
    wrk = {"rps": 0, "p50_us": 1000, "p95_us": 2000, "non200": 0, "socket_errors": 0}
    export = {"rows": 100, "seconds": 1.0, "bytes": 1000, "maxrss_before_kb": peak_kb}
    return bench.BenchReport(
        title="test",
        scales=(1, 10),
        seeded={s: {"summary": "…", "seconds": 1.0} for s in (1, 10)},
        pages=pages,
        wrk={
            s: {"dashboard": wrk | {"rps": rps[0]}, "healthz": wrk | {"rps": rps[1]}}
            for s in (1, 10)
        },
        wrk_command="wrk",
        export={"xlsx": export | {"maxrss_delta_kb": 10_000}},
        healthz='{"status": "ok"}',
    )


def test_the_bench_report_says_what_is_met_and_what_is_missed_by_how_much():
    good = fake_report(fake_pages([0.010, 0.012, 0.011], [0.011, 0.013, 0.012]), rps=(300, 800))
    text = good.render()
    assert "| page | data behind it, scale 1 → 10 | queries ×1 | queries ×10 |" in text
    assert "MISSED" not in text
    assert text.count("- met:") == len(bench.PAGES) + 2 + 1 + 1

    bad = fake_report(
        fake_pages([0.010] * 3, [0.020] * 3, queries_large=22), rps=(10, 800), peak_kb=200_000
    )
    missed = [line for line in bad.render().splitlines() if line.startswith("- MISSED")]
    assert len(missed) == len(bench.PAGES) + 2 + 1 + 1
    assert "+2 queries; only at scale 10: 2× `SELECT 1…`" in missed[0]
    assert "median at scale 10 is 2.00× scale 1's" in missed[len(bench.PAGES)]
    assert "1.33× the limit" in missed[len(bench.PAGES)]
    assert "27× short of a third" in missed[-2]
    assert "peak memory 215 MB" in missed[-1] and "65 MB over" in missed[-1]


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert bench.percentile(values, 95) == 95.0
    assert bench.percentile(values, 50) == 50.0
    assert bench.percentile([3.0], 95) == 3.0
