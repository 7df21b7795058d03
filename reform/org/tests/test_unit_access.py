"""One access helper for a unit (org.selectors.unit_for): the unit, for one action; 404 for
a unit the person may not see, 403 for an action they may not take on one they see."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reform.org.models import Role
from reform.org.selectors import scope_for, unit_for
from reform.org.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def world():
    province = f.jurisdiction("黑龙江省")
    harbin = f.jurisdiction("哈尔滨市", parent=province)
    tax = f.unit("省税务局", jurisdiction=province)
    harbin_tax = f.unit("哈尔滨市税务局", jurisdiction=harbin)
    people = {
        "tax_staff": f.person("tax-staff", (Role.STAFF, tax)),
        "office": f.person("office", (Role.OFFICE, province)),
        "leader": f.person("leader", (Role.LEADERSHIP, province)),
        "harbin_office": f.person("harbin-office", (Role.OFFICE, harbin)),
        # Staff of the tax bureau who also sits in Harbin's office: neither role reaches
        # the other's objects.
        "both": f.person("both", (Role.STAFF, tax), (Role.OFFICE, harbin)),
    }
    return people, {"tax": tax, "harbin_tax": harbin_tax}


def ask(user, unit, action="view"):
    return unit_for(scope=scope_for(user, today=TODAY), unit_id=unit.pk, action=action)


def test_a_unit_outside_the_persons_scope_is_not_found(world):
    people, units = world
    with pytest.raises(Http404):
        ask(people["tax_staff"], units["harbin_tax"])
    with pytest.raises(Http404):
        ask(people["harbin_office"], units["tax"], "manage")
    with pytest.raises(Http404):
        unit_for(scope=scope_for(people["office"], today=TODAY), unit_id=0)


def test_an_action_the_person_may_not_take_on_a_unit_they_see_is_refused(world):
    people, units = world
    # The provincial office reads a Harbin unit; Harbin's own office manages and urges it.
    with pytest.raises(PermissionDenied, match="哈尔滨市"):
        ask(people["office"], units["harbin_tax"], "manage")
    with pytest.raises(PermissionDenied):
        ask(people["office"], units["harbin_tax"], "urge")
    # Offices and leadership read a unit's timetable; only its own people change it.
    with pytest.raises(PermissionDenied):
        ask(people["leader"], units["tax"], "edit_work")
    # The unit's own staff see their unit, but not its office pages, nor change it there.
    with pytest.raises(PermissionDenied):
        ask(people["both"], units["tax"], "oversee")
    with pytest.raises(PermissionDenied):
        ask(people["both"], units["tax"], "manage")


def test_an_allowed_action_gets_the_unit_with_its_jurisdiction(world, django_assert_num_queries):
    people, units = world
    scope = scope_for(people["harbin_office"], today=TODAY)
    with django_assert_num_queries(1):
        unit = unit_for(scope=scope, unit_id=units["harbin_tax"].pk, action="manage")
        assert unit.jurisdiction.name == "哈尔滨市"
    assert ask(people["tax_staff"], units["tax"], "edit_work") == units["tax"]
    assert ask(people["both"], units["tax"], "view") == units["tax"]
    assert ask(people["both"], units["harbin_tax"], "manage") == units["harbin_tax"]
    assert ask(people["leader"], units["harbin_tax"], "oversee") == units["harbin_tax"]
    assert ask(people["office"], units["tax"], "urge") == units["tax"]
