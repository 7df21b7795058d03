"""Who may open and use the office pages, against DESIGN.md's rights table.

An office manages only its own jurisdiction and creates only the level directly below;
an object outside the user's jurisdictions answers 404; an action on an object the user
may see but not change answers 403; leadership is read-only (403 on every change); unit
people have no column here (403); only the provincial office keeps the periods.
"""

import pytest
from django.urls import reverse

from reform.org.models import ContactPerson, Membership
from reform.plan.models import Period, Task
from reform.reports.models import Report

pytestmark = pytest.mark.django_db


def management_pages(w) -> dict[str, list[str]]:
    """The pages of each kind of object, keyed by whose object it is."""
    contact = ContactPerson.objects.create(unit=w["daqing_tax"], name="联络员", email="c@d.cn")
    local = Task.objects.create(
        plan=w["daqing_lead"].task.plan,
        section=w["daqing_lead"].task.section,
        number=1,
        short_title="大庆本地任务",
        full_text="大庆本地任务。",
        jurisdiction=w["daqing"],
        implements=w["daqing_lead"].task,
        origin="office",
    )
    membership = Membership.objects.get(user=w["daqing_staff"])
    j, unit, person = w["daqing"].pk, w["daqing_tax"].pk, w["daqing_staff"].pk
    return {
        "get": [
            reverse("offices:home", args=[j]),
            reverse("offices:units", args=[j]),
            reverse("offices:unit", args=[unit]),
            reverse("offices:people", args=[j]),
            reverse("offices:person", args=[j, person]),
            reverse("offices:assignments", args=[j]),
            reverse("offices:tasks", args=[j]),
            reverse("offices:import_template", args=[j]),
        ],
        "actions": [
            reverse("offices:below_new", args=[j]),
            reverse("offices:unit_new", args=[j]),
            reverse("offices:unit", args=[unit]),
            reverse("offices:unit_rename", args=[unit]),
            reverse("offices:unit_deactivate", args=[unit]),
            reverse("offices:unit_reactivate", args=[unit]),
            reverse("offices:contact_add", args=[unit]),
            reverse("offices:contact_remove", args=[contact.pk]),
            reverse("offices:person_new", args=[j]),
            reverse("offices:person", args=[j, person]),
            reverse("offices:membership_add", args=[j, person]),
            reverse("offices:membership_end", args=[j, person, membership.pk]),
            reverse("offices:person_deactivate", args=[j, person]),
            reverse("offices:person_reactivate", args=[j, person]),
            reverse("offices:password_email", args=[j, person]),
            reverse("offices:import", args=[j]),
            reverse("offices:import_confirm", args=[j]),
            reverse("offices:assignment_new", args=[j]),
            reverse("offices:pattern_copy", args=[j]),
            reverse("offices:assignment", args=[w["daqing_lead"].pk]),
            reverse("offices:assignment_close", args=[w["daqing_lead"].pk]),
            reverse("offices:assignment_reopen", args=[w["daqing_lead"].pk]),
            reverse("offices:assignment_remove", args=[w["daqing_lead"].pk]),
            reverse("offices:task_new", args=[j]),
            reverse("offices:task", args=[local.pk]),
        ],
    }


PERIOD_PAGES = [
    lambda p: reverse("offices:periods"),
    lambda p: reverse("offices:period", args=[p.pk]),
]
PERIOD_ACTIONS = [
    lambda p: reverse("offices:period_extend"),
    lambda p: reverse("offices:period", args=[p.pk]),
    lambda p: reverse("offices:period_close", args=[p.pk]),
    lambda p: reverse("offices:period_reopen", args=[p.pk]),
]


def statuses(client, urls, method="get"):
    return {url: getattr(client, method)(url).status_code for url in urls}


def test_the_harbin_office_gets_404_for_another_citys_units_people_and_reports(client, world):
    pages = management_pages(world)
    client.force_login(world["harbin_office"])

    assert set(statuses(client, pages["get"]).values()) == {404}
    assert set(statuses(client, pages["actions"], "post").values()) == {404}
    daqing_report = Report.objects.filter(unit=world["daqing_tax"]).first()
    assert client.get(reverse("reports:report", args=[daqing_report.pk])).status_code == 404


