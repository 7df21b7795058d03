"""One access helper for an assignment (plan.selectors.assignment_for): 404 unless the person
oversees its jurisdiction or works in its unit; 403 for a change by anyone but the office of
its own jurisdiction (DESIGN.md: units, people and assignments of J are managed in J)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reform.org.models import Role
from reform.org.selectors import scope_for
from reform.org.tests import factories as people
from reform.plan.selectors import assignment_for
from reform.plan.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def world():
    plan = f.plan()
    task = f.task(section=f.section(plan=plan, number=1), number=1)
    harbin = f.city()
    tax = f.unit(name="省税务局")
    harbin_tax = f.unit(name="哈尔滨市税务局", jurisdiction=harbin)
    return {
        "province_lead": f.assignment(task=task, unit=tax),
        "harbin_lead": f.assignment(task=task, unit=harbin_tax),
        "tax_staff": people.person("tax-staff", (Role.STAFF, tax)),
        "office": people.person("office", (Role.OFFICE, f.province())),
        "leader": people.person("leader", (Role.LEADERSHIP, f.province())),
        "harbin_office": people.person("harbin-office", (Role.OFFICE, harbin)),
    }


def ask(user, assignment, action="view"):
    scope = scope_for(user, today=TODAY)
    return assignment_for(scope=scope, assignment_id=assignment.pk, action=action)


def test_an_assignment_outside_the_persons_scope_is_not_found(world):
    with pytest.raises(Http404):
        ask(world["harbin_office"], world["province_lead"])
    with pytest.raises(Http404):
        ask(world["tax_staff"], world["harbin_lead"], "manage")
    with pytest.raises(Http404):
        assignment_for(scope=scope_for(world["office"], today=TODAY), assignment_id=0)


def test_a_change_by_anyone_but_the_office_of_its_jurisdiction_is_refused(world):
    # The provincial office reads Harbin's assignments; Harbin's office closes them.
    with pytest.raises(PermissionDenied, match="哈尔滨市"):
        ask(world["office"], world["harbin_lead"], "manage")
    with pytest.raises(PermissionDenied):
        ask(world["leader"], world["province_lead"], "manage")
    # The unit sees its own assignment and changes none of it.
    with pytest.raises(PermissionDenied):
        ask(world["tax_staff"], world["province_lead"], "manage")


def test_an_allowed_action_gets_the_assignment_in_one_query(world, django_assert_num_queries):
    scope = scope_for(world["harbin_office"], today=TODAY)
    with django_assert_num_queries(1):
        assignment = assignment_for(
            scope=scope, assignment_id=world["harbin_lead"].pk, action="manage"
        )
        assert (assignment.task.section.number, assignment.unit.name) == (1, "哈尔滨市税务局")
        assert assignment.jurisdiction.name == "哈尔滨市" and assignment.last_period is None
    assert ask(world["tax_staff"], world["province_lead"]) == world["province_lead"]
    assert ask(world["leader"], world["harbin_lead"]) == world["harbin_lead"]
    assert ask(world["office"], world["province_lead"], "manage") == world["province_lead"]
