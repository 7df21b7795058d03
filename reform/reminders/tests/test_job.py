"""The daily job, run in-process: who gets which reminder, once, and who gets none."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from reform.outbox.models import OutboxMessage
from reform.plan.models import Assignment, Period
from reform.reminders import emails, services
from reform.reminders.models import ReminderDispatch
from reform.reminders.services import send_reminders
from reform.reports.models import Report
from reform.reports.services import ensure_reports

D = dt.date


def reminders_to(unit, **filters):
    return ReminderDispatch.objects.filter(unit=unit, **filters).select_related("message")


def submit_all(unit, period, role=None):
    reports = Report.objects.filter(unit=unit, period=period)
    if role:
        reports = reports.filter(role=role)
    reports.update(state=Report.State.SUBMITTED)


def test_each_late_unit_gets_one_email_listing_all_its_missing_tasks(plan, cast):
    submit_all(cast["customs"], plan)  # customs has reported: nothing for it
    Report.objects.filter(unit=cast["tax"], period=plan, task__number__in=[1, 2]).update(
        state=Report.State.ACCEPTED
    )

    result = send_reminders(today=D(2025, 12, 16))  # 7 working days before December 25

    [dispatch] = reminders_to(cast["tax"])
    assert (dispatch.step, dispatch.date_kind, dispatch.due_on) == ("d-7", "lead", D(2025, 12, 25))
    assert dispatch.task_count == 25
    message = dispatch.message
    assert message.kind == "reminder"
    assert message.to == ["tax-head@example.gov.cn", "tax-staff@example.gov.cn"]
    unit_id = cast["tax"].pk
    assert message.message_id == f"<reminder-2025H2-unit{unit_id}-lead-d-7@reform.example.gov.cn>"
    for number in range(3, 28):
        assert f"\n{number - 2}. {number}．" in message.body_text
    for accepted in Report.objects.filter(unit=cast["tax"], period=plan, task__number__in=[1, 2]):
        assert accepted.task.short_title not in message.body_text
    assert not reminders_to(cast["customs"]).exists()
    assert result.sent >= 2 and result.errors == 0


def test_the_job_fired_twice_on_one_day_adds_nothing(plan, cast):
    first = send_reminders(today=D(2025, 12, 22))
    count = OutboxMessage.objects.count()

    second = send_reminders(today=D(2025, 12, 22))

    assert first.sent > 0
    assert second.as_dict()["planned"] == 0 and second.sent == 0
    assert OutboxMessage.objects.count() == count


def test_a_parallel_run_that_lost_the_race_skips_the_unit(plan, cast):
    """The key is claimed in PostgreSQL: a run that planned the unit before the other run
    committed it fails on the unique key, in a savepoint, and moves on."""
    day = D(2025, 12, 22)
    from reform.reminders import selectors

    stale_plan = selectors.plan_reminders(today=day)
    send_reminders(today=day)
    before = OutboxMessage.objects.count()

    result = services.RunResult(plan=stale_plan)
    for reminder in stale_plan.reminders:
        services._run_one(
            result,
            str(reminder.unit),
            lambda r=reminder: services._dispatch_reminder(r, today=day),
        )

    assert result.skipped == len(stale_plan.reminders) > 0 and result.errors == 0
    assert OutboxMessage.objects.count() == before


def test_a_unit_with_both_dates_gets_a_separate_email_for_each(plan, cast):
    police = cast["police"]
    Assignment.objects.filter(unit=cast["tax"], task__number=5).update(is_active=False)
    Assignment.objects.create(
        task=Assignment.objects.get(task__number=5, unit=cast["tax"]).task,
        unit=police,
        role="lead",
        justification="省公安厅牵头",
        origin="office",
    )
    ensure_reports()

    # December 16: 7 working days before the lead date, and the day after the cooperating
    # units' 3-day step (December 15), which the job missed and now catches up.
    send_reminders(today=D(2025, 12, 16))

    lead, cooperating = (
        reminders_to(police, date_kind="lead").get(),
        reminders_to(police, date_kind="cooperating").get(),
    )
    assert (lead.step, lead.due_on) == ("d-7", D(2025, 12, 25))
    assert (cooperating.step, cooperating.due_on) == ("d-3", D(2025, 12, 18))
    assert "5．" in lead.message.body_text and "21．" not in lead.message.body_text
    assert "21．" in cooperating.message.body_text and "23．" in cooperating.message.body_text
    assert "配合单位" in cooperating.message.body_text
    assert "2个工作日" in cooperating.message.subject  # caught up on the 16th: 2 days left


def test_seven_working_days_late_the_office_is_copied_and_gets_its_digest(plan, cast):
    send_reminders(today=D(2025, 12, 29))  # cooperating date + 7 working days

    [notice] = reminders_to(cast["police"])
    assert notice.step == "d+7"
    assert notice.message.to == [
        "police-staff@example.gov.cn",
        "liaison@police.example",
        "office@example.gov.cn",
    ]
    assert "逾期" in notice.message.subject
    digest = ReminderDispatch.objects.get(step="digest", jurisdiction=cast["province"])
    assert digest.message.to == ["office@example.gov.cn"]
    assert "省公安厅" in digest.message.body_text and "哈尔滨海关" in digest.message.body_text
    assert "国家税务总局黑龙江省税务局" in digest.message.body_text  # 2 working days late
    assert "已逾期7个工作日" in digest.message.body_text
    # Harbin has no late unit of its own: no digest for its office.
    assert not ReminderDispatch.objects.filter(jurisdiction=cast["harbin"]).exists()


def test_working_day_plus_one_goes_to_staff_and_head_without_the_office(plan, cast):
    send_reminders(today=D(2025, 12, 26))

    [notice] = reminders_to(cast["tax"])
    assert notice.step == "d+1"
    assert notice.message.to == ["tax-head@example.gov.cn", "tax-staff@example.gov.cn"]


def test_nothing_on_a_day_off(plan, cast):
    result = send_reminders(today=D(2025, 12, 20))  # Saturday

    assert not result.plan.is_workday
    assert not ReminderDispatch.objects.exists()


def test_nothing_for_a_closed_period(plan, cast):
    Period.objects.filter(pk=plan.pk).update(is_closed=True)

    send_reminders(today=D(2025, 12, 22))
    send_reminders(today=D(2025, 12, 29))

    assert not ReminderDispatch.objects.exists() and not OutboxMessage.objects.exists()


def test_nothing_for_a_period_whose_reports_are_all_in(plan, cast):
    Report.objects.filter(period=plan).update(state=Report.State.ACCEPTED)

    send_reminders(today=D(2025, 12, 22))
    send_reminders(today=D(2025, 12, 29))

    assert not ReminderDispatch.objects.exists() and not OutboxMessage.objects.exists()


def test_an_earlier_period_still_open_sends_its_overdue_notices_only(plan, cast):
    first_half = Period.objects.get(year=2025, half=1)  # due Wednesday 2025-06-25
    Period.objects.filter(pk=first_half.pk).update(is_closed=False)

    send_reminders(today=D(2025, 7, 4))  # 2025 H2 is current; H1's lead date + 7

    [notice] = reminders_to(cast["tax"])
    assert (notice.period_id, notice.step) == (first_half.pk, "d+7")
    assert "2025年上半年" in notice.message.subject
    assert not ReminderDispatch.objects.filter(period=plan).exists()


def test_the_last_listed_periods_overdue_notices_still_go_out(plan, cast):
    assert not Period.objects.filter(year=2026).exists()

    send_reminders(today=D(2026, 1, 6))  # listed reporting has ended; H2's lead date + 7

    assert reminders_to(cast["tax"]).get().step == "d+7"


def test_a_day_the_job_could_not_run_is_caught_up_the_next_working_day(plan, cast):
    # Beat or Redis was down on Monday the 22nd (3 working days before).
    send_reminders(today=D(2025, 12, 23))
    send_reminders(today=D(2025, 12, 24))

    steps = list(reminders_to(cast["tax"]).order_by("day").values_list("day", "step"))
    assert steps == [(D(2025, 12, 23), "d-3"), (D(2025, 12, 24), "d-1")]
    caught_up = reminders_to(cast["tax"], step="d-3").get().message
    assert "还剩2个工作日" in caught_up.subject


def test_a_unit_nobody_can_be_written_to_is_logged_without_an_email(plan, cast):
    send_reminders(today=D(2025, 12, 22))

    court = ReminderDispatch.objects.get(unit__code="hlj-court")
    assert court.message is None and court.step == "d+1"  # cooperating: caught up
    send_reminders(today=D(2025, 12, 22))
    assert ReminderDispatch.objects.filter(unit__code="hlj-court").count() == 1


class Killed(BaseException):
    """What the job sees of a worker process killed mid-batch: nothing more runs."""


def test_a_job_killed_between_two_units_finishes_without_repeats_when_run_again(
    plan, cast, monkeypatch
):
    real = emails.send_unit_reminder
    calls = []

    def dies_on_the_second_unit(reminder, **kwargs):
        calls.append(reminder.unit.pk)
        if len(calls) == 2:
            raise Killed
        return real(reminder, **kwargs)

    monkeypatch.setattr(emails, "send_unit_reminder", dies_on_the_second_unit)
    with pytest.raises(Killed):
        send_reminders(today=D(2025, 12, 22))
    assert ReminderDispatch.objects.count() == 1  # the second unit's row rolled back
    monkeypatch.setattr(emails, "send_unit_reminder", real)

    send_reminders(today=D(2025, 12, 22))

    expected = set(
        Report.objects.filter(period=plan)
        .exclude(state__in=("submitted", "accepted"))
        .values_list("unit_id", "role")
    )
    keys = list(ReminderDispatch.objects.exclude(step="digest").values_list("unit_id", "date_kind"))
    assert sorted(keys) == sorted(expected)  # every unit and date once, none twice


def test_a_dry_run_prints_who_would_get_what_and_writes_nothing(plan, cast):
    out = io.StringIO()

    call_command("send_reminders", today="2025-12-29", dry_run=True, stdout=out)

    text = out.getvalue()
    assert "d+7" in text and "黑龙江省公安厅" in text and "police-staff@example.gov.cn" in text
    assert "digest" in text and "dry run" in text
    assert not ReminderDispatch.objects.exists() and not OutboxMessage.objects.exists()


def test_the_command_runs_the_same_job(plan, cast):
    out = io.StringIO()
    call_command("send_reminders", today="2025-12-22", stdout=out)
    assert reminders_to(cast["tax"]).get().step == "d-3"
    assert "written to the outbox" in out.getvalue()

    call_command("send_reminders", today="2025-12-20", stdout=out)
    assert "not a working day" in out.getvalue()
