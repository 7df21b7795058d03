"""History stores codes and shows labels in the viewer's language, one entry per change."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from reform.history.models import HistoryEntry, Note
from reform.history.selectors import history_groups, note_label
from reform.history.services import entries_for, record, snapshot
from reform.org.models import Role
from reform.org.tests import factories as f
from reform.plan.services import load_plan
from reform.reports.models import Report

migration = importlib.import_module("reform.history.migrations.0002_note_and_field_codes")


@pytest.fixture
def report(db):
    load_plan()
    return Report.objects.filter(task__number=2).order_by("period__year", "period__half").first()


def test_one_save_of_several_fields_is_one_entry_with_its_fields_beneath(report):
    staff = f.person("tax-staff", (Role.STAFF, report.unit))
    staff.first_name = "省税务局经办人"
    staff.save()
    before = snapshot(report, ("status", "percent", "state"))
    report.status, report.percent, report.state = "completed", 100, "awaiting"
    record(obj=report, actor=staff, before=before, after=snapshot(report, before))
    record(obj=report, actor=None, before={"state": "awaiting"}, after={"state": "draft"})

    with translation.override("zh-hans"):
        saved, system = history_groups(entries_for(report))
        assert saved.who == "省税务局经办人" and system.who == "系统"
        assert [(c.label, c.before, c.after) for c in saved.changes] == [
            ("完成进度（%）", "", "100"),
            ("办理状态", "草稿", "待负责人审签"),
            ("推进状态", "", "已完成"),
        ]
    with translation.override("en"):
        saved, system = history_groups(entries_for(report))
        assert [c.after for c in saved.changes] == ["100", "awaiting sign-off", "completed"]
        assert system.who == "system"
    # What queries read stays a code.
    assert set(entries_for(report).values_list("after", flat=True)) >= {"awaiting", "completed"}


def test_notes_are_codes_translated_on_display(report):
    record(obj=report, note=Note.SIGNED_OFF)
    record(obj=report, note=Note.with_argument(Note.RENAMED_FROM, "2023-08-18"))
    record(obj=report, note="请补充数据。")  # a person's own words
    with translation.override("zh-hans"):
        assert [g.note for g in history_groups(entries_for(report))] == [
            "已审签",
            "自 2023-08-18 起更名",
            "请补充数据。",
        ]
    with translation.override("en"):
        assert note_label("signed_off") == "signed off"
        assert note_label("renamed_from:2023-08-18") == "renamed from 2023-08-18"
        assert note_label("evidence removed by hand") == "evidence removed by hand"


def test_the_migration_turns_translated_notes_and_fields_back_into_codes(report):
    rows = [
        HistoryEntry.objects.create(content_type_id=1, object_id=1, note=note, field=name)
        for note, name in (
            ("已审签", ""),
            ("signed off", ""),
            ("领导小组办公室退回", ""),
            ("自 2023-08-18 起更名", ""),
            ("已向 a@example.gov.cn 发送设置密码邮件", ""),
            ("", "佐证材料"),
            ("请补充数据。", ""),
        )
    ]
    migration.to_codes(apps, None)
    assert [
        (r.note, r.field) for r in HistoryEntry.objects.filter(pk__in=[r.pk for r in rows])
    ] == [
        ("signed_off", ""),
        ("signed_off", ""),
        ("returned", ""),
        ("renamed_from:2023-08-18", ""),
        ("password_email:a@example.gov.cn", ""),
        ("", "evidence"),
        ("请补充数据。", ""),
    ]


def test_the_migration_gives_the_rows_of_one_old_change_one_moment(report):
    import datetime as dt

    from django.utils import timezone

    start = timezone.now() - dt.timedelta(days=1)
    made = [
        HistoryEntry.objects.create(
            content_type_id=1, object_id=7, field=name, at=start + dt.timedelta(microseconds=n)
        )
        for n, name in enumerate(("percent", "progress", "status"))
    ]
    later = HistoryEntry.objects.create(
        content_type_id=1, object_id=7, field="state", at=start + dt.timedelta(minutes=3)
    )
    migration.one_moment_per_change(apps, None)
    moments = dict(
        HistoryEntry.objects.filter(pk__in=[*(m.pk for m in made), later.pk]).values_list(
            "field", "at"
        )
    )
    assert moments["percent"] == moments["progress"] == moments["status"] == start
    assert moments["state"] == start + dt.timedelta(minutes=3)
