"""The report's life: drafts for every assignment, saving, conflicts, sign-off, lateness."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from reform.history.services import entries_for
from reform.plan.models import Assignment, Period
from reform.reports.models import Report
from reform.reports.services import (
    ReportChanges,
    ReportConflict,
    ReportError,
    ensure_reports,
    report_save,
    report_send_for_sign_off,
    report_sign_off,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def changes(**overrides) -> ReportChanges:
    values = dict(
        status=Report.Status.ON_TRACK,
        percent=60,
        progress="已完成电子发票服务平台上线。",
        problems="",
        next_steps="继续推广应用。",
        indicator_values={},
    )
    values.update(overrides)
    return ReportChanges(**values)


def report_of(unit, task_number, period):
    return Report.objects.get(unit=unit, task__number=task_number, period=period)


def test_every_active_assignment_has_one_draft_per_period_and_ensure_is_idempotent(plan):
    periods = Period.objects.count()
    assert Report.objects.count() == 36 * periods
    assert ensure_reports() == 0
    assert Report.objects.count() == 36 * periods
    assert set(Report.objects.values_list("state", flat=True)) == {Report.State.DRAFT}


def test_a_cooperating_units_report_is_due_on_the_earlier_date(plan, cast):
    lead = report_of(cast["tax"], 21, plan)
    cooperating = report_of(cast["police"], 21, plan)
    assert lead.due_on == dt.date(2025, 12, 25)
    assert cooperating.due_on == plan.cooperating_due_on < lead.due_on


def test_a_closed_assignment_still_reports_for_the_current_period_but_not_after(plan, cast):
    assignment = Assignment.objects.get(unit=cast["customs"], task__number=21)
    assignment.is_closed = True
    assignment.last_period = plan
    assignment.save()
    later = Period.objects.create(
        year=2026,
        half=1,
        opens_on=dt.date(2026, 1, 1),
        due_on=dt.date(2026, 6, 25),
        cooperating_due_on=dt.date(2026, 6, 18),
        origin="office",
    )
    ensure_reports(periods=[later])
    assert Report.objects.filter(assignment=assignment, period=plan).exists()
    assert not Report.objects.filter(assignment=assignment, period=later).exists()
    assert Report.objects.filter(period=later).count() == 35


def test_staff_save_then_send_and_the_head_signs_off(plan, cast, time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 20, 10, 0, tzinfo=SHANGHAI))
    report = report_of(cast["tax"], 2, plan)
    report = report_save(
        report=report, actor=cast["tax_staff"], changes=changes(), base_version=report.version
    )
    report = report_send_for_sign_off(
        report=report, actor=cast["tax_staff"], base_version=report.version
    )
    assert report.state == Report.State.AWAITING_SIGN_OFF
    report = report_sign_off(report=report, actor=cast["tax_head"], base_version=report.version)
    assert report.state == Report.State.SUBMITTED
    assert report.submitted_by == cast["tax_head"] and not report.is_late
    fields = [(e.field, e.after) for e in entries_for(report)]
    assert ("progress", "已完成电子发票服务平台上线。") in fields
    assert ("state", "submitted") in fields
    with pytest.raises(ReportError, match="read-only"), translation.override("en"):
        report_save(
            report=report,
            actor=cast["tax_staff"],
            changes=changes(percent=70),
            base_version=report.version,
        )


def test_a_unit_without_a_head_submits_directly_and_late_after_its_earlier_date(
    plan, cast, time_machine
):
    # The police cooperate on task 21: their date is the earlier one, not December 25.
    time_machine.move_to(
        dt.datetime.combine(
            plan.cooperating_due_on + dt.timedelta(days=1), dt.time(9), tzinfo=SHANGHAI
        )
    )
    report = report_of(cast["police"], 21, plan)
    report = report_save(
        report=report, actor=cast["police_staff"], changes=changes(), base_version=report.version
    )
    report = report_send_for_sign_off(
        report=report, actor=cast["police_staff"], base_version=report.version
    )
    assert report.state == Report.State.SUBMITTED
    assert report.is_late


def test_the_second_of_two_saves_from_the_same_version_is_refused(plan, cast):
    report = report_of(cast["tax"], 3, plan)
    start = report.version
    report_save(
        report=report,
        actor=cast["tax_staff"],
        changes=changes(progress="甲的文字"),
        base_version=start,
    )
    with pytest.raises(ReportConflict) as refused:
        report_save(
            report=report,
            actor=cast["tax_head"],
            changes=changes(progress="乙的文字"),
            base_version=start,
        )
    assert refused.value.current.progress == "甲的文字"
    assert Report.objects.get(pk=report.pk).progress == "甲的文字"


def test_sending_an_incomplete_report_names_the_missing_fields_and_changes_nothing(plan, cast):
    report = report_of(cast["tax"], 4, plan)
    with pytest.raises(ReportError) as refused:
        report_send_for_sign_off(
            report=report, actor=cast["tax_staff"], base_version=report.version
        )
    assert "progress made" in str(refused.value) or "进展情况" in str(refused.value)
    assert Report.objects.get(pk=report.pk).state == Report.State.DRAFT


def test_a_closed_period_refuses_every_change(plan, cast):
    Period.objects.filter(pk=plan.pk).update(is_closed=True)
    report = report_of(cast["tax"], 5, plan)
    with pytest.raises(ReportError, match="closed"), translation.override("en"):
        report_save(
            report=report, actor=cast["tax_staff"], changes=changes(), base_version=report.version
        )
    assert Report.objects.get(pk=report.pk).progress == ""


def test_load_plan_and_extending_the_periods_create_the_drafts(plan):
    from reform.plan.services import extend_periods, load_plan

    assert Report.objects.filter(period=plan).count() == 36
    load_plan()
    assert Report.objects.count() == 36 * 9
    extend_periods(through=dt.date(2026, 11, 27))
    assert Report.objects.filter(period__year=2026).count() == 72
