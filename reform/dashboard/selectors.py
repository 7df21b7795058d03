"""Reads of the dashboard: everything the office's overview shows, and the lists behind it.

Every number comes from an aggregate query (``values`` + ``annotate(Count(..., filter=Q))``)
over ``Filters.reports()``, never from a loop of per-row queries, so the page runs the same
queries for 2 units as for 50 across any number of periods and lower jurisdictions (DESIGN.md,
"Pages stay fast as the data grows"). A number and the list it links to use the same
``which_filters`` entry, so the list always has exactly that many rows.
"""

import dataclasses
import datetime as dt
import functools
import operator
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reform.history.models import HistoryEntry
from reform.org.models import Jurisdiction, Unit
from reform.org.selectors import Scope
from reform.plan.models import Assignment, Milestone, Period, Section
from reform.reports.models import Report

from .filters import LIGHTS, NOT_SUBMITTED, SUBMITTED_STATES, Filters

LIGHT_LABELS = {
    Report.Status.COMPLETED: Report.Status.COMPLETED.label,
    Report.Status.ON_TRACK: Report.Status.ON_TRACK.label,
    Report.Status.LAGGING: Report.Status.LAGGING.label,
    Report.Status.NOT_STARTED: Report.Status.NOT_STARTED.label,
    NOT_SUBMITTED: _("not submitted"),
}
# Bootstrap colour of each light, and a symbol so the light reads without colour too.
LIGHT_COLOURS = {
    Report.Status.COMPLETED: "success",
    Report.Status.ON_TRACK: "info",
    Report.Status.LAGGING: "danger",
    Report.Status.NOT_STARTED: "warning",
    NOT_SUBMITTED: "secondary",
}
LIGHT_SYMBOLS = {
    Report.Status.COMPLETED: "✓",
    Report.Status.ON_TRACK: "●",
    Report.Status.LAGGING: "▲",
    Report.Status.NOT_STARTED: "○",
    NOT_SUBMITTED: "–",
}


def light_q(light: str) -> Q:
    """The reports showing ``light``: the same test as ``Filters.reports`` applies for status."""
    if light == NOT_SUBMITTED:
        return ~Q(state__in=SUBMITTED_STATES)
    return Q(state__in=SUBMITTED_STATES, status=light)


# The light of one report in SQL, agreeing with ``light_q``.
LIGHT = Case(
    When(~Q(state__in=SUBMITTED_STATES), then=Value(NOT_SUBMITTED)),
    default=F("status"),
    output_field=CharField(),
)


def _returned_ever() -> Exists:
    """The office returned the report at least once (a returned report may since have been
    resubmitted and accepted, so its state alone forgets the return; the history keeps it)."""
    return Exists(
        HistoryEntry.objects.filter(
            content_type__app_label="reports",
            content_type__model="report",
            object_id=OuterRef("pk"),
            field="state",
            after=Report.State.RETURNED,
        )
    )


# The numbers of the page and the lists behind them: "which" → the reports it counts.
TOTALS = ("expected", "submitted", "accepted", "returned", "not_submitted", "late")
WHICH_LABELS = {
    "expected": _("Expected"),
    "submitted": _("Submitted"),
    "accepted": _("Accepted"),
    "returned": pgettext_lazy("dashboard total", "Returned"),
    "not_submitted": _("Not submitted"),
    "late": _("Late"),
    "due": _("Due so far"),
    "on_time": _("On time"),
    "overdue": _("Overdue, never submitted"),
    "ever_returned": _("Returned at least once"),
}


def which_filters(today: dt.date) -> dict[str, Q]:
    submitted = Q(state__in=SUBMITTED_STATES)
    return {
        "expected": Q(),
        "submitted": submitted,
        "accepted": Q(state=Report.State.ACCEPTED),
        # Returned now and waiting for the unit to correct and resubmit.
        "returned": Q(state=Report.State.RETURNED),
        "not_submitted": ~submitted,
        # First submitted after the unit's date (DESIGN.md, "Late").
        "late": Q(is_late=True),
        # Rankings: a report counts once submitted or once its date has passed.
        "due": Q(first_submitted_at__isnull=False) | Q(due_on__lt=today),
        "on_time": Q(first_submitted_at__isnull=False, is_late=False),
        "overdue": Q(first_submitted_at__isnull=True, due_on__lt=today),
        "ever_returned": Q(state=Report.State.RETURNED) | Q(_returned_ever()),
    }


