"""The shipped plan and its people, a real mail server, a real Celery worker, and a clock.

The reminders are written for fixed days of 2025 H2 (due Thursday 2025-12-25; cooperating
units Thursday 2025-12-18), so every test names the day it runs on.
"""

import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker
from django.db.models import F

from config.celery_app import app
from reform.org.models import ContactPerson, Role, Unit
from reform.org.tests import factories as f
from reform.outbox.models import DeliveryAttempt, OutboxMessage
from reform.outbox.testing import private_broker
from reform.plan.models import Period
from reform.plan.services import load_plan

D = dt.date
DUE = D(2025, 12, 25)  # Thursday
COOPERATING_DUE = D(2025, 12, 18)  # Thursday, 5 working days before


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://reform.example.gov.cn"


@pytest.fixture
def plan(db):
    """The shipped plan, units, assignments and periods 2021 H2 – 2025 H2, with drafts.

    The periods before 2025 H2 are closed, as the provincial office would have done once
    their reports were in; tests that need an open earlier period reopen it.
    """
    load_plan()
    current = Period.objects.get(year=2025, half=2)
    Period.objects.exclude(pk=current.pk).update(is_closed=True)
    assert (current.due_on, current.cooperating_due_on) == (DUE, COOPERATING_DUE)
    return current


@pytest.fixture
def cast(plan):
    """The provincial tax bureau (lead of many tasks), the police (cooperating on 21 and
    23), customs (cooperating on 21), the provincial and Harbin offices, leadership."""
    tax = Unit.objects.get(code="hlj-tax")
    police = Unit.objects.get(code="hlj-police")
    customs = Unit.objects.get(code="hlj-customs")
    province = tax.jurisdiction
    harbin = province.children.get(code="harbin")
    ContactPerson.objects.create(unit=police, name="联络员", email="liaison@police.example")
    return {
        "tax": tax,
        "police": police,
        "customs": customs,
        "province": province,
        "harbin": harbin,
        "tax_staff": f.person("tax-staff", (Role.STAFF, tax)),
        "tax_head": f.person("tax-head", (Role.HEAD, tax)),
        "police_staff": f.person("police-staff", (Role.STAFF, police)),
        "customs_staff": f.person("customs-staff", (Role.STAFF, customs)),
        "office": f.person("office", (Role.OFFICE, province)),
        "leader": f.person("leader", (Role.LEADERSHIP, province)),
        "harbin_office": f.person("harbin-office", (Role.OFFICE, harbin)),
    }


# --- a real mail server ----------------------------------------------------------------------


# --- a real Celery worker ----------------------------------------------------------------------


@pytest.fixture
def worker(settings):
    """A Celery worker (solo pool, in a thread) on the real Redis broker."""
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "REDIS_URL must name a Redis for these tests"
    app.control.purge()  # what earlier tests published with no worker to take it
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


def advance_outbox_clock(delta: dt.timedelta) -> None:
    """As if ``delta`` had passed for the outbox: its schedule lives in these timestamps."""
    OutboxMessage.objects.update(
        created_at=F("created_at") - delta,
        next_attempt_at=F("next_attempt_at") - delta,
        claimed_at=F("claimed_at") - delta,
        failing_since=F("failing_since") - delta,
        sent_at=F("sent_at") - delta,
    )
    DeliveryAttempt.objects.update(
        started_at=F("started_at") - delta, finished_at=F("finished_at") - delta
    )


# --- a private Redis that a test may stop -------------------------------------------------------


@pytest.fixture
def private_redis(settings):
    with private_broker(settings) as server:
        yield server
