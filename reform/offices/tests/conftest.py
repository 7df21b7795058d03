import datetime as dt
import zoneinfo

import pytest

from reform.org.models import Jurisdiction, Role
from reform.org.tests import factories as f
from reform.plan.models import Assignment
from reform.reports.services import ensure_reports
from reform.reports.tests.conftest import cast, plan  # noqa: F401  (the shipped plan, its people)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 12, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """Inside 2025 H2, the last period of the shipped list."""
    time_machine.move_to(dt.datetime(2025, 12, 10, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def world(cast):  # noqa: F811  (the fixture imported above)
    """The provincial cast, plus Harbin's and Daqing's own units and people."""
    harbin = cast["harbin"]
    daqing = Jurisdiction.objects.get(code="daqing")
    harbin_tax = f.unit("国家税务总局哈尔滨市税务局", jurisdiction=harbin, text_name="市税务局")
    daqing_tax = f.unit("国家税务总局大庆市税务局", jurisdiction=daqing)
    task = Assignment.objects.get(unit=cast["tax"], task__number=2).task
    harbin_lead = Assignment.objects.create(
        task=task, unit=harbin_tax, role="lead", justification="本地分工", origin="office"
    )
    daqing_lead = Assignment.objects.create(
        task=task, unit=daqing_tax, role="lead", justification="本地分工", origin="office"
    )
    ensure_reports()
    return {
        **cast,
        "daqing": daqing,
        "harbin_tax": harbin_tax,
        "daqing_tax": daqing_tax,
        "harbin_lead": harbin_lead,
        "daqing_lead": daqing_lead,
        "harbin_staff": f.person("harbin-tax-staff", (Role.STAFF, harbin_tax)),
        "daqing_staff": f.person("daqing-tax-staff", (Role.STAFF, daqing_tax)),
        "daqing_office": f.person("daqing-office", (Role.OFFICE, daqing)),
        "harbin_leader": f.person("harbin-leader", (Role.LEADERSHIP, harbin)),
    }
