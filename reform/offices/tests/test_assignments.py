"""An office gives tasks to its units (provincial or local), edits, closes (完成销号),
reopens and removes assignments, and copies the provincial pattern in one step."""

import pytest
from django.urls import reverse

from reform.history.services import entries_for
from reform.org.tests import factories as f
from reform.plan.models import Assignment, Period, Task
from reform.plan.services import load_plan
from reform.reports.models import Report

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def task(number: int) -> Task:
    return Task.objects.get(number=number, jurisdiction__isnull=True)


@pytest.fixture
def harbin_units(world):
    harbin = world["harbin"]
    return {
        "tax": world["harbin_tax"],
        "police": f.unit("哈尔滨市公安局", jurisdiction=harbin, text_name="公安"),
        "market": f.unit("哈尔滨市市场监督管理局", jurisdiction=harbin, text_name="市场监管"),
        "court": f.unit("哈尔滨市中级人民法院", jurisdiction=harbin),
    }


def give(client, jurisdiction, **data):
    values = {
        "role": "cooperating",
        "justification": "市政府分工",
        "first_period": "",
        "last_period": "",
    }
    values.update(data)
    return client.post(reverse("offices:assignment_new", args=[jurisdiction.pk]), values)


def test_the_office_gives_a_task_and_a_draft_for_the_current_period_follows(
    client, world, harbin_units, plan
):
    client.force_login(world["harbin_office"])

    response = give(client, world["harbin"], task=task(21).pk, unit=harbin_units["police"].pk)

    assert response.status_code == 302
    assignment = Assignment.objects.get(unit=harbin_units["police"])
    assert (assignment.origin, assignment.first_period) == ("office", plan)  # from today on
    assert list(Report.objects.filter(assignment=assignment).values_list("period", flat=True)) == [
        plan.pk
    ]
    assert entries_for(assignment).get(field="unit").actor == world["harbin_office"]


def test_a_second_lead_in_the_same_jurisdiction_is_refused_with_a_clear_message(
    client, world, harbin_units
):
    client.force_login(world["harbin_office"])

    response = give(
        client, world["harbin"], task=task(2).pk, unit=harbin_units["police"].pk, role="lead"
    )

    html = response.content.decode()
    assert response.status_code == 200 and 'id="form-errors"' in html
    assert "国家税务总局哈尔滨市税务局" in html  # names the current lead
    assert not Assignment.objects.filter(unit=harbin_units["police"]).exists()


def test_another_citys_unit_cannot_be_chosen(client, world, harbin_units):
    client.force_login(world["harbin_office"])

    response = give(client, world["harbin"], task=task(21).pk, unit=world["daqing_tax"].pk)

    assert "is-invalid" in response.content.decode()
    assert not Assignment.objects.filter(unit=world["daqing_tax"], task__number=21).exists()


def test_an_edited_plan_assignment_is_left_alone_by_load_plan(client, cast):
    client.force_login(cast["office"])
    police_21 = Assignment.objects.get(unit=cast["police"], task__number=21)

    client.post(
        reverse("offices:assignment", args=[police_21.pk]),
        {
            "role": "cooperating",
            "justification": "省政府调整后的分工",
            "first_period": "",
            "last_period": "",
        },
    )
    load_plan()

    police_21.refresh_from_db()
    assert police_21.justification == "省政府调整后的分工" and police_21.changed_by_office
    change = entries_for(police_21).get(field="justification", actor=cast["office"])
    assert change.after == "省政府调整后的分工" and change.before.startswith("完善税务部门")


def test_close_reopen_and_remove_from_the_list(client, world, harbin_units, plan):
    lead = world["harbin_lead"]
    client.force_login(world["harbin_office"])

    closed = client.post(reverse("offices:assignment_close", args=[lead.pk]), {"note": "已完成"})
    assert closed.url == reverse("offices:assignments", args=[world["harbin"].pk])
    lead.refresh_from_db()
    assert lead.is_closed and lead.last_period == plan

    row = client.post(reverse("offices:assignment_reopen", args=[lead.pk]), **HTMX)
    assert row.status_code == 200 and f'id="assignment-row-{lead.pk}"' in row.content.decode()
    assert "<html" not in row.content.decode()
    lead.refresh_from_db()
    assert not lead.is_closed

    removed = client.post(reverse("offices:assignment_remove", args=[lead.pk]), **HTMX)
    assert "officeSaved" in removed["HX-Trigger"]
    lead.refresh_from_db()
    assert not lead.is_active and lead.changed_by_office
    assert {e.action for e in entries_for(lead)} >= {"close", "reopen", "deactivate"}
    # A removed assignment no longer counts as the task's lead: another unit can lead.
    give(client, world["harbin"], task=task(2).pk, unit=harbin_units["police"].pk, role="lead")
    assert Assignment.objects.get(unit=harbin_units["police"]).role == "lead"


