"""Stories of `load_plan`: the office reloads the plan, edits it, and never loses its own work."""

import datetime as dt
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reform.history.models import HistoryEntry
from reform.history.services import entries_for
from reform.org.models import Jurisdiction, Origin, Unit, UnitName
from reform.plan.models import Assignment, Indicator, Milestone, Period, Plan, Section, Task
from reform.plan.services import DEFAULT_PATH, extend_periods, load_plan

pytestmark = pytest.mark.django_db

PLAN_MODELS = (
    Jurisdiction,
    Unit,
    UnitName,
    Plan,
    Section,
    Task,
    Milestone,
    Indicator,
    Period,
    Assignment,
)


def all_rows() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in PLAN_MODELS}


def fixture_data() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def write_fixture(tmp_path, data: dict):
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def entry(entries: list[dict], **match) -> dict:
    return next(e for e in entries if all(e[k] == v for k, v in match.items()))


def test_loading_the_plan_twice_writes_nothing_the_second_time():
    first = load_plan()
    rows, history = all_rows(), HistoryEntry.objects.count()

    with CaptureQueriesContext(connection) as queries:
        second = load_plan()

    assert first["tasks"].created == 27 and first["assignments"].created == 36
    assert not second.changed
    assert second["tasks"].unchanged == 27 and second["assignments"].unchanged == 36
    assert all_rows() == rows
    assert HistoryEntry.objects.count() == history
    writes = [q["sql"] for q in queries if q["sql"].lstrip().startswith(("INSERT", "UPDATE"))]
    assert writes == []


def test_the_command_prints_what_it_did():
    out = StringIO()
    call_command("load_plan", stdout=out)
    assert "tasks: 27 created, 0 updated, 0 unchanged" in out.getvalue()

    out = StringIO()
    call_command("load_plan", stdout=out)
    assert "tasks: 0 created, 0 updated, 27 unchanged" in out.getvalue()
    assert "nothing written" in out.getvalue()


def test_every_assignment_the_plan_creates_has_its_history():
    load_plan()
    assignment = Assignment.objects.get(task__number=23, unit__text_name="审判机关")

    (created,) = entries_for(assignment).filter(field="justification")
    assert created.action == HistoryEntry.Action.CREATE
    assert created.actor is None and created.note == "load_plan"
    assert created.after == "审判机关要明晰司法裁判标准"


def test_an_edited_fixture_updates_the_rows_in_place(tmp_path):
    load_plan()
    section = Section.objects.get(number=2)
    task = Task.objects.get(number=7, jurisdiction__isnull=True)
    customs = Assignment.objects.get(task__number=21, unit__text_name="海关")
    data = fixture_data()
    entry(data["sections"], number=2)["title"] = "进一步优化税务执法方式（修订）"
    edited_task = entry(data["tasks"], number=7)
    edited_task["short_title"] = "健全地方税费法规和政策"
    edited_task["full_text"] = edited_task["full_text"].replace(
        "健全地方税费法规政策。", "健全地方税费法规和政策。"
    )
    entry(data["assignments"], key=customs.plan_key)["justification"] = "在情报交换方面协同"

    result = load_plan(path=write_fixture(tmp_path, data))

    assert (result["sections"].updated, result["tasks"].updated) == (1, 1)
    assert result["assignments"].updated == 1
    section.refresh_from_db()
    task.refresh_from_db()
    customs.refresh_from_db()
    assert section.title == "进一步优化税务执法方式（修订）"
    assert task.short_title == "健全地方税费法规和政策" and task.section_id == section.pk
    assert customs.justification == "在情报交换方面协同"
    assert Section.objects.count() == 6 and Task.objects.count() == 27
    assert Assignment.objects.count() == 36
    change = entries_for(customs).get(action=HistoryEntry.Action.UPDATE)
    assert change.field == "justification" and change.after == "在情报交换方面协同"
    assert change.note == "load_plan"


def test_an_assignment_the_office_closed_stays_closed(tmp_path):
    load_plan()
    closed = Assignment.objects.get(task__number=5, role=Assignment.Role.LEAD)
    closed.is_closed = True
    closed.changed_by_office = True
    closed.close_note = "已完成销号"
    closed.save()
    words = closed.justification
    data = fixture_data()
    entry(data["assignments"], key=closed.plan_key)["justification"] = "改过的依据"

    result = load_plan(path=write_fixture(tmp_path, data))

    closed.refresh_from_db()
    assert closed.is_closed and closed.close_note == "已完成销号"
    assert closed.justification == words
    assert result["assignments"].kept == 1
    assert Assignment.objects.filter(task__number=5).count() == 1