def _counts(names, today: dt.date) -> dict:
    which = which_filters(today)
    return {name: Count("pk", filter=which[name] or None) for name in names}


def _light_counts(of: str = "pk", *, distinct: bool = False) -> dict:
    return {light: Count(of, filter=light_q(light), distinct=distinct) for light in LIGHTS}


# --- the reports on screen ---------------------------------------------------------------------


def _key(period: Period) -> tuple[int, int]:
    return (period.year, period.half)


def periods_upto(filters: Filters) -> list[Period]:
    """The periods up to and including the one on screen, oldest first."""
    return [p for p in filters.periods if _key(p) <= _key(filters.period)]


def _union(querysets: list[QuerySet]) -> QuerySet:
    # One query with the conditions OR-ed, whatever the number of periods.
    return functools.reduce(operator.or_, querysets) if querysets else Report.objects.none()


def reports_of(
    filters: Filters, *, below: bool = False, span: bool = False, role: str = ""
) -> QuerySet:
    """The reports behind the numbers: the period on screen (or, with ``span``, every period
    up to it), the jurisdiction's own units (or, with ``below``, its whole subtree)."""
    periods = periods_upto(filters) if span else [filters.period]
    reports = _union([dataclasses.replace(filters, period=p).reports(below=below) for p in periods])
    if role:
        reports = reports.filter(role=role)
    return reports


def report_list(
    filters: Filters, *, which: str, today: dt.date, below=False, span=False, role=""
) -> QuerySet:
    """The list behind one number of the dashboard, in a stable order."""
    return (
        reports_of(filters, below=below, span=span, role=role)
        .filter(which_filters(today)[which])
        .select_related("period", "task__implements", "unit__jurisdiction")
        .prefetch_related("unit__names")
        .defer("progress", "next_steps", "review_comment")
        .order_by(
            "-period__year",
            "-period__half",
            "unit__jurisdiction__level",
            "unit__jurisdiction__order",
            "unit__order",
            "unit_id",
            "task__number",
            "pk",
        )
    )


# --- the page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    value: int
    href: str


@dataclass
class Total:
    key: str
    label: str
    number: Number


@dataclass
class RollupRow:
    name: str
    kind: str  # "own", "child", "all"
    href: str  # the jurisdiction's own dashboard ("" for the own row and the total)
    numbers: list[Number]


@dataclass
class MatrixRow:
    unit: Unit
    name: str
    full_name: str
    cells: list  # Report (with ``light``) or None, one per task column


@dataclass
class Matrix:
    tasks: list
    section_groups: list[tuple[Section, int]]
    rows: list[MatrixRow]


@dataclass
class ProgressRow:
    label: str
    title: str
    numbers: list[Number]
    total: int
    period: Period | None = None


@dataclass
class RankRow:
    rank: int
    unit_id: int
    name: str
    numbers: dict[str, Number]
    rate: int | None  # percent, None when nothing is due yet


@dataclass
class TrendRow:
    period: Period
    expected: Number
    submitted: Number
    on_time: Number
    submitted_pct: int | None
    on_time_pct: int | None
    lights: list[Number]


@dataclass
class DashboardPage:
    filters: Filters
    ancestors: list[Jurisdiction]
    units: list[Unit]  # the jurisdiction's units, for the filter
    period_choices: list[Period]  # newest first: the periods opened so far
    sections: list[Section]
    totals: list[Total]
    rollup: list[RollupRow]
    matrix: Matrix
    by_section: list[ProgressRow]
    by_milestone: list[ProgressRow]
    lagging: list[Report]
    on_time_ranking: list[RankRow]
    returns_ranking: list[RankRow]
    trends: list[TrendRow]
    chart_data: dict = field(default_factory=dict)
    lights: list[dict] = field(default_factory=list)
    totals_headers: list[str] = field(default_factory=list)


def _list_href(filters: Filters, which: str, **overrides) -> str:
    return f"{reverse('dashboard:reports')}?{filters.query(which=which, **overrides)}"


