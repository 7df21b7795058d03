"""A jurisdiction adds tasks of its own, each implementing one of the plan's 27; they sit
beside it on the plan pages and are reported on like the others."""

import pytest
from django.urls import reverse

from reform.history.services import entries_for
from reform.plan.models import Task
from reform.reports.models import Report

pytestmark = pytest.mark.django_db


def add_local(client, jurisdiction, implements, title="建设哈尔滨市涉税数据共享平台", text=""):
    return client.post(
        reverse("offices:task_new", args=[jurisdiction.pk]),
        {"implements": implements.pk, "short_title": title, "full_text": text},
    )


def test_the_harbin_office_adds_a_local_task_and_gives_it_to_a_unit(client, world, plan):
    harbin = world["harbin"]
    task_21 = Task.objects.get(number=21, jurisdiction__isnull=True)
    client.force_login(world["harbin_office"])

    add_local(client, harbin, task_21, text="依托省平台，2026年底前建成。")
    add_local(client, harbin, task_21, title="开展联合执法专项行动")

    first, second = Task.objects.filter(jurisdiction=harbin).order_by("number")
    assert (first.label, second.label) == ("21-1", "21-2")
    assert first.full_text == "建设哈尔滨市涉税数据共享平台。依托省平台，2026年底前建成。"
    assert first.section == task_21.section and first.origin == "office"
    assert entries_for(first).get(field="short_title").actor == world["harbin_office"]

    client.post(
        reverse("offices:assignment_new", args=[harbin.pk]),
        {
            "task": first.pk,
            "unit": world["harbin_tax"].pk,
            "role": "lead",
            "justification": "市领导小组决定",
        },
    )
    report = Report.objects.get(task=first)
    assert (report.unit, report.period) == (world["harbin_tax"], plan)

    # Beside task 21 on the plan pages: the task page, and Harbin's overview.
    task_page = client.get(reverse("plan:task", args=[task_21.pk])).content.decode()
    assert "21-1．" in task_page and "建设哈尔滨市涉税数据共享平台" in task_page
    overview = client.get(reverse("plan:overview")).content.decode()
    assert 'id="local-tasks-21"' in overview and "21-2．" in overview
    # ...and on the unit's own page, with its report.
    client.force_login(world["harbin_staff"])
    unit_page = client.get(reverse("reports:unit", args=[world["harbin_tax"].pk])).content.decode()
    assert f'id="report-row-{report.pk}"' in unit_page


def test_another_city_does_not_see_harbins_local_tasks_in_its_overview(client, world):
    task_21 = Task.objects.get(number=21, jurisdiction__isnull=True)
    client.force_login(world["harbin_office"])
    add_local(client, world["harbin"], task_21)

    client.force_login(world["daqing_office"])
    overview = client.get(reverse("plan:overview")).content.decode()

    assert 'id="local-tasks-21"' not in overview
    # Nor can Daqing give Harbin's local task to its units.
    local = Task.objects.get(jurisdiction=world["harbin"])
    response = client.post(
        reverse("offices:assignment_new", args=[world["daqing"].pk]),
        {"task": local.pk, "unit": world["daqing_tax"].pk, "role": "lead", "justification": "x"},
    )
    assert "is-invalid" in response.content.decode()
    assert not Report.objects.filter(task=local).exists()


def test_a_short_title_with_a_full_stop_inside_is_refused(client, world):
    client.force_login(world["harbin_office"])

    response = add_local(
        client,
        world["harbin"],
        Task.objects.get(number=3, jurisdiction__isnull=True),
        title="第一句。第二句",
    )

    assert response.status_code == 200 and 'id="form-errors"' in response.content.decode()
    assert not Task.objects.filter(jurisdiction=world["harbin"]).exists()


def test_the_office_edits_a_local_task(client, world):
    client.force_login(world["harbin_office"])
    add_local(client, world["harbin"], Task.objects.get(number=21, jurisdiction__isnull=True))
    local = Task.objects.get(jurisdiction=world["harbin"])
    task_3 = Task.objects.get(number=3, jurisdiction__isnull=True)

    client.post(
        reverse("offices:task", args=[local.pk]),
        {"implements": task_3.pk, "short_title": "新的简称", "full_text": "具体内容"},
    )

    local.refresh_from_db()
    assert (local.implements, local.section, local.label) == (task_3, task_3.section, "3-1")
    assert local.full_text == "新的简称。具体内容"
    page = client.get(reverse("offices:tasks", args=[world["harbin"].pk])).content.decode()
    assert f'id="local-task-{local.pk}"' in page
