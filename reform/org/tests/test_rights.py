"""The rights answer (org.selectors.scope_for) against DESIGN.md's table, "Who may do what"."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from reform.org.models import Jurisdiction, Membership, Role, Unit
from reform.org.selectors import scope_for
from reform.org.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def world():
    province = f.jurisdiction("黑龙江省")
    harbin = f.jurisdiction("哈尔滨市", parent=province)
    daoli = f.jurisdiction("道里区", parent=harbin)
    daqing = f.jurisdiction("大庆市", parent=province)
    tax = f.unit("省税务局", jurisdiction=province)
    police = f.unit("省公安厅", jurisdiction=province)
    harbin_tax = f.unit("哈尔滨市税务局", jurisdiction=harbin)
    daoli_tax = f.unit("道里区税务局", jurisdiction=daoli)
    daqing_tax = f.unit("大庆市税务局", jurisdiction=daqing)
    people = {
        "tax_staff": f.person("tax-staff", (Role.STAFF, tax)),
        "tax_head": f.person("tax-head", (Role.HEAD, tax)),
        "police_staff": f.person("police-staff", (Role.STAFF, police)),
        "office": f.person("office", (Role.OFFICE, province)),
        "leader": f.person("leader", (Role.LEADERSHIP, province)),
        "harbin_office": f.person("harbin-office", (Role.OFFICE, harbin)),
        "harbin_leader": f.person("harbin-leader", (Role.LEADERSHIP, harbin)),
        "nobody": f.person("nobody"),
        "former_staff": f.person(
            "former", (Role.STAFF, tax, dt.date(2022, 1, 1), dt.date(2025, 12, 31))
        ),
    }
    units = dict(
        tax=tax, police=police, harbin_tax=harbin_tax, daoli_tax=daoli_tax, daqing_tax=daqing_tax
    )
    places = dict(province=province, harbin=harbin, daoli=daoli, daqing=daqing)
    return people, units, places


def scope(user):
    return scope_for(user, today=TODAY)


def test_unit_staff_sees_and_edits_only_their_own_unit(world):
    people, units, places = world
    s = scope(people["tax_staff"])
    assert s.can_view_unit(units["tax"]) and s.can_edit_unit_work(units["tax"])
    assert not s.can_sign_off(units["tax"])
    for other in ("police", "harbin_tax", "daqing_tax"):
        assert not s.can_view_unit(units[other])
    assert not s.can_review(units["tax"])
    assert not any(s.can_view_jurisdiction(j) for j in places.values())
    assert not s.can_manage_periods()
    assert set(s.visible_units()) == {units["tax"]}


def test_unit_head_also_signs_off(world):
    people, units, _ = world
    s = scope(people["tax_head"])
    assert s.can_edit_unit_work(units["tax"]) and s.can_sign_off(units["tax"])
    assert not s.can_sign_off(units["police"])


def test_provincial_office_sees_everything_below_and_reviews_only_its_own_units(world):
    people, units, places = world
    s = scope(people["office"])
    assert all(s.can_view_unit(u) for u in units.values())
    assert set(s.visible_units()) == set(units.values())
    assert s.can_review(units["tax"]) and s.can_review(units["police"])
    # A city's reports are reviewed by the city office; the province only reads them.
    assert not s.can_review(units["harbin_tax"])
    assert not s.can_edit_unit_work(units["tax"])  # the office is not the tax bureau's staff
    assert s.can_manage_jurisdiction(places["province"])
    assert not s.can_manage_jurisdiction(places["harbin"])
    assert s.can_create_below(places["province"])
    assert s.can_manage_periods()


def test_city_office_sees_its_city_and_counties_nothing_above_or_beside(world):
    people, units, places = world
    s = scope(people["harbin_office"])
    assert set(s.visible_units()) == {units["harbin_tax"], units["daoli_tax"]}
    assert s.can_view_jurisdiction(places["harbin"]) and s.can_view_jurisdiction(places["daoli"])
    assert not s.can_view_jurisdiction(places["province"])
    assert not s.can_view_jurisdiction(places["daqing"])
    assert s.can_review(units["harbin_tax"]) and not s.can_review(units["daoli_tax"])
    assert s.can_create_below(places["harbin"]) and not s.can_create_below(places["daoli"])
    assert not s.can_manage_periods()  # one list for the province, kept by its office


def test_leadership_reads_everything_below_and_changes_nothing(world):
    people, units, places = world
    for key, visible in (
        ("leader", set(units.values())),
        ("harbin_leader", {units["harbin_tax"], units["daoli_tax"]}),
    ):
        s = scope(people[key])
        assert set(s.visible_units()) == visible
        assert not any(s.can_edit_unit_work(u) or s.can_review(u) for u in units.values())
        assert not any(s.can_manage_jurisdiction(j) for j in places.values())
        assert not s.can_manage_periods()


def test_no_membership_means_no_rights(world):
    people, units, places = world
    for user in (people["nobody"], AnonymousUser()):
        s = scope(user)
        assert not s.has_any_role
        assert not s.visible_units().exists()


def test_memberships_count_only_on_the_days_they_are_valid(world):
    people, units, _ = world
    former = people["former_staff"]
    assert scope_for(former, today=dt.date(2024, 5, 1)).can_edit_unit_work(units["tax"])
    former._reform_scope = None
    assert not scope_for(former, today=TODAY).can_view_unit(units["tax"])


def test_a_deactivated_unit_gives_its_people_no_rights(world):
    people, units, _ = world
    Unit.objects.filter(pk=units["tax"].pk).update(is_active=False)
    assert not scope(people["tax_staff"]).can_view_unit(units["tax"])


def test_a_person_with_several_memberships_has_the_union(world):
    people, units, places = world
    both = f.person("both", (Role.STAFF, units["police"]), (Role.OFFICE, places["harbin"]))
    s = scope(both)
    assert s.can_edit_unit_work(units["police"])
    assert s.can_review(units["harbin_tax"])
    assert not s.can_view_unit(units["tax"])


def test_the_scope_costs_one_query(world, django_assert_num_queries):
    people, _, _ = world
    with django_assert_num_queries(1):
        scope_for(people["office"], today=TODAY)


def test_the_database_refuses_a_membership_without_its_unit_or_jurisdiction(world):
    people, units, places = world
    user = people["nobody"]
    for bad in (
        dict(role=Role.STAFF, jurisdiction=places["harbin"]),
        dict(role=Role.OFFICE, unit=units["tax"]),
        dict(role=Role.HEAD, unit=units["tax"], jurisdiction=places["province"]),
        dict(role=Role.STAFF, unit=units["tax"], valid_from=TODAY, valid_to=dt.date(2020, 1, 1)),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(user=user, **bad)


def test_jurisdiction_paths_follow_the_tree(world):
    _, _, places = world
    assert places["daoli"].is_within(places["harbin"])
    assert places["daoli"].is_within(places["province"])
    assert not places["daqing"].is_within(places["harbin"])
    assert Jurisdiction.objects.get(pk=places["daoli"].pk).path == (
        f"/{places['province'].pk}/{places['harbin'].pk}/{places['daoli'].pk}/"
    )