def dashboard_href(filters: Filters, **overrides) -> str:
    return f"{reverse('dashboard:index')}?{filters.query(**overrides)}"


def _pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _lights_meta() -> list[dict]:
    return [
        {
            "key": light,
            "label": LIGHT_LABELS[light],
            "colour": LIGHT_COLOURS[light],
            "symbol": LIGHT_SYMBOLS[light],
        }
        for light in LIGHTS
    ]


def dashboard_page(*, filters: Filters, scope: Scope, today: dt.date) -> DashboardPage:
    """Everything the dashboard shows for the filters on screen, in a fixed number of queries."""
    jurisdiction = filters.jurisdiction
    ancestor_ids = [int(pk) for pk in jurisdiction.path.strip("/").split("/")]
    ancestors = [
        j
        for j in Jurisdiction.objects.filter(pk__in=ancestor_ids).order_by("level")
        if scope.can_view_jurisdiction(j)
    ]
    units = list(Unit.objects.filter(jurisdiction=jurisdiction, is_active=True))
    sections = list(Section.objects.order_by("plan_id", "number"))
    matrix = _matrix(filters)
    # The lagging reports are cells of the matrix: the same rows, no extra query.
    lagging = sorted(
        (
            report
            for row in matrix.rows
            for report in row.cells
            if report is not None and report.light == Report.Status.LAGGING
        ),
        key=lambda r: (r.task.section.number, r.task.number, r.role != Assignment.Role.LEAD),
    )
    on_time_ranking, returns_ranking = _rankings(filters, today)
    trends = _trends(filters, today)
    return DashboardPage(
        filters=filters,
        ancestors=ancestors,
        units=units,
        period_choices=[
            p for p in reversed(filters.periods) if p.opens_on <= today or p == filters.period
        ],
        sections=sections,
        totals=_totals(filters, today),
        rollup=_rollup(filters, today),
        matrix=matrix,
        by_section=_by_section(filters, sections),
        by_milestone=_by_milestone(filters),
        lagging=lagging,
        on_time_ranking=on_time_ranking,
        returns_ranking=returns_ranking,
        trends=trends,
        chart_data=_chart_data(trends),
        lights=_lights_meta(),
        totals_headers=[WHICH_LABELS[name] for name in TOTALS],
    )


def _totals(filters: Filters, today: dt.date) -> list[Total]:
    counts = filters.reports().aggregate(**_counts(TOTALS, today))
    return [
        Total(name, WHICH_LABELS[name], Number(counts[name], _list_href(filters, name)))
        for name in TOTALS
    ]


def _rollup(filters: Filters, today: dt.date) -> list[RollupRow]:
    """The jurisdiction's own units, then one row per jurisdiction directly below (with
    everything under it), then the whole subtree."""
    jurisdiction = filters.jurisdiction
    children = list(Jurisdiction.objects.filter(parent=jurisdiction, is_active=True))
    unfiltered = dataclasses.replace(filters, unit=None)  # a unit belongs to J, not below it
    rows = (
        unfiltered.reports(below=True)
        .values("unit__jurisdiction__path")
        .annotate(**_counts(TOTALS, today))
        .order_by()
    )
    own = dict.fromkeys(TOTALS, 0)
    everything = dict.fromkeys(TOTALS, 0)
    per_child = {child.pk: dict.fromkeys(TOTALS, 0) for child in children}
    for row in rows:
        path = row["unit__jurisdiction__path"]
        for name in TOTALS:
            everything[name] += row[name]
        if path == jurisdiction.path:
            target = own
        else:
            # "/1/4/17/" below "/1/": the child is the next id on the path.
            child_id = int(path[len(jurisdiction.path) :].split("/")[0])
            target = per_child.get(child_id)
            if target is None:  # an inactive child: counted in the subtree total only
                continue
        for name in TOTALS:
            target[name] += row[name]

    def numbers(counts, view_filters, **extra):
        return [Number(counts[name], _list_href(view_filters, name, **extra)) for name in TOTALS]

    result = [
        RollupRow(
            name=str(_("%(name)s (own units)") % {"name": jurisdiction.name}),
            kind="own",
            href="",
            numbers=numbers(own, unfiltered, unit=None),
        )
    ]
    for child in children:
        result.append(
            RollupRow(
                name=child.name,
                kind="child",
                href=dashboard_href(unfiltered, jurisdiction=child.code, unit=None),
                numbers=numbers(per_child[child.pk], unfiltered, jurisdiction=child.code, below=1),
            )
        )
    if children:
        result.append(
            RollupRow(
                name=str(_("%(name)s and below") % {"name": jurisdiction.name}),
                kind="all",
                href="",
                numbers=numbers(everything, unfiltered, below=1),
            )
        )
    return result