def test_an_assignment_the_office_removed_is_not_revived():
    load_plan()
    removed = Assignment.objects.get(task__number=21, unit__text_name="住建")
    removed.is_active = False
    removed.changed_by_office = True
    removed.save()

    load_plan()

    removed.refresh_from_db()
    assert not removed.is_active
    assert not Assignment.objects.filter(task__number=21, unit=removed.unit, is_active=True)


def test_a_period_the_office_closed_stays_closed_when_the_plan_changes_its_dates(tmp_path):
    load_plan()
    period = Period.objects.get(year=2022, half=1)
    period.is_closed = True
    period.closed_at = timezone.now()
    period.save()
    data = fixture_data()
    entry(data["periods"], year=2022, half=1)["cooperating_due_on"] = dt.date(2022, 6, 10)

    result = load_plan(path=write_fixture(tmp_path, data))

    period.refresh_from_db()
    assert result["periods"].updated == 1
    assert period.cooperating_due_on == dt.date(2022, 6, 10)
    assert period.is_closed and period.closed_at is not None


def test_a_unit_an_office_registered_itself_keeps_its_own_names():
    province = Jurisdiction.objects.create(
        code="hlj", name="黑龙江", level=Jurisdiction.Level.PROVINCE, origin=Origin.OFFICE
    )
    court = Unit.objects.create(
        jurisdiction=province,
        code="hlj-court",
        name="省高院",
        text_name="法院",
        origin=Origin.OFFICE,
    )

    result = load_plan()

    court.refresh_from_db()
    province.refresh_from_db()
    assert (court.name, court.text_name, court.origin) == ("省高院", "法院", Origin.OFFICE)
    assert not court.names.exists()
    assert province.name == "黑龙江"
    assert result["units"].kept == 1 and result["jurisdictions"].kept == 1
    # The plan still gives the court its part of task 23.
    assert Assignment.objects.filter(task__number=23, unit=court, is_active=True).exists()


def test_the_database_refuses_a_second_active_lead_for_a_task():
    load_plan()
    task = Task.objects.get(number=1, jurisdiction__isnull=True)
    finance = Unit.objects.get(text_name="财政")

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            task=task, unit=finance, role=Assignment.Role.LEAD, justification="—", origin="office"
        )

    # Once the office removes the tax bureau's lead, it may name another.
    Assignment.objects.filter(task=task, role=Assignment.Role.LEAD).update(is_active=False)
    Assignment.objects.create(
        task=task, unit=finance, role=Assignment.Role.LEAD, justification="—", origin="office"
    )


def test_the_peoples_bank_shows_the_name_of_the_day():
    load_plan()
    bank = Unit.objects.prefetch_related("names").get(text_name="人民银行")

    assert bank.name_on(dt.date(2022, 1, 1)) == "中国人民银行哈尔滨中心支行"
    assert bank.name_on(dt.date(2025, 1, 1)) == "中国人民银行黑龙江省分行"
    assert bank.name == "中国人民银行黑龙江省分行"
    assert bank.name_on(dt.date(2022, 1, 1), kind=UnitName.Kind.TEXT) == "人民银行"


def test_the_office_extends_the_period_list_once():
    load_plan()

    added = extend_periods(through=dt.date(2026, 11, 27))
    again = extend_periods(through=dt.date(2026, 11, 27))
    load_plan()

    assert [p.code for p in added] == ["2026H1", "2026H2"]
    assert again == []
    periods_2026 = list(Period.objects.filter(year=2026).order_by("half"))
    assert [(p.opens_on, p.due_on) for p in periods_2026] == [
        (dt.date(2026, 1, 1), dt.date(2026, 6, 25)),
        (dt.date(2026, 7, 1), dt.date(2026, 12, 25)),
    ]
    assert all(p.origin == Origin.OFFICE for p in periods_2026)
    assert all(p.cooperating_due_on < p.due_on for p in periods_2026)


def test_a_broken_fixture_leaves_the_database_as_it_was(tmp_path):
    data = fixture_data()
    data["assignments"][-1]["unit"] = "no-such-unit"

    with pytest.raises(CommandError, match="no-such-unit"):
        call_command("load_plan", path=write_fixture(tmp_path, data), stdout=StringIO())

    assert not Plan.objects.exists() and not Jurisdiction.objects.exists()
