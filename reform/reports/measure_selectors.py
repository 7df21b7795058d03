"""Reads of the timetable and roadmap page (时间表、路线图, the plan's 三（一）).

Everything the page shows comes from ``measures_page`` in a fixed number of queries (the
assignments with their tasks, then all their measures), whatever the number of rows.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from reform.org.models import Unit
from reform.org.selectors import Scope
from reform.plan.models import Assignment

from .models import Measure

# The reform years the plan covers (2021–2025, milestones 2022, 2023 and 2025); the timeline
# always shows them, and later years only when a measure falls there.
REFORM_FIRST_YEAR = 2021
REFORM_LAST_YEAR = 2025


def _half_of(day: dt.date) -> int:
    return 1 if day.month <= 6 else 2


@dataclass
class TimelineHalf:
    year: int
    half: int
    is_current: bool
    measures: list[Measure] = field(default_factory=list)


@dataclass
class TimelineYear:
    year: int
    halves: tuple[TimelineHalf, TimelineHalf]


@dataclass
class AssignmentMeasures:
    assignment: Assignment
    measures: list[Measure]
    add_form: object = None  # set by the view
    add_open: bool = False  # the add form stays unfolded after an add, for the next one


@dataclass
class MeasuresPage:
    unit: Unit
    today: dt.date
    can_edit: bool
    assignments: list[AssignmentMeasures]
    timeline: list[TimelineYear]

    @property
    def all_measures(self) -> list[Measure]:
        return [m for entry in self.assignments for m in entry.measures]

    @property
    def done_count(self) -> int:
        return sum(1 for m in self.all_measures if m.done_on is not None)

    @property
    def overdue_count(self) -> int:
        return sum(1 for m in self.all_measures if m.overdue)

    def entry_for(self, assignment_id: int) -> AssignmentMeasures | None:
        return next((e for e in self.assignments if e.assignment.pk == assignment_id), None)

    def measure(self, measure_id: int) -> Measure | None:
        return next((m for m in self.all_measures if m.pk == measure_id), None)


def mark_overdue(measure: Measure, today: dt.date) -> Measure:
    """Templates cannot pass ``today`` to ``is_overdue``: store the answer on the row."""
    measure.overdue = measure.is_overdue(today)
    return measure


def _timeline(measures: list[Measure], today: dt.date) -> list[TimelineYear]:
    """Every reform year with its two halves, each measure placed in the half it is due."""
    years = {m.due_on.year for m in measures}
    first = min(years | {REFORM_FIRST_YEAR})
    last = max(years | {REFORM_LAST_YEAR})
    current = (today.year, _half_of(today))
    halves = {
        (year, half): TimelineHalf(year=year, half=half, is_current=(year, half) == current)
        for year in range(first, last + 1)
        for half in (1, 2)
    }
    for measure in sorted(measures, key=lambda m: (m.due_on, m.pk)):
        halves[(measure.due_on.year, _half_of(measure.due_on))].measures.append(measure)
    return [
        TimelineYear(year=year, halves=(halves[(year, 1)], halves[(year, 2)]))
        for year in range(first, last + 1)
    ]


def measures_page(*, unit: Unit, scope: Scope, today: dt.date | None = None) -> MeasuresPage:
    """The unit's active assignments, each with its measures, and the timeline: two queries."""
    today = today or timezone.localdate()
    assignments = list(
        Assignment.objects.filter(unit=unit, is_active=True)
        .select_related("task__implements")
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=Measure.objects.order_by("due_on", "id"),
                to_attr="measure_list",
            )
        )
        .order_by("task__jurisdiction_id", "task__number", "role", "id")
    )
    entries = [
        AssignmentMeasures(assignment=a, measures=[mark_overdue(m, today) for m in a.measure_list])
        for a in assignments
    ]
    return MeasuresPage(
        unit=unit,
        today=today,
        can_edit=scope.can_edit_unit_work(unit),
        assignments=entries,
        timeline=_timeline([m for e in entries for m in e.measures], today),
    )


def assignment_of_unit(*, unit: Unit, assignment_id: int) -> Assignment:
    """One of the unit's active assignments, else 404 (a guessed id shows nothing)."""
    assignment = (
        Assignment.objects.select_related("task__implements")
        .filter(pk=assignment_id, unit=unit, is_active=True)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def measure_of_unit(*, unit: Unit, measure_id: int) -> Measure:
    """A measure of one of the unit's active assignments, else 404: another unit's measure id
    in this unit's address shows nothing."""
    measure = (
        Measure.objects.select_related("assignment__task__implements")
        .filter(pk=measure_id, assignment__unit=unit, assignment__is_active=True)
        .first()
    )
    if measure is None:
        raise Http404
    return measure


def last_change(measure: Measure):
    """The latest change of a measure: who made it (``who``, 系统 for the system), and when
    (``at``), shown on a conflict; None before any."""
    from reform.history.selectors import history_groups
    from reform.history.services import entries_for

    latest = entries_for(measure).order_by("-at", "-id").first()
    return history_groups([latest])[0] if latest else None