def test_the_harbin_office_gets_404_for_the_provinces_units_people_and_reports(client, world):
    client.force_login(world["harbin_office"])
    province = world["tax"].jurisdiction

    for url in (
        reverse("offices:home", args=[province.pk]),
        reverse("offices:units", args=[province.pk]),
        reverse("offices:unit", args=[world["tax"].pk]),
        reverse("offices:people", args=[province.pk]),
        reverse("offices:person", args=[province.pk, world["tax_staff"].pk]),
        reverse("offices:assignments", args=[province.pk]),
        reverse("offices:import", args=[province.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("offices:unit_deactivate", args=[world["tax"].pk])).status_code == 404
    )
    tax_report = Report.objects.filter(unit=world["tax"]).first()
    assert client.get(reverse("reports:report", args=[tax_report.pk])).status_code == 404


def test_the_harbin_office_gets_403_on_the_period_pages(client, world):
    period = Period.objects.first()
    client.force_login(world["harbin_office"])

    assert set(statuses(client, [page(period) for page in PERIOD_PAGES]).values()) == {403}
    every_url = [p(period) for p in PERIOD_PAGES + PERIOD_ACTIONS]
    posts = statuses(client, every_url, "post")
    assert set(posts.values()) == {403}
    assert not Period.objects.filter(is_closed=True).exists()


def test_the_provincial_office_reads_harbin_but_changes_nothing_there(client, world):
    """Office of the province: sees J and below, manages only its own jurisdiction."""
    client.force_login(world["office"])
    harbin = world["harbin"]

    units = client.get(reverse("offices:units", args=[harbin.pk]))
    assert units.status_code == 200
    assert "国家税务总局哈尔滨市税务局" in units.content.decode()
    assert 'id="new-unit"' not in units.content.decode()
    assert client.get(reverse("offices:unit_new", args=[harbin.pk])).status_code == 403
    response = client.post(
        reverse("offices:unit_new", args=[harbin.pk]), {"name": "哈尔滨市公安局"}
    )
    assert response.status_code == 403
    assert not harbin.units.filter(name="哈尔滨市公安局").exists()
    # It creates Harbin's counties? No: only the level directly below its own.
    assert client.get(reverse("offices:below_new", args=[harbin.pk])).status_code == 403


def test_leadership_reads_and_gets_403_on_every_management_action(client, world):
    """The province's leadership sees Daqing (below it) but changes nothing anywhere."""
    pages = management_pages(world)
    client.force_login(world["leader"])

    assert set(statuses(client, pages["get"]).values()) == {200}
    posts = statuses(client, pages["actions"] + pages["get"], "post")
    assert set(posts.values()) == {403}, posts
    period = Period.objects.first()
    assert set(statuses(client, [a(period) for a in PERIOD_ACTIONS], "post").values()) == {403}
    assert world["daqing_tax"].__class__.objects.get(pk=world["daqing_tax"].pk).is_active


def test_city_leadership_gets_403_on_actions_in_its_own_city(client, world):
    client.force_login(world["harbin_leader"])
    harbin = world["harbin"]

    assert client.get(reverse("offices:people", args=[harbin.pk])).status_code == 200
    for url in (
        reverse("offices:unit_new", args=[harbin.pk]),
        reverse("offices:person_new", args=[harbin.pk]),
        reverse("offices:import", args=[harbin.pk]),
        reverse("offices:below_new", args=[harbin.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url


@pytest.mark.parametrize("who", ["tax_staff", "tax_head", "daqing_staff", "police_staff"])
def test_unit_people_get_403_on_the_management_pages(client, world, who):
    pages = management_pages(world)
    own_jurisdiction = world["tax"].jurisdiction if who != "daqing_staff" else world["daqing"]
    client.force_login(world[who])

    assert client.get(reverse("offices:index")).status_code == 403
    assert client.get(reverse("offices:home", args=[own_jurisdiction.pk])).status_code == 403
    assert set(statuses(client, pages["get"]).values()) == {403}
    assert set(statuses(client, pages["actions"], "post").values()) == {403}
    period = Period.objects.first()
    assert set(statuses(client, [p(period) for p in PERIOD_PAGES]).values()) == {403}


@pytest.mark.parametrize(
    "who", ["tax_staff", "police_staff", "office", "leader", "harbin_office", "daqing_staff"]
)
def test_everyone_signed_in_still_reads_the_plan_pages(client, world, who):
    client.force_login(world[who])

    assert client.get(reverse("plan:overview")).status_code == 200
    assert client.get(reverse("plan:task", args=[world["daqing_lead"].task_id])).status_code == 200


def test_an_office_posting_to_a_list_page_is_told_it_only_shows(client, world):
    client.force_login(world["harbin_office"])

    response = client.post(reverse("offices:units", args=[world["harbin"].pk]))

    assert response.status_code == 405


def test_the_manage_menu_is_for_office_people(client, world):
    client.force_login(world["harbin_office"])
    page = client.get(reverse("plan:overview")).content.decode()
    assert 'id="nav-manage"' in page
    assert client.get(reverse("offices:index")).url == reverse(
        "offices:home", args=[world["harbin"].pk]
    )

    client.force_login(world["tax_staff"])
    assert 'id="nav-manage"' not in client.get(reverse("plan:overview")).content.decode()
