import datetime as dt

import pytest

from reform.org.models import Role, Unit
from reform.org.tests import factories as f
from reform.plan.models import Period
from reform.plan.services import load_plan


@pytest.fixture
def plan(db):
    """The shipped plan with its provincial units, assignments and periods, plus drafts."""
    load_plan()  # creates the drafts too (ensure_reports follows every plan change)
    return Period.objects.get(year=2025, half=2)


@pytest.fixture
def cast(plan):
    """People of the provincial tax bureau (lead), the police (cooperating) and others."""
    tax = Unit.objects.get(code="hlj-tax")
    police = Unit.objects.get(code="hlj-police")
    customs = Unit.objects.get(code="hlj-customs")
    province = tax.jurisdiction
    harbin = province.children.get(code="harbin")
    return {
        "tax": tax,
        "police": police,
        "customs": customs,
        "tax_staff": f.person("tax-staff", (Role.STAFF, tax)),
        "tax_head": f.person("tax-head", (Role.HEAD, tax)),
        "police_staff": f.person("police-staff", (Role.STAFF, police)),
        "customs_staff": f.person("customs-staff", (Role.STAFF, customs)),
        "office": f.person("office", (Role.OFFICE, province)),
        "leader": f.person("leader", (Role.LEADERSHIP, province)),
        "harbin_office": f.person("harbin-office", (Role.OFFICE, harbin)),
        "harbin": harbin,
    }


TODAY = dt.date(2025, 12, 1)