def _matrix(filters: Filters) -> Matrix:
    """The jurisdiction's own units × tasks; each cell the unit's report with its light."""
    reports = list(
        filters.reports()
        .select_related("unit", "task__section", "task__implements")
        .prefetch_related("unit__names")
        .defer("progress", "next_steps", "review_comment")
        .annotate(light=LIGHT)
    )
    units, tasks, cells = {}, {}, {}
    for report in reports:
        units.setdefault(report.unit_id, report.unit)
        tasks.setdefault(report.task_id, report.task)
        cells[report.unit_id, report.task_id] = report
        report.colour = LIGHT_COLOURS.get(report.light, "light")
        report.symbol = LIGHT_SYMBOLS.get(report.light, "?")
        report.light_label = LIGHT_LABELS.get(report.light, "")
    task_list = sorted(
        tasks.values(), key=lambda t: (t.section.number, t.jurisdiction_id is not None, t.number)
    )
    groups: list[tuple[Section, int]] = []
    for task in task_list:
        if groups and groups[-1][0].pk == task.section_id:
            groups[-1] = (groups[-1][0], groups[-1][1] + 1)
        else:
            groups.append((task.section, 1))
    rows = []
    for unit in sorted(units.values(), key=lambda u: (u.order, u.pk)):
        name = unit.name_on(filters.period.due_on)
        rows.append(
            MatrixRow(
                unit=unit,
                name=unit.name_on(filters.period.due_on, "text") or name,
                full_name=name,
                cells=[cells.get((unit.pk, task.pk)) for task in task_list],
            )
        )
    return Matrix(tasks=task_list, section_groups=groups, rows=rows)


def _progress_numbers(counts, filters: Filters, **overrides) -> list[Number]:
    return [
        Number(
            counts.get(light, 0),
            _list_href(filters, "expected", role=Assignment.Role.LEAD, status=light, **overrides),
        )
        for light in LIGHTS
    ]


def _by_section(filters: Filters, sections: list[Section]) -> list[ProgressRow]:
    """Tasks of each section by the light of their lead unit's report (DESIGN.md: dashboards
    take a task's status from its lead unit's report)."""
    rows = {
        row["task__section_id"]: row
        for row in filters.reports()
        .filter(role=Assignment.Role.LEAD)
        .values("task__section_id")
        .annotate(**_light_counts("task_id", distinct=True))
        .order_by()
    }
    shown = [s for s in sections if filters.section is None or s.pk == filters.section.pk]
    result = []
    for section in shown:
        counts = rows.get(section.pk, {})
        numbers = _progress_numbers(counts, filters, section=section.number)
        result.append(
            ProgressRow(
                label=section.numeral,
                title=section.title,
                numbers=numbers,
                total=sum(n.value for n in numbers),
            )
        )
    return result


def milestone_period(filters: Filters, year: int) -> Period | None:
    """The period a milestone is judged on: the second half of its year, or, before that
    period, the latest one up to the period on screen (DESIGN.md, "Milestone")."""
    limit = min((year, 2), _key(filters.period))
    candidates = [p for p in filters.periods if _key(p) <= limit]
    return candidates[-1] if candidates else None


