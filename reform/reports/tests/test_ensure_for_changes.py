"""A change to assignments or periods brings their drafts along, in the change's own
transaction, and touches only the reports it concerns; the daily job (``ensure_reports()``
with no arguments) still looks at everything and repairs what a change missed (DESIGN.md,
"Progress report": "missing" means "not submitted")."""

import datetime as dt

import pytest
from django.db import transaction

from reform.offices import services as offices
from reform.org.tests import factories as f
from reform.plan import services as plan_services
from reform.plan.models import Assignment, Period, Task
from reform.plan.signals import assignments_or_periods_changed
from reform.reports import tasks
from reform.reports.models import Report
from reform.reports.services import ensure_reports

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 12, 10)  # inside 2025 H2, the last period of the shipped list


def task(number: int) -> Task:
    return Task.objects.get(number=number, jurisdiction__isnull=True)


def periods_of(assignment) -> list[str]:
    return sorted(
        Report.objects.filter(assignment=assignment).values_list("period__year", "period__half")
    )


@pytest.fixture
def later(plan):
    """2026 H1, added to the list with its drafts, as the provincial office does."""
    (period,) = plan_services.extend_periods(through=dt.date(2026, 1, 1))
    return period


def test_a_new_assignment_has_its_draft_the_moment_it_exists(plan, cast):
    unit = f.unit("哈尔滨市公安局", jurisdiction=cast["harbin"])
    with transaction.atomic():
        assignment = offices.assignment_create(
            task=task(21),
            unit=unit,
            role="cooperating",
            justification="市政府分工",
            actor=cast["harbin_office"],
            today=TODAY,
        )
        # Still inside the office's transaction: nobody ever sees it without its draft.
        draft = Report.objects.get(assignment=assignment)
    assert (draft.period, draft.state, draft.role) == (plan, Report.State.DRAFT, "cooperating")
    assert draft.due_on == plan.cooperating_due_on


def test_a_change_looks_only_at_its_own_assignments_reports_and_the_daily_job_repairs(plan, cast):
    """A draft lost elsewhere is not the change's business (it does not scan everything);
    the daily job brings it back."""
    elsewhere = Report.objects.get(unit=cast["tax"], task__number=2, period=plan)
    elsewhere.delete()
    unit = f.unit("哈尔滨市公安局", jurisdiction=cast["harbin"])
    offices.assignment_create(
        task=task(21),
        unit=unit,
        role="cooperating",
        justification="市政府分工",
        actor=cast["harbin_office"],
        today=TODAY,
    )
    assert not Report.objects.filter(unit=cast["tax"], task__number=2, period=plan).exists()

    assert tasks.ensure_reports() == 1  # the 05:00 job, run here in-process
    repaired = Report.objects.get(unit=cast["tax"], task__number=2, period=plan)
    assert (repaired.state, repaired.version, repaired.role) == (Report.State.DRAFT, 1, "lead")
    assert repaired.due_on == plan.due_on


def test_closing_an_assignment_removes_its_later_untouched_drafts_only(plan, cast, later):
    customs = Assignment.objects.get(unit=cast["customs"], task__number=21)
    police = Assignment.objects.get(unit=cast["police"], task__number=21)
    tax = Assignment.objects.get(unit=cast["tax"], task__number=2)
    assert (2026, 1) in periods_of(customs)
    # Someone already wrote on the tax bureau's 2026 H1 report: it is kept when closed.
    Report.objects.filter(assignment=tax, period=later).update(progress="提前谋划", version=2)

    plan_services.assignment_close(
        assignment=customs, actor=cast["office"], note="已全面完成", today=TODAY
    )
    plan_services.assignment_close(
        assignment=tax, actor=cast["office"], note="已全面完成", today=TODAY
    )

    # The current period's report is still expected; the untouched later draft goes.
    assert Report.objects.filter(assignment=customs, period=plan).exists()
    assert not Report.objects.filter(assignment=customs, period=later).exists()
    assert Report.objects.get(assignment=tax, period=later).progress == "提前谋划"
    # The other assignments keep theirs.
    assert Report.objects.filter(assignment=police, period=later).exists()
    assert Report.objects.filter(period=later).count() == 36 - 1
    # Reopening brings the later draft back at once.
    plan_services.assignment_reopen(assignment=customs, actor=cast["office"])
    assert Report.objects.filter(assignment=customs, period=later).exists()


def test_removing_or_narrowing_an_assignment_touches_only_that_assignment(plan, cast, later):
    harbin = cast["harbin"]
    units = [f.unit(f"哈尔滨市第{i}局", jurisdiction=harbin) for i in range(2)]
    first, second = (
        offices.assignment_create(
            task=task(21),
            unit=unit,
            role="cooperating",
            justification="市政府分工",
            actor=cast["harbin_office"],
            today=TODAY,
        )
        for unit in units
    )
    assert periods_of(first) == periods_of(second) == [(2025, 2), (2026, 1)]
    # An untouched draft that is no longer expected, left over without a change signal:
    # the next change to another assignment leaves it, the daily job removes it.
    Assignment.objects.filter(pk=second.pk).update(last_period=plan)

    offices.assignment_update(
        assignment=first,
        actor=cast["harbin_office"],
        role="cooperating",
        justification="市政府分工",
        first_period=later,
        last_period=None,
    )
    assert periods_of(first) == [(2026, 1)]
    assert periods_of(second) == [(2025, 2), (2026, 1)]
    offices.assignment_remove(assignment=first, actor=cast["harbin_office"])
    assert periods_of(first) == []

    ensure_reports()
    assert periods_of(second) == [(2025, 2)]


def test_extending_the_period_list_creates_the_new_periods_drafts(plan, cast):
    customs = Assignment.objects.get(unit=cast["customs"], task__number=21)
    Assignment.objects.filter(pk=customs.pk).update(is_closed=True, last_period=plan)
    lost = Report.objects.get(unit=cast["tax"], task__number=2, period=plan)
    lost.delete()

    created = plan_services.extend_periods(through=dt.date(2026, 7, 1))

    assert [p.code for p in created] == ["2026H1", "2026H2"]
    for period in created:
        drafts = Report.objects.filter(period=period)
        assert drafts.count() == 36 - 1  # every active assignment but the closed one
        assert not drafts.filter(assignment=customs).exists()
        cooperating = drafts.filter(role="cooperating").first()
        assert cooperating.due_on == period.cooperating_due_on < period.due_on
    # Only the new periods' reports were looked at; the daily job repairs the lost draft.
    assert not Report.objects.filter(unit=cast["tax"], task__number=2, period=plan).exists()
    assert ensure_reports() == 1
    assert Report.objects.filter(unit=cast["tax"], task__number=2, period=plan).exists()


def test_the_signal_takes_ids_and_without_them_looks_at_everything(plan, cast):
    tax = Assignment.objects.get(unit=cast["tax"], task__number=2)
    police = Assignment.objects.get(unit=cast["police"], task__number=21)
    Report.objects.filter(assignment__in=[tax, police]).delete()
    earlier = Period.objects.get(year=2025, half=1)

    assignments_or_periods_changed.send(sender=Assignment, assignments=[tax.pk])
    assert len(periods_of(tax)) == Period.objects.count()
    assert periods_of(police) == []

    assignments_or_periods_changed.send(sender=Period, periods=[earlier.pk])
    assert periods_of(police) == [(2025, 1)]

    assignments_or_periods_changed.send(sender=Assignment, assignments=[])
    assert periods_of(police) == [(2025, 1)]

    assignments_or_periods_changed.send(sender=Task)  # names nothing: everything
    assert len(periods_of(police)) == Period.objects.count()
