"""Reads of the plan: one function per page, each running a fixed number of queries."""

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import Http404
from django.utils import timezone

from reform.org.models import Jurisdiction
from reform.org.selectors import Scope, change_refused

from .models import Assignment, Indicator, Milestone, Period, Plan, Section, Task


@dataclass(frozen=True)
class CurrentPeriod:
    period: Period | None
    # True when today lies after the last listed period's due date: listed reporting has
    # ended and the office should extend the list (DESIGN.md, "Reporting period").
    list_ended: bool


def current_period(*, today: dt.date | None = None) -> CurrentPeriod:
    """The latest period whose opening date has passed (or the last one, once all are past)."""
    today = today or timezone.localdate()
    period = Period.objects.filter(opens_on__lte=today).order_by("-year", "-half").first()
    if period is None:
        return CurrentPeriod(
            period=Period.objects.order_by("year", "half").first(), list_ended=False
        )
    is_last = not Period.objects.filter(opens_on__gt=period.opens_on).exists()
    return CurrentPeriod(period=period, list_ended=is_last and today > period.due_on)


AssignmentAction = Literal["view", "manage"]

# Who may take each action on an assignment they may see.
_ASSIGNMENT_ACTIONS: dict[str, Callable[[Scope, Assignment], bool]] = {
    "view": lambda scope, assignment: True,
    # Edit, close (完成销号), reopen, remove: the office of its own jurisdiction, not above.
    "manage": lambda scope, assignment: scope.can_manage_jurisdiction(assignment.jurisdiction),
}


def assignment_for(
    *, scope: Scope, assignment_id: int, action: AssignmentAction = "view"
) -> Assignment:
    """The assignment, for ``action``: 404 unless the person oversees its jurisdiction or
    works in its unit (a guessed id shows nothing), 403 when they may see it but not take
    the action."""
    allowed = _ASSIGNMENT_ACTIONS[action]
    assignment = (
        Assignment.objects.select_related(
            "task__implements",
            "task__section",
            "unit",
            "jurisdiction",
            "first_period",
            "last_period",
        )
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or not (
        scope.can_view_jurisdiction(assignment.jurisdiction) or assignment.unit_id in scope.unit_ids
    ):
        raise Http404
    if not allowed(scope, assignment):
        raise PermissionDenied(change_refused(assignment.jurisdiction))
    return assignment


def the_plan() -> Plan:
    return Plan.objects.get()


# "cooperating" sorts before "lead" alphabetically; the lead unit is always named first.
_LEAD_FIRST = Case(
    When(role=Assignment.Role.LEAD, then=Value(0)), default=Value(1), output_field=IntegerField()
)


@dataclass(frozen=True)
class PlanOverview:
    plan: Plan
    milestones: list[Milestone]
    # Each section carries ``plan_tasks``; each task ``lead_assignments`` and
    # ``cooperating_assignments`` (the province's active assignments, units loaded).
    sections: list[Section]


def plan_overview(
    *, plan: Plan | None = None, jurisdiction_ids: Collection[int] = ()
) -> PlanOverview | None:
    """The plan, its milestones, and sections 一…六 with their tasks and who does them.

    Five queries whatever the number of tasks and assignments; None before load_plan ran.
    Only the province's assignments are shown: cities and counties repeat the plan with
    their own units (三（一）), which belong on their own pages. With ``jurisdiction_ids``,
    each task also carries ``local_tasks_here``: those jurisdictions' own tasks that
    implement it (one more query).
    """
    plan = plan or Plan.objects.order_by("id").first()
    if plan is None:
        return None
    assignments = (
        Assignment.objects.filter(is_active=True, jurisdiction__level=Jurisdiction.Level.PROVINCE)
        .select_related("unit")
        .order_by(_LEAD_FIRST, "unit__order", "unit_id")
    )
    tasks = (
        Task.objects.filter(plan=plan, jurisdiction__isnull=True)
        .order_by("number")
        .prefetch_related(
            Prefetch("assignments", queryset=assignments, to_attr="province_assignments")
        )
    )
    if jurisdiction_ids:
        local = (
            Task.objects.filter(jurisdiction_id__in=list(jurisdiction_ids))
            .select_related("jurisdiction", "implements")
            .order_by("jurisdiction__level", "jurisdiction_id", "number")
        )
        tasks = tasks.prefetch_related(
            Prefetch("local_tasks", queryset=local, to_attr="local_tasks_here")
        )
    sections = list(
        Section.objects.filter(plan=plan)
        .order_by("number")
        .prefetch_related(Prefetch("tasks", queryset=tasks, to_attr="plan_tasks"))
    )
    for section in sections:
        for task in section.plan_tasks:
            _split_by_role(task, task.province_assignments)
    milestones = list(plan.milestones.order_by("year"))
    for milestone in milestones:
        # The goal sentences open with their year ("2025年基本建成…"), which the page
        # already shows beside them.
        milestone.goal_after_year = milestone.goal.removeprefix(f"{milestone.year}年")
    return PlanOverview(plan=plan, milestones=milestones, sections=sections)


def _split_by_role(task: Task, assignments: list[Assignment]) -> None:
    task.lead_assignments = [a for a in assignments if a.role == Assignment.Role.LEAD]
    task.cooperating_assignments = [a for a in assignments if a.role == Assignment.Role.COOPERATING]


@dataclass(frozen=True)
class TaskPage:
    task: Task
    # Active assignments of every jurisdiction, the province first.
    assignments: list[Assignment]
    indicators: list[Indicator]
    # Tasks that jurisdictions added to carry this one out locally.
    local_tasks: list[Task]
    previous: Task | None
    next: Task | None


def task_page(*, task_id: int) -> TaskPage | None:
    """Everything the task page shows, in six queries; None for an unknown id."""
    task = (
        Task.objects.select_related("plan", "section", "jurisdiction", "implements")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        return None
    assignments = list(
        Assignment.objects.filter(task=task, is_active=True)
        .select_related("unit", "jurisdiction", "first_period", "last_period")
        .order_by(
            "jurisdiction__level",
            "jurisdiction__order",
            "jurisdiction_id",
            _LEAD_FIRST,
            "unit__order",
            "unit_id",
        )
    )
    indicators = list(task.indicators.order_by("code"))
    local_tasks = list(
        Task.objects.filter(implements=task)
        .select_related("jurisdiction", "implements")
        .order_by("jurisdiction__level", "jurisdiction__order", "jurisdiction_id", "number")
    )
    # Neighbours among the tasks of the same list: the plan's own, or one jurisdiction's.
    siblings = Task.objects.filter(plan_id=task.plan_id).filter(
        Q(jurisdiction__isnull=True)
        if task.jurisdiction_id is None
        else Q(jurisdiction_id=task.jurisdiction_id)
    )
    siblings = siblings.select_related("implements")
    previous = siblings.filter(number__lt=task.number).order_by("-number").first()
    following = siblings.filter(number__gt=task.number).order_by("number").first()
    return TaskPage(
        task=task,
        assignments=assignments,
        indicators=indicators,
        local_tasks=local_tasks,
        previous=previous,
        next=following,
    )
