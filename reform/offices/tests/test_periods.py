"""The provincial office keeps the one list of periods: extends it by the next half-year,
closes and reopens a period, and moves a period's cooperating-units date."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from reform.history.services import entries_for
from reform.plan.models import Assignment, Period
from reform.plan.services import load_plan
from reform.reports.models import Report

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_extending_the_list_creates_exactly_one_draft_per_active_assignment(client, cast, plan):
    closed = Assignment.objects.get(unit=cast["police"], task__number=23)
    closed.is_closed, closed.last_period = True, plan
    closed.save()
    removed = Assignment.objects.get(unit=cast["customs"], task__number=21)
    removed.is_active = False
    removed.save()
    expected = Assignment.objects.filter(is_active=True).exclude(pk=closed.pk).count()
    client.force_login(cast["office"])

    response = client.post(reverse("offices:period_extend"))

    assert response.url == reverse("offices:periods")
    new = Period.objects.get(year=2026, half=1)
    assert (new.opens_on, new.due_on, new.origin) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 25),
        "office",
    )
    assert new.cooperating_due_on < new.due_on
    reports = Report.objects.filter(period=new)
    assert reports.count() == expected
    assert reports.values("assignment").distinct().count() == expected
    assert not reports.filter(assignment__in=[closed, removed]).exists()
    assert entries_for(new).get(field="due_on").actor == cast["office"]

    client.post(reverse("offices:period_extend"))
    assert Period.objects.filter(year=2026, half=2).exists()
    assert Report.objects.filter(period=new).count() == expected  # nothing doubled


def reminder_lines(today: str) -> list[str]:
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--today", today, stdout=out)
    return out.getvalue().splitlines()


def test_closing_a_period_stops_its_reminders(client, cast, time_machine):
    """2025 H1 is due on June 25; on July 4 its units are 7 working days late."""
    time_machine.move_to(dt.datetime(2025, 7, 4, 10, 0, tzinfo=SHANGHAI))
    first_half = Period.objects.get(year=2025, half=1)
    assert any(" 2025H1 " in line for line in reminder_lines("2025-07-04"))
    client.force_login(cast["office"])

    row = client.post(reverse("offices:period_close", args=[first_half.pk]), **HTMX)

    assert row.status_code == 200 and f'id="period-row-{first_half.pk}"' in row.content.decode()
    first_half.refresh_from_db()
    assert first_half.is_closed and first_half.closed_at is not None
    assert not any(" 2025H1 " in line for line in reminder_lines("2025-07-04"))
    assert entries_for(first_half).get(field="is_closed").after == "True"

    client.post(reverse("offices:period_reopen", args=[first_half.pk]))
    first_half.refresh_from_db()
    assert not first_half.is_closed
    assert any(" 2025H1 " in line for line in reminder_lines("2025-07-04"))


def test_a_period_not_yet_due_is_not_closed(client, cast, plan):
    client.force_login(cast["office"])

    response = client.post(reverse("offices:period_close", args=[plan.pk]))

    assert response.url == reverse("offices:periods")
    assert not Period.objects.get(pk=plan.pk).is_closed


def test_the_cooperating_date_moves_and_load_plan_leaves_it(client, cast, plan):
    client.force_login(cast["office"])
    url = reverse("offices:period", args=[plan.pk])

    on_due_date = client.post(url, {"cooperating_due_on": "2025-12-25"})
    assert "is-invalid" in on_due_date.content.decode()

    response = client.post(url, {"cooperating_due_on": "2025-12-15"})

    assert response.url == reverse("offices:periods")
    plan.refresh_from_db()
    assert (plan.cooperating_due_on, plan.origin) == (dt.date(2025, 12, 15), "office")
    cooperating = Report.objects.filter(period=plan, role="cooperating")
    assert set(cooperating.values_list("due_on", flat=True)) == {dt.date(2025, 12, 15)}
    assert set(
        Report.objects.filter(period=plan, role="lead").values_list("due_on", flat=True)
    ) == {dt.date(2025, 12, 25)}
    change = entries_for(plan).get(field="cooperating_due_on")
    assert (change.after, change.actor) == ("2025-12-15", cast["office"])

    load_plan()
    plan.refresh_from_db()
    assert plan.cooperating_due_on == dt.date(2025, 12, 15)


def test_the_periods_page_lists_the_whole_list(client, cast, plan):
    client.force_login(cast["office"])

    html = client.get(reverse("offices:periods")).content.decode()

    assert html.count('id="period-row-') == Period.objects.count() == 9
    assert 'id="extend-periods"' in html
