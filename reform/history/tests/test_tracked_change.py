"""A tracked change: the row locked, checked, changed, saved and recorded as one change, the
model's hooks run once in the same transaction; or, when nothing changed, nothing at all."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reform.history.models import HistoryEntry
from reform.history.services import (
    entries_for,
    register_change_hook,
    tracked_change,
    unregister_change_hook,
)
from reform.offices.services import assignment_update, person_update, unit_update
from reform.org.models import Role
from reform.org.tests import factories as f
from reform.plan.models import Assignment
from reform.plan.services import load_plan
from reform.reports.models import Report
from reform.reports.services import (
    ReportChanges,
    ReportError,
    measure_add,
    measure_update,
    report_save,
)

FIELDS = ("status", "percent", "progress")


@pytest.fixture
def report(db):
    load_plan()
    return Report.objects.filter(task__number=2).order_by("period__year", "period__half").first()


@pytest.fixture
def staff(report):
    return f.person("tax-staff", (Role.STAFF, report.unit))


@pytest.fixture
def hook_calls():
    """Every call of a hook registered for reports, with what it saw when it ran."""
    calls = []

    def hook(change):
        calls.append(
            {
                "version in the database": Report.objects.get(pk=change.row.pk).version,
                "history rows": entries_for(change.row).count(),
                "fields": sorted(e.field for e in change.entries),
                "in a transaction": connection.in_atomic_block,
            }
        )

    register_change_hook(Report, hook)
    register_change_hook(Report, hook)  # twice: still one call per change
    yield calls
    unregister_change_hook(Report, hook)


def change_report(report, actor, **values):
    with tracked_change(
        Report, pk=report.pk, fields=FIELDS, actor=actor, version_field="version"
    ) as change:
        for name, value in values.items():
            setattr(change.row, name, value)
    return change


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]


def test_a_change_is_saved_once_with_one_new_version_and_recorded_as_one_moment(report, staff):
    change = change_report(report, staff, percent=40, progress="已完成平台上线。")

    assert change.changed
    saved = Report.objects.get(pk=report.pk)
    assert (saved.version, saved.percent, saved.progress) == (2, 40, "已完成平台上线。")
    rows = list(entries_for(report))
    assert [(e.field, e.before, e.after) for e in rows] == [
        ("percent", "", "40"),
        ("progress", "", "已完成平台上线。"),
    ]
    assert {e.at for e in rows} == {rows[0].at} and {e.actor for e in rows} == {staff}


def test_a_change_that_changes_nothing_writes_nothing(report, staff):
    with CaptureQueriesContext(connection) as queries:
        change = change_report(report, staff, percent=None, progress="")

    assert not change.changed
    assert writes(queries.captured_queries) == []
    assert Report.objects.get(pk=report.pk).version == 1
    assert not entries_for(report).exists()


def test_a_refusal_raised_in_the_block_writes_nothing(report, staff, hook_calls):
    with pytest.raises(ReportError):
        with tracked_change(
            Report, pk=report.pk, fields=FIELDS, actor=staff, version_field="version"
        ) as change:
            change.row.percent = 40
            raise ReportError("refused")

    assert Report.objects.get(pk=report.pk).percent is None
    assert not entries_for(report).exists()
    assert hook_calls == []


def test_a_registered_hook_runs_once_per_real_change_after_the_save_and_the_history(
    report, staff, hook_calls
):
    change_report(report, staff, percent=40)
    change_report(report, staff, percent=40)  # the same value again: no change, no hook
    change_report(report, staff, progress="已完成平台上线。")

    assert hook_calls == [
        {
            "version in the database": 2,
            "history rows": 1,
            "fields": ["percent"],
            "in a transaction": True,
        },
        {
            "version in the database": 3,
            "history rows": 2,
            "fields": ["progress"],
            "in a transaction": True,
        },
    ]


def test_a_hook_runs_in_the_changes_transaction_a_failing_hook_undoes_the_change(report, staff):
    def failing(change):
        raise RuntimeError("the hook failed")

    register_change_hook(Report, failing)
    try:
        with pytest.raises(RuntimeError):
            change_report(report, staff, percent=40)
    finally:
        unregister_change_hook(Report, failing)

    saved = Report.objects.get(pk=report.pk)
    assert (saved.version, saved.percent) == (1, None)
    assert not entries_for(report).exists()


def test_values_kept_elsewhere_count_into_the_same_change(report, staff):
    # Without a version to bump and with none of its fields changed, the row is not saved.
    with CaptureQueriesContext(connection) as queries:
        with tracked_change(Report, pk=report.pk, fields=FIELDS, actor=staff) as change:
            change.also("evidence", after="进展情况.pdf")
            change.also("mobile", before="13800000000", after="13800000000")  # the same
    assert [sql.split()[0] for sql in writes(queries.captured_queries)] == ["INSERT"]
    assert [(e.field, e.after) for e in entries_for(report)] == [("evidence", "进展情况.pdf")]

    # With a version, a value kept elsewhere is a new version of the row.
    with tracked_change(
        Report, pk=report.pk, fields=FIELDS, actor=staff, version_field="version"
    ) as change:
        change.also("平均办理时间", before="", after="5.5")
    assert Report.objects.get(pk=report.pk).version == 2


# --- the services: a form saved unchanged is no change -----------------------------------------


def test_saving_the_report_form_unchanged_writes_no_history_and_no_new_version(
    report, staff, hook_calls
):
    form = ReportChanges(Report.Status.ON_TRACK, 60, "已完成平台上线。", "", "继续推广。", {})

    def save(version):
        return report_save(report=report, actor=staff, changes=form, base_version=version)

    assert save(1).version == 2
    rows = entries_for(report).count()
    assert save(2).version == 2
    assert entries_for(report).count() == rows
    assert len(hook_calls) == 1


def test_the_office_saving_forms_unchanged_writes_no_history(report, staff):
    office = f.person("office", (Role.OFFICE, report.unit.jurisdiction))
    staff.first_name = "省税务局经办人"
    staff.save()
    unit = report.unit
    assignment = Assignment.objects.select_related("first_period", "last_period").get(
        pk=report.assignment_id
    )
    before = HistoryEntry.objects.count()

    unit_update(unit=unit, actor=office, group_role=unit.group_role, order=unit.order)
    person_update(user=staff, actor=office, name=staff.first_name, email=staff.email)
    as_it_is = {
        name: getattr(assignment, name)
        for name in ("role", "justification", "first_period", "last_period")
    }
    assignment_update(assignment=assignment, actor=office, **as_it_is)
    measure = measure_add(
        assignment=assignment, actor=staff, title="制定方案", due_on=dt.date(2026, 1, 31)
    )
    as_it_is = {name: getattr(measure, name) for name in ("title", "due_on", "done_on")}
    measure_update(measure=measure, actor=staff, base_version=1, **as_it_is)

    # Only the measure's creation was recorded; the loader still owns the assignment.
    assert HistoryEntry.objects.count() - before == len(entries_for(measure))
    assert {e.action for e in entries_for(measure)} == {HistoryEntry.Action.CREATE}
    assert not Assignment.objects.get(pk=assignment.pk).changed_by_office


def test_what_must_follow_the_saved_row_runs_after_change_save_in_the_block(report, staff):
    with tracked_change(
        Report, pk=report.pk, fields=FIELDS, actor=staff, version_field="version"
    ) as change:
        change.row.percent = 40
        assert change.save() is True
        # Still in the block (the same transaction): the row is saved, its history written.
        assert Report.objects.get(pk=report.pk).version == 2
        assert entries_for(report).count() == 1
    # The block's end writes nothing more.
    assert Report.objects.get(pk=report.pk).version == 2
    assert entries_for(report).count() == 1
