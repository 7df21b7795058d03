import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from .models import Assignment, Period, Plan, Section, Task


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


def the_plan() -> Plan:
    return Plan.objects.get()


def plan_overview(*, plan: Plan):
    """Sections with their provincial tasks and each task's plan-wide assignments."""
    assignments = Assignment.objects.filter(is_active=True, jurisdiction__level=1).select_related(
        "unit"
    )
    tasks = (
        Task.objects.filter(jurisdiction__isnull=True)
        .order_by("number")
        .prefetch_related(
            Prefetch("assignments", queryset=assignments, to_attr="province_assignments")
        )
    )
    return (
        Section.objects.filter(plan=plan)
        .order_by("number")
        .prefetch_related(Prefetch("tasks", queryset=tasks, to_attr="plan_tasks"))
    )