def _by_milestone(filters: Filters) -> list[ProgressRow]:
    milestones = list(Milestone.objects.order_by("plan_id", "year"))
    periods = {m.pk: milestone_period(filters, m.year) for m in milestones}
    distinct = {p.pk: p for p in periods.values() if p is not None}
    reports = _union(
        [dataclasses.replace(filters, period=p).reports() for p in distinct.values()]
    ).filter(role=Assignment.Role.LEAD)
    rows = {
        row["period_id"]: row
        for row in reports.values("period_id")
        .annotate(**_light_counts("task_id", distinct=True))
        .order_by()
    }
    result = []
    for milestone in milestones:
        period = periods[milestone.pk]
        counts = rows.get(period.pk, {}) if period else {}
        numbers = _progress_numbers(counts, filters, period=period.code if period else None)
        result.append(
            ProgressRow(
                label=str(milestone.year),
                title=milestone.goal.removeprefix(f"{milestone.year}年"),
                numbers=numbers,
                total=sum(n.value for n in numbers),
                period=period,
            )
        )
    return result


RANK_COLUMNS = ("due", "on_time", "late", "overdue", "ever_returned", "submitted")


def _rankings(filters: Filters, today: dt.date) -> tuple[list[RankRow], list[RankRow]]:
    """The jurisdiction's units ranked across the periods up to the one on screen: by the
    share of due reports submitted on time, and by how many reports the office returned."""
    across = dataclasses.replace(filters, status="")
    rows = list(
        reports_of(across, span=True)
        .values("unit_id", "unit__name", "unit__order")
        .annotate(**_counts(RANK_COLUMNS, today))
        .order_by()
    )

    def rank_row(row) -> RankRow:
        numbers = {
            name: Number(
                row[name], _list_href(across, name, unit=row["unit_id"], status=None, span=1)
            )
            for name in RANK_COLUMNS
        }
        return RankRow(
            rank=0,
            unit_id=row["unit_id"],
            name=row["unit__name"],
            numbers=numbers,
            rate=_pct(row["on_time"], row["due"]),
        )

    ranked = [rank_row(row) for row in rows]
    on_time = sorted(
        ranked,
        key=lambda r: (
            r.rate is None,
            -(r.rate or 0),
            -r.numbers["on_time"].value,
            r.numbers["late"].value,
            r.name,
        ),
    )
    returns = sorted(
        (dataclasses.replace(r) for r in ranked),
        key=lambda r: (-r.numbers["ever_returned"].value, -r.numbers["submitted"].value, r.name),
    )
    for ordered in (on_time, returns):
        for position, row in enumerate(ordered, start=1):
            row.rank = position
    return on_time, returns


def _trends(filters: Filters, today: dt.date) -> list[TrendRow]:
    """Per period up to the one on screen: submitted, on time and the mix of lights."""
    across = dataclasses.replace(filters, status="")
    rows = {
        row["period_id"]: row
        for row in reports_of(across, span=True)
        .values("period_id")
        .annotate(**_counts(("expected", "submitted", "on_time"), today), **_light_counts())
        .order_by()
    }
    result = []
    for period in periods_upto(filters):
        row = rows.get(period.pk, {})
        at = dataclasses.replace(across, period=period)

        def number(name, row=row, at=at):
            return Number(row.get(name, 0), _list_href(at, name))

        result.append(
            TrendRow(
                period=period,
                expected=number("expected"),
                submitted=number("submitted"),
                on_time=number("on_time"),
                submitted_pct=_pct(row.get("submitted", 0), row.get("expected", 0)),
                on_time_pct=_pct(row.get("on_time", 0), row.get("expected", 0)),
                lights=[
                    Number(row.get(light, 0), _list_href(at, "expected", status=light))
                    for light in LIGHTS
                ],
            )
        )
    return result


def _chart_data(trends: list[TrendRow]) -> dict:
    """What static/js/dashboard.js draws; the same numbers as the trends table."""
    return {
        "periods": [str(t.period.label) for t in trends],
        "submittedPct": [t.submitted_pct for t in trends],
        "onTimePct": [t.on_time_pct for t in trends],
        "mix": [
            {
                "key": light,
                "name": str(LIGHT_LABELS[light]),
                "values": [t.lights[i].value for t in trends],
            }
            for i, light in enumerate(LIGHTS)
        ],
        "text": {
            "submitted": str(_("Submission rate")),
            "onTime": str(_("On-time rate")),
            "rates": str(_("Submission and on-time rates")),
            "mix": str(_("Status mix")),
        },
    }