def test_copying_the_provincial_pattern_in_one_step(client, world, harbin_units, plan):
    """The tax bureau leads all 27 tasks; the police and market regulation units are
    pre-ticked on the provincial tasks their departments cooperate on."""
    harbin = world["harbin"]
    client.force_login(world["harbin_office"])

    form = client.get(reverse("offices:pattern_copy", args=[harbin.pk])).context["form"]
    assert form.initial["lead_unit"] == harbin_units["tax"].pk
    assert form.initial[f"tasks_{harbin_units['police'].pk}"] == ["21", "23"]
    assert form.initial[f"tasks_{harbin_units['market'].pk}"] == ["21"]
    assert f"tasks_{harbin_units['court'].pk}" not in form.initial

    response = client.post(
        reverse("offices:pattern_copy", args=[harbin.pk]),
        {
            "lead_unit": harbin_units["tax"].pk,
            "justification": "比照省级分工",
            f"tasks_{harbin_units['police'].pk}": ["21", "23"],
            f"tasks_{harbin_units['court'].pk}": ["23"],
        },
    )

    assert response.url == reverse("offices:assignments", args=[harbin.pk])
    mine = Assignment.objects.filter(jurisdiction=harbin, is_active=True)
    assert mine.filter(unit=harbin_units["tax"], role="lead").count() == 27  # task 2 already
    assert set(mine.filter(role="cooperating").values_list("unit__name", "task__number")) == {
        ("哈尔滨市公安局", 21),
        ("哈尔滨市公安局", 23),
        ("哈尔滨市中级人民法院", 23),
    }
    assert set(mine.values_list("origin", flat=True)) == {"office"}
    # One draft per new assignment for the current period, none for the years before.
    assert Report.objects.filter(unit__jurisdiction=harbin, period=plan).count() == 30
    new = Report.objects.filter(unit__jurisdiction=harbin).exclude(assignment=world["harbin_lead"])
    assert set(new.values_list("period", flat=True)) == {plan.pk}

    # Doing it again changes nothing.
    client.post(
        reverse("offices:pattern_copy", args=[harbin.pk]),
        {"lead_unit": harbin_units["tax"].pk, "justification": "比照省级分工"},
    )
    assert mine.count() == 30


def test_the_copy_is_refused_whole_when_another_unit_already_leads_a_task(
    client, world, harbin_units
):
    harbin = world["harbin"]
    client.force_login(world["harbin_office"])

    response = client.post(
        reverse("offices:pattern_copy", args=[harbin.pk]),
        {
            "lead_unit": harbin_units["police"].pk,
            "justification": "比照省级分工",
            f"tasks_{harbin_units['court'].pk}": ["23"],
        },
    )

    html = response.content.decode()
    assert response.status_code == 200 and 'id="form-errors"' in html
    assert "国家税务总局哈尔滨市税务局" in html  # task 2's lead, named
    assert not Assignment.objects.filter(unit__in=[harbin_units["police"], harbin_units["court"]])


def test_the_lead_unit_cannot_also_cooperate(client, world, harbin_units):
    client.force_login(world["harbin_office"])

    response = client.post(
        reverse("offices:pattern_copy", args=[world["harbin"].pk]),
        {
            "lead_unit": harbin_units["tax"].pk,
            "justification": "比照省级分工",
            f"tasks_{harbin_units['tax'].pk}": ["21"],
        },
    )

    assert "invalid-feedback" in response.content.decode()
    assert Assignment.objects.filter(jurisdiction=world["harbin"]).count() == 1


def test_the_province_has_no_pattern_to_copy(client, cast):
    client.force_login(cast["office"])
    province = cast["tax"].jurisdiction

    assert client.get(reverse("offices:pattern_copy", args=[province.pk])).status_code == 403


def test_the_assignment_list_shows_the_jurisdictions_own_and_filters_by_unit(
    client, world, harbin_units
):
    give_police = Assignment.objects.create(
        task=task(21),
        unit=harbin_units["police"],
        role="cooperating",
        justification="x",
        origin="office",
    )
    client.force_login(world["harbin_office"])
    url = reverse("offices:assignments", args=[world["harbin"].pk])

    everything = client.get(url).content.decode()
    police_only = client.get(url, {"unit": harbin_units["police"].pk}).content.decode()

    assert f'assignment-row-{give_police.pk}"' in everything
    assert f'assignment-row-{world["harbin_lead"].pk}"' in everything
    assert f'assignment-row-{world["daqing_lead"].pk}"' not in everything
    assert f'assignment-row-{world["harbin_lead"].pk}"' not in police_only
    assert Period.objects.exists()
