"""seed_demo: the demo accounts of DESIGN.md, their memberships, and a live period."""

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from reform.attachments.models import Attachment as Evidence
from reform.history.models import HistoryEntry
from reform.org.models import Membership
from reform.org.selectors import scope_for
from reform.plan.models import Assignment, Period
from reform.plan.selectors import current_period
from reform.reports.models import Measure, Report

pytestmark = pytest.mark.django_db

USERNAMES = {
    "office",
    "leader",
    "harbin-office",
    "tax-staff",
    "tax-head",
    "police-staff",
    "customs-staff",
}


def test_it_creates_the_demo_accounts_and_prints_them_with_the_password(capsys, settings):
    settings.DEMO_PASSWORD = "open-sesame-42"
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "open-sesame-42" in out
    for username in USERNAMES:
        assert username in out
        assert get_user_model().objects.get(username=username).check_password("open-sesame-42")


def counts():
    return (
        get_user_model().objects.count(),
        Membership.objects.count(),
        Period.objects.count(),
        HistoryEntry.objects.count(),
        Measure.objects.count(),
        Evidence.objects.count(),
        sorted(Report.objects.values_list("id", "state", "version")),
    )


def test_running_it_twice_changes_nothing():
    call_command("seed_demo")
    before = counts()
    call_command("seed_demo")
    assert counts() == before


def test_the_demo_has_a_believable_history(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 27, 9, 0))
    call_command("seed_demo")
    past = Report.objects.exclude(period__year=2026, period__half=2)
    states = Counter(past.values_list("state", flat=True))
    assert states[Report.State.ACCEPTED] > 0.7 * past.count()
    assert states[Report.State.RETURNED] > 0 and states[Report.State.DRAFT] > 0
    assert past.filter(is_late=True).exists()
    assert past.filter(state=Report.State.RETURNED).exclude(review_comment="").exists()
    current = Report.objects.filter(period__year=2026, period__half=2)
    assert current.filter(state=Report.State.AWAITING_SIGN_OFF).exists()
    assert current.filter(state=Report.State.DRAFT).exists()
    assert Measure.objects.filter(done_on__isnull=True).exists()
    evidence = Evidence.objects.first()
    assert evidence.file.read().startswith(b"%PDF-")


def test_the_demo_people_have_the_rights_their_names_promise():
    call_command("seed_demo")
    users = {u.username: u for u in get_user_model().objects.filter(username__in=USERNAMES)}
    today = dt.date(2026, 11, 27)
    office, leader, harbin = (
        scope_for(users[n], today=today) for n in ("office", "leader", "harbin-office")
    )
    assert office.is_provincial_office and office.can_manage_periods()
    assert leader.is_leadership and not leader.is_office
    assert harbin.is_office and not harbin.is_provincial_office
    assert [j.name for j in harbin.office] == ["哈尔滨市"]

    def tasks_of(username):
        unit_ids = scope_for(users[username], today=today).unit_ids
        return {
            (a.task.number, a.role)
            for a in Assignment.objects.filter(unit_id__in=unit_ids).select_related("task")
        }

    assert tasks_of("tax-staff") == {(n, "lead") for n in range(1, 28)}
    assert scope_for(users["tax-head"], today=today).head_unit_ids
    assert tasks_of("police-staff") == {(21, "cooperating"), (23, "cooperating")}
    assert tasks_of("customs-staff") == {(21, "cooperating")}


def test_the_period_list_reaches_the_half_year_that_contains_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 27, 9, 0))
    call_command("seed_demo")
    current = current_period(today=dt.date(2026, 11, 27))
    assert current.period.code == "2026H2"
    assert not current.list_ended
    assert Period.objects.filter(year=2026).count() == 2
